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
	"github.com/curfew/curfew/internal/sources"
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
	// Sources find the accounts of the map's units (sources.ForRun); the report covers
	// them besides the listed ones. Nil for the list only.
	Sources []sources.Source
	// Rate is the pace of the requests, in requests a second; 0 means DefaultRate.
	Rate float64
	// Clock is what pacing waits on; nil means the real one.
	Clock Clock
	// Coverage returns a client that reads discount coverage in the given account
	// (AssumeCoverageClients); nil leaves coverage unread and the savings at list price.
	Coverage func(accounts.Account) CoverageAPI
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

// Read reads the costs of every account for a report made at now: the listed ones and
// those found in the map's units. It makes a constant number of grouped queries in the
// management account when the map names one, else reads each account through its own
// role; either way it says first how many requests it will make, and paces them. An
// account that fails is marked failed; the others still report.
func (r Reader) Read(ctx context.Context, now time.Time) *Report {
	rep := &Report{Generated: now, Periods: PeriodsAt(now), Mode: PerAccount,
		Weekly: len(r.Map.CostReport.WeekDays()) == 1, Rate: r.Rate, Metric: MetricOf(r.Map.CostReport)}
	if rep.Rate <= 0 {
		rep.Rate = DefaultRate
	}
	clock := r.Clock
	if clock == nil {
		clock = realClock{}
	}
	pace := newPacer(rep.Rate, clock)
	client := func(a accounts.Account) API { return paced{API: r.Client(a), pacer: pace} }

	targets, notes := r.targets(ctx)
	rep.Notes = notes
	rep.Budgets = budgets(r.Map, targets)
	rep.Holidays = nextHolidays(r.Map, targets, now)
	for _, n := range notes {
		r.log().Error("find accounts", "action", "find-accounts", "outcome", "failed", "reason", n)
	}
	mgmt, grouped := r.Map.Account(r.Map.Management)
	grouped = grouped && r.Map.Management != ""
	if grouped {
		rep.Mode = Grouped
	}
	rep.Planned = plan(rep.Mode, rep.Periods, len(targets), len(environments(targets)))
	switch {
	case r.Coverage != nil && grouped:
		rep.Planned += coverageRequests
	case r.Coverage != nil:
		rep.Planned += coverageRequests * len(targets)
	}
	need := duration(rep.Planned, rep.Rate)
	r.log().Info("plan cost report", "action", "plan", "mode", rep.Mode, "accounts", len(targets),
		"requests", rep.Planned, "rate", rep.Rate, "duration", need.Round(time.Second).String())
	if dl, ok := ctx.Deadline(); ok && need > dl.Sub(clock.Now()) {
		left := dl.Sub(clock.Now()).Round(100 * time.Millisecond)
		rep.Notes = append(rep.Notes, fmt.Sprintf("At %g requests a second the %d requests of this report need about %s, more than the %s it had: "+
			"the accounts not read in time are reported as failed. Name the organisation's management account (management: in the map) to read every account in a few grouped queries.",
			rep.Rate, rep.Planned, need.Round(100*time.Millisecond), left))
		r.log().Warn("plan cost report", "action", "plan", "outcome", "too-slow", "requests", rep.Planned, "duration", need.String(), "left", left.String())
	}

	var requests atomic.Int64
	if grouped {
		g := r.readGrouped(ctx, rep.Metric, rep.Periods, mgmt, client(mgmt), targets, &requests)
		rep.Accounts, rep.Other, rep.OtherAccounts, rep.Forecasts = g.accounts, g.other, g.otherAccounts, g.forecasts
	} else {
		rep.Accounts = r.readEach(ctx, rep.Metric, rep.Periods, targets, client, &requests)
	}
	if r.Coverage != nil {
		r.readCoverage(ctx, rep.Periods, grouped, mgmt, rep.Accounts, targets, func(a accounts.Account) CoverageAPI {
			return pacedCoverage{CoverageAPI: r.Coverage(a), pacer: pace}
		}, &requests)
	}
	rep.Requests = int(requests.Load())
	for _, f := range rep.Forecasts {
		if f.Err != nil {
			r.log().Warn("read forecast", "action", "read-forecast", "outcome", "missing", "environment", f.Environment,
				"error", f.Err, "replacement", "run-rate")
		}
	}
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
			if !errors.Is(a.ForecastErr, ErrEnvironmentForecast) { // logged once per environment
				r.log().Warn("read forecast", "account", a.Name, "action", "read-forecast", "outcome", "missing",
					"error", a.ForecastErr, "replacement", "run-rate")
			}
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
	return Account{Name: a.Name, ID: a.ID, Production: a.IsProduction(), Owners: a.Owners.List()}
}

