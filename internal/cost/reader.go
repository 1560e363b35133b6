package cost

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/assume"
)

// SessionName names the cost report's sessions in CloudTrail.
const SessionName = "curfew-cost-report"

// topServices is how many services the report lists per account.
const topServices = 5

// parallel bounds the accounts read at once: Cost Explorer throttles at a few requests a
// second.
const parallel = 4

// Reader reads the costs of every account of a map.
type Reader struct {
	Map *accounts.Map
	// Client returns a Cost Explorer client whose calls run in the given account.
	Client func(accounts.Account) API
	// Log gets one line per account; nil means slog.Default().
	Log *slog.Logger
}

// AssumeClients returns a Reader.Client whose clients assume CurfewCostReader in each
// account, presenting externalID.
func AssumeClients(base aws.Config, externalID string) func(accounts.Account) API {
	return func(a accounts.Account) API {
		return costexplorer.NewFromConfig(assume.Role(base, a.RoleARN(accounts.CostReaderRole), SessionName, externalID))
	}
}

// Read reads the costs of every account for a report made at now. It makes one grouped
// query in the management account when the map names one, else reads each account
// through its own role. An account that fails is marked failed; the others still report.
func (r Reader) Read(ctx context.Context, now time.Time) *Report {
	rep := &Report{Generated: now, Periods: PeriodsAt(now), Mode: PerAccount,
		Weekly: len(r.Map.CostReport.WeekDays()) == 1}
	var requests atomic.Int64
	if mgmt, ok := r.Map.Account(r.Map.Management); ok && r.Map.Management != "" {
		rep.Mode = Grouped
		rep.Accounts = r.readGrouped(ctx, rep.Periods, mgmt, &requests)
	} else {
		rep.Accounts = r.readEach(ctx, rep.Periods, &requests)
	}
	rep.Requests = int(requests.Load())
	for i := range rep.Accounts {
		a := &rep.Accounts[i]
		if a.Err != nil {
			r.log().Error("read costs", "account", a.Name, "action", "read-cost", "outcome", "failed", "mode", rep.Mode, "error", a.Err)
			continue
		}
		r.log().Info("read costs", "account", a.Name, "action", "read-cost", "outcome", "ok", "mode", rep.Mode)
		if a.Forecast == nil {
			rr := runRate(rep.Periods, a.MonthToDate)
			a.RunRate = &rr
			r.log().Warn("read forecast", "account", a.Name, "action", "read-forecast", "outcome", "missing",
				"reason", ForecastReason(a.ForecastErr), "replacement", "run-rate")
		}
	}
	return rep
}

func (r Reader) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

func newAccount(a accounts.Account) Account {
	return Account{Name: a.Name, ID: a.ID, Production: a.IsProduction()}
}

// readEach reads every account through its own role: two usage queries and one forecast
// each.
func (r Reader) readEach(ctx context.Context, p Periods, requests *atomic.Int64) []Account {
	out := make([]Account, len(r.Map.Accounts))
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for i, a := range r.Map.Accounts {
		g.Go(func() error {
			out[i] = readOne(ctx, r.Client(a), p, a, requests)
			return nil
		})
	}
	_ = g.Wait() // each account keeps its own error
	return out
}

// readOne reads one account through its own role. Every query is filtered to the account
// itself: in an organisation's management account Cost Explorer would otherwise answer
// for every account of the organisation.
func readOne(ctx context.Context, client API, p Periods, a accounts.Account, requests *atomic.Int64) Account {
	acc := newAccount(a)
	self := linkedAccounts(a.ID)
	fail := func(what string, err error) Account {
		acc.Err = fmt.Errorf("%s: %w", what, err) // the report and the log name the account
		return acc
	}
	rows, err := usage(ctx, client, dailyQuery(p.Daily(), self, nil), requests)
	if err != nil {
		return fail("read daily costs", err)
	}
	if len(rows) == 0 {
		return fail("read daily costs", errors.New("no results from Cost Explorer"))
	}
	if err := fillDaily(&acc, p, rows); err != nil {
		return fail("add daily costs", err)
	}
	rows, err = usage(ctx, client, servicesQuery(p.MonthToDate, self, groupBy(types.DimensionService)), requests)
	if err != nil {
		return fail("read costs by service", err)
	}
	if acc.TopServices, err = top(rows, 0); err != nil {
		return fail("add costs by service", err)
	}
	acc.Forecast, acc.ForecastErr = forecast(ctx, client, p, acc.MonthToDate, self, requests)
	return acc
}