// environments returns the environments of the targets, production first.
func environments(targets []target) []string {
	var out []string
	for _, env := range []string{"production", "non-production"} {
		if slices.ContainsFunc(targets, func(t target) bool { return t.cost.Environment() == env }) {
			out = append(out, env)
		}
	}
	return out
}

// readEach reads every account through its own role: two usage queries and one forecast
// each.
func (r Reader) readEach(ctx context.Context, m Metric, p Periods, targets []target, client func(accounts.Account) API, requests *atomic.Int64) []Account {
	out := make([]Account, len(targets))
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for i, t := range targets {
		g.Go(func() error {
			out[i] = readOne(ctx, client(t.account), m, p, t.cost, requests)
			return nil
		})
	}
	_ = g.Wait() // each account keeps its own error
	return out
}

// readOne reads one account through its own role. Every query is filtered to the account
// itself: in an organisation's management account Cost Explorer would otherwise answer
// for every account of the organisation.
func readOne(ctx context.Context, client API, m Metric, p Periods, acc Account, requests *atomic.Int64) Account {
	self := linkedAccounts(acc.ID)
	fail := func(what string, err error) Account {
		acc.Err = fmt.Errorf("%s: %w", what, err) // the report and the log name the account
		return acc
	}
	rows, err := usage(ctx, client, query(types.GranularityDaily, m, p.Daily(), self, nil), requests)
	if err != nil {
		return fail("read daily costs", err)
	}
	if len(rows) == 0 {
		return fail("read daily costs", errors.New("no results from Cost Explorer"))
	}
	if err := fillDaily(&acc, p, rows); err != nil {
		return fail("add daily costs", err)
	}
	rows, err = usage(ctx, client, query(types.GranularityMonthly, m, p.MonthToDate, self, groupBy(types.DimensionService)), requests)
	if err != nil {
		return fail("read costs by service", err)
	}
	if acc.TopServices, err = top(rows, 0); err != nil {
		return fail("add costs by service", err)
	}
	acc.Forecast, acc.ForecastErr = forecast(ctx, client, m, p, acc.MonthToDate, self, requests)
	return acc
}

// groupedRead is what readGrouped found.
type groupedRead struct {
	accounts      []Account
	other         *Account
	otherAccounts int
	forecasts     []EnvironmentForecast
}

// readGrouped reads every account in the management account with a constant number of
// requests, whatever the number of accounts: one daily query grouped by LINKED_ACCOUNT,
// one by LINKED_ACCOUNT and SERVICE (each paged), and one forecast per environment,
// filtered to its accounts (Cost Explorer forecasts cannot be grouped; the API sets no
// maximum on a filter's values). The usage queries are not filtered by account, so that
// the spend of accounts the map does not know is summed as other accounts instead of
// dropped.
func (r Reader) readGrouped(ctx context.Context, m Metric, p Periods, mgmt accounts.Account, client API, targets []target, requests *atomic.Int64) groupedRead {
	out := groupedRead{accounts: make([]Account, len(targets))}
	known := map[string]bool{}
	for i, t := range targets {
		out.accounts[i] = t.cost
		known[t.cost.ID] = true
	}
	failAll := func(what string, err error) groupedRead {
		for i := range out.accounts {
			out.accounts[i].Err = fmt.Errorf("%s in management account %s (%s): %w", what, mgmt.Name, mgmt.ID, err)
		}
		return out
	}
	daily, err := usage(ctx, client, query(types.GranularityDaily, m, p.Daily(), nil, groupBy(types.DimensionLinkedAccount)), requests)
	if err != nil {
		return failAll("read daily costs by account", err)
	}
	if len(daily) == 0 {
		return failAll("read daily costs by account", errors.New("no results from Cost Explorer"))
	}
	services, err := usage(ctx, client, query(types.GranularityMonthly, m, p.MonthToDate, nil, groupBy(types.DimensionLinkedAccount, types.DimensionService)), requests)
	if err != nil {
		return failAll("read costs by account and service", err)
	}
	currency := daily[0].cost.Currency
	dailyOf, servicesOf := byAccount(daily), byAccount(services)
	for i := range out.accounts {
		acc := &out.accounts[i]
		// An account the organisation bills nothing at all over the whole daily span is
		// more likely a mistyped id (or another organisation's) than free: it is named, not
		// shown at 0.00.
		if len(dailyOf[acc.ID]) == 0 {
			acc.Err = fmt.Errorf("no cost of account %s in the organisation's answer over %s: check its id in the map (an account that costs nothing at all reads so too)",
				acc.ID, p.Daily().Start.Format("2 Jan")+" to "+p.Yesterday.Start.Format("2 Jan"))
			continue
		}
		if err := fillDaily(acc, p, dailyOf[acc.ID]); err != nil {
			acc.Err = fmt.Errorf("add daily costs: %w", err)
			continue
		}
		setCurrency(acc, currency)
		if acc.TopServices, err = top(servicesOf[acc.ID], 1); err != nil {
			acc.Err = fmt.Errorf("add costs by service: %w", err)
			continue
		}
		acc.ForecastErr = ErrEnvironmentForecast
	}
	out.other, out.otherAccounts = others(p, daily, known, currency)
	for _, env := range environments(targets) {
		f := EnvironmentForecast{Environment: env}
		var ids []string
		var monthToDate Money
		var sumErr error
		for _, a := range out.accounts {
			if a.Environment() != env || a.Err != nil {
				continue
			}
			ids = append(ids, a.ID)
			if monthToDate, sumErr = monthToDate.add(a.MonthToDate); sumErr != nil {
				break
			}
		}
		f.Accounts = len(ids)
		switch {
		case len(ids) == 0:
			continue
		case sumErr != nil:
			f.Err = fmt.Errorf("add the month to date of %s accounts: %w", env, sumErr)
		default:
			f.Forecast, f.Err = forecast(ctx, client, m, p, monthToDate, linkedAccounts(ids...), requests)
		}
		out.forecasts = append(out.forecasts, f)
	}
	return out
}

// others sums the daily rows of the linked accounts that are not known, as one account,
// and counts those accounts; nil when no unknown account cost anything.
func others(p Periods, daily []row, known map[string]bool, currency string) (*Account, int) {
	var rows []row
	ids := map[string]bool{}
	for _, r := range daily {
		if len(r.keys) > 0 && !known[r.keys[0]] && r.cost.Amount != 0 {
			rows = append(rows, r)
			ids[r.keys[0]] = true
		}
	}
	if len(rows) == 0 {
		return nil, 0
	}
	o := &Account{Name: "other accounts"}
	if err := fillDaily(o, p, rows); err != nil {
		o.Err = fmt.Errorf("add daily costs: %w", err)
	}
	setCurrency(o, currency)
	return o, len(ids)
}

// byAccount groups rows by linked account, its id being the first group key.
func byAccount(rows []row) map[string][]row {
	out := map[string][]row{}
	for _, r := range rows {
		if len(r.keys) > 0 {
			out[r.keys[0]] = append(out[r.keys[0]], r)
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
			a.Estimated = a.Estimated || r.estimated
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