// readGrouped reads every account in the management account: one daily query grouped by
// LINKED_ACCOUNT, one by LINKED_ACCOUNT and SERVICE, and a forecast per account (Cost
// Explorer forecasts cannot be grouped).
func (r Reader) readGrouped(ctx context.Context, p Periods, mgmt accounts.Account, requests *atomic.Int64) []Account {
	out := make([]Account, len(r.Map.Accounts))
	ids := make([]string, len(r.Map.Accounts))
	for i, a := range r.Map.Accounts {
		out[i] = newAccount(a)
		ids[i] = a.ID
	}
	failAll := func(what string, err error) []Account {
		for i := range out {
			out[i].Err = fmt.Errorf("%s in management account %s (%s): %w", what, mgmt.Name, mgmt.ID, err)
		}
		return out
	}
	client := r.Client(mgmt)
	filter := linkedAccounts(ids...)
	daily, err := usage(ctx, client, dailyQuery(p.Daily(), filter, groupBy(types.DimensionLinkedAccount)), requests)
	if err != nil {
		return failAll("read daily costs by account", err)
	}
	if len(daily) == 0 {
		return failAll("read daily costs by account", errors.New("no results from Cost Explorer"))
	}
	services, err := usage(ctx, client, servicesQuery(p.MonthToDate, filter, groupBy(types.DimensionLinkedAccount, types.DimensionService)), requests)
	if err != nil {
		return failAll("read costs by account and service", err)
	}
	currency := ""
	if len(daily) > 0 {
		currency = daily[0].cost.Currency
	}
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for i := range out {
		acc := &out[i]
		if err := fillDaily(acc, p, ofAccount(daily, acc.ID)); err != nil {
			acc.Err = fmt.Errorf("add daily costs: %w", err)
			continue
		}
		setCurrency(acc, currency)
		if acc.TopServices, err = top(ofAccount(services, acc.ID), 1); err != nil {
			acc.Err = fmt.Errorf("add costs by service: %w", err)
			continue
		}
		g.Go(func() error {
			acc.Forecast, acc.ForecastErr = forecast(ctx, client, p, acc.MonthToDate, linkedAccounts(acc.ID), requests)
			return nil
		})
	}
	_ = g.Wait() // each account keeps its own error
	return out
}

// ofAccount returns the rows of one linked account, its id being the first group key.
func ofAccount(rows []row, id string) []row {
	var out []row
	for _, r := range rows {
		if len(r.keys) > 0 && r.keys[0] == id {
			out = append(out, r)
		}
	}
	return out
}

// setCurrency gives an account with no cost at all in the answer the answer's currency.
func setCurrency(a *Account, currency string) {
	for _, m := range []*Money{&a.Yesterday, &a.MonthToDate, &a.LastMonth, &a.Week, &a.PreviousWeek} {
		if m.Currency == "" {
			m.Currency = currency
		}
	}
}

// fillDaily adds daily rows into the account's yesterday, month-to-date, last-month,
// week and chart figures.
func fillDaily(a *Account, p Periods, rows []row) error {
	a.Daily = make([]Money, p.Chart.Days())
	for _, r := range rows {
		for _, f := range []struct {
			in  Range
			sum *Money
		}{{p.Yesterday, &a.Yesterday}, {p.MonthToDate, &a.MonthToDate}, {p.LastMonth, &a.LastMonth},
			{p.Week, &a.Week}, {p.PreviousWeek, &a.PreviousWeek}} {
			if !f.in.Contains(r.day) {
				continue
			}
			sum, err := f.sum.add(r.cost)
			if err != nil {
				return fmt.Errorf("%s: %w", r.day.Format(time.DateOnly), err)
			}
			*f.sum = sum
		}
		if p.Chart.Contains(r.day) {
			i := Range{p.Chart.Start, r.day}.Days()
			sum, err := a.Daily[i].add(r.cost)
			if err != nil {
				return fmt.Errorf("%s: %w", r.day.Format(time.DateOnly), err)
			}
			a.Daily[i] = sum
		}
	}
	return nil
}

// top sums rows by the service name at group key index key and returns the costliest
// services, leaving out those that cost nothing.
func top(rows []row, key int) ([]Service, error) {
	var services []Service
	for _, r := range rows {
		if len(r.keys) <= key {
			return nil, fmt.Errorf("a group has keys %v, want a service at %d", r.keys, key)
		}
		name := r.keys[key]
		i := slices.IndexFunc(services, func(s Service) bool { return s.Name == name })
		if i < 0 {
			services = append(services, Service{Name: name})
			i = len(services) - 1
		}
		sum, err := services[i].Cost.add(r.cost)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		services[i].Cost = sum
	}
	services = slices.DeleteFunc(services, func(s Service) bool { return s.Cost.Amount == 0 })
	slices.SortStableFunc(services, func(a, b Service) int {
		return cmp.Or(cmp.Compare(b.Cost.Amount, a.Cost.Amount), cmp.Compare(a.Name, b.Name))
	})
	return services[:min(len(services), topServices)], nil
}
