package cost

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/assume"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/history"
)

// CoverageAPI is the part of the Cost Explorer client that reads discount coverage.
type CoverageAPI interface {
	GetSavingsPlansCoverage(context.Context, *costexplorer.GetSavingsPlansCoverageInput, ...func(*costexplorer.Options)) (*costexplorer.GetSavingsPlansCoverageOutput, error)
	GetReservationCoverage(context.Context, *costexplorer.GetReservationCoverageInput, ...func(*costexplorer.Options)) (*costexplorer.GetReservationCoverageOutput, error)
}

var _ CoverageAPI = (*costexplorer.Client)(nil)

// AssumeCoverageClients returns a Reader.Coverage whose clients assume CurfewCostReader
// in each account, presenting externalID, like AssumeClients.
func AssumeCoverageClients(base aws.Config, externalID string) func(accounts.Account) CoverageAPI {
	return func(a accounts.Account) CoverageAPI {
		return costexplorer.NewFromConfig(assume.Role(base, a.RoleARN(accounts.CostReaderRole), SessionName, externalID))
	}
}

// Coverage is how much of an account's usage discounts covered over Periods.Chart, the
// savings window, as Cost Explorer measures it.
type Coverage struct {
	// SavingsPlans is the share of the account's Savings Plans-eligible spend that Savings
	// Plans covered (SpendCoveredBySavingsPlans / TotalCost), 0 to 1.
	SavingsPlans float64
	// Reserved is the share of the account's EC2 running hours that EC2 Reserved
	// Instances covered (ReservedHours / TotalRunningHours), 0 to 1.
	Reserved float64
	// ReservedDatabases is the share of the account's RDS running hours, Aurora's
	// included, that RDS Reserved Instances covered, 0 to 1.
	ReservedDatabases float64
	// Err is why coverage could not be read; the account's savings are then the list
	// figure alone.
	Err error
}

// Covered is the share of a kind of resource's usage (history's resource types) taken as
// discounted. Reserved Instances are bought per service: an EC2 reservation never covers
// a database, an RDS one never an instance, and Fargate has none. Compute and EC2
// Instance Savings Plans cover EC2 and Fargate (and Lambda), never RDS or Aurora. AWS
// applies Reserved Instances first and Savings Plans to what they left, so the shares
// combine as 1 − (1 − reserved)(1 − Savings Plans): 50 % and 50 % are 75 %, not 100 %.
// The Savings Plans share is the account's over all its eligible spend, the reserved
// share its running hours of the kind's service; both are averages, not the resource's.
func (c Coverage) Covered(kind string) float64 {
	combined := func(a, b float64) float64 { return 1 - (1-a)*(1-b) }
	switch kind {
	case history.EC2Instance, history.AutoScalingGroup, history.EKSNodegroup:
		return combined(c.Reserved, c.SavingsPlans)
	case history.RDSInstance, history.AuroraCluster:
		return c.ReservedDatabases
	case history.ECSService:
		return c.SavingsPlans
	}
	return 0
}

// Cost Explorer's names of the services whose reservations curfew reads (its SERVICE
// dimension): GetReservationCoverage reads one service a query.
const (
	serviceEC2 = "Amazon Elastic Compute Cloud - Compute"
	serviceRDS = "Amazon Relational Database Service"
)

// CoverageBasis says what the low end of the savings range assumes; the report prints it
// whenever some account's coverage was read.
const CoverageBasis = "The saving is a range: from list price × hours stopped (all of it saved) down to " +
	"list price × hours × (1 − the account's Savings Plans and Reserved Instances coverage over the last " +
	"30 days, Cost Explorer's coverage APIs). The low end assumes that every covered hour saved nothing: " +
	"a stopped hour of a covered instance family frees commitment that the account's other usage may or " +
	"may not absorb, and the commitment is paid either way. Coverage is an average, not the stopped " +
	"resources' own: each account's, or with a management account named the map's accounts' together. " +
	"Reserved Instance coverage is read per service: EC2's applies to instances, Auto Scaling groups and " +
	"node groups, RDS's to DB instances and Aurora clusters. Savings Plans coverage applies to instances, " +
	"groups, node groups and Fargate tasks, never to databases (Compute and EC2 Instance Savings Plans do " +
	"not cover RDS); AWS applies reservations first and Savings Plans to the rest, so the two combine as " +
	"1 − (1 − reserved share) × (1 − Savings Plans share). Database Savings Plans, which can cover RDS and " +
	"Aurora, are not told apart: the Savings Plans share is read over all eligible spend, and databases " +
	"take their RDS reservations alone, so where the account has Database Savings Plans the low end of " +
	"their savings is too high"

// coverageRequests is how many requests reading one coverage makes, first pages only:
// one Savings Plans query and one Reserved Instance query for each of EC2 and RDS.
const coverageRequests = 3

// readCoverage reads the discount coverage of every account that reported (accs and
// targets are in the same order). Per account, each account's own through its role,
// filtered to itself: 3 requests an account. Grouped, the organisation's in the
// management account, filtered to the accounts that reported, and given to each of them:
// 3 requests at any size (Savings Plans coverage cannot be grouped by account, and
// Savings Plans and reservations are shared across the organisation's accounts by
// default anyway). An account whose coverage fails keeps its costs; its savings stay at
// list price, with the reason.
func (r Reader) readCoverage(ctx context.Context, p Periods, grouped bool, mgmt accounts.Account, accs []Account, targets []target, client func(accounts.Account) CoverageAPI, requests *atomic.Int64) {
	if grouped {
		var ids []string
		for _, a := range accs {
			if a.Err == nil {
				ids = append(ids, a.ID)
			}
		}
		if len(ids) == 0 {
			return
		}
		c := readOneCoverage(ctx, client(mgmt), p.Chart, ids, requests)
		r.logCoverage("organisation", c)
		for i := range accs {
			if accs[i].Err == nil {
				accs[i].Coverage = &c
			}
		}
		return
	}
	g := new(errgroup.Group)
	g.SetLimit(parallel)
	for i := range accs {
		a := &accs[i]
		if a.Err != nil {
			continue
		}
		g.Go(func() error {
			c := readOneCoverage(ctx, client(targets[i].account), p.Chart, []string{a.ID}, requests)
			a.Coverage = &c
			r.logCoverage(a.Name, c)
			return nil
		})
	}
	_ = g.Wait() // each account keeps its own error
}

func (r Reader) logCoverage(account string, c Coverage) {
	if c.Err != nil {
		r.log().Warn("read coverage", "account", account, "action", "read-coverage", "outcome", "failed", "error", c.Err)
		return
	}
	r.log().Info("read coverage", "account", account, "action", "read-coverage", "outcome", "ok",
		"savingsPlans", c.SavingsPlans, "reserved", c.Reserved, "reservedDatabases", c.ReservedDatabases)
}

// readOneCoverage reads the coverage of the accounts ids together, over r.
func readOneCoverage(ctx context.Context, client CoverageAPI, r Range, ids []string, requests *atomic.Int64) Coverage {
	var c Coverage
	var covered, total float64
	sp := costexplorer.NewGetSavingsPlansCoveragePaginator(client, &costexplorer.GetSavingsPlansCoverageInput{
		TimePeriod: interval(SavingsPlansWindow(r)), Granularity: types.GranularityMonthly, Filter: linkedAccounts(ids...)})
	for sp.HasMorePages() {
		out, err := sp.NextPage(ctx)
		if err != nil {
			c.Err = fmt.Errorf("read Savings Plans coverage: %w", err)
			return c
		}
		requests.Add(1)
		for _, v := range out.SavingsPlansCoverages {
			if v.Coverage == nil {
				continue
			}
			s, err1 := number(v.Coverage.SpendCoveredBySavingsPlans)
			t, err2 := number(v.Coverage.TotalCost)
			if err := errors.Join(err1, err2); err != nil {
				c.Err = fmt.Errorf("read Savings Plans coverage: %w", err)
				return c
			}
			covered, total = covered+s, total+t
		}
	}
	c.SavingsPlans = share(covered, total)

	if c.Reserved, c.Err = readReserved(ctx, client, r, ids, serviceEC2, requests); c.Err != nil {
		return c
	}
	c.ReservedDatabases, c.Err = readReserved(ctx, client, r, ids, serviceRDS, requests)
	return c
}

// SavingsPlansWindow is the window Savings Plans coverage is asked over for the savings
// window r: the same number of days, one day earlier, since GetSavingsPlansCoverage wants
// an End "before the current date" and r ends today (exclusive).
func SavingsPlansWindow(r Range) Range {
	return Range{Start: r.Start.AddDate(0, 0, -1), End: r.End.AddDate(0, 0, -1)}
}

// readReserved reads the share of the running hours of service's usage of the accounts
// ids that Reserved Instances covered over r, every page. The filter names the service
// even for EC2, which Cost Explorer reads when none is named, so that each answer is
// plainly one service's.
func readReserved(ctx context.Context, client CoverageAPI, r Range, ids []string, service string, requests *atomic.Int64) (float64, error) {
	var reserved, running float64
	filter := &types.Expression{And: []types.Expression{*linkedAccounts(ids...),
		{Dimensions: &types.DimensionValues{Key: types.DimensionService, Values: []string{service}}}}}
	in := &costexplorer.GetReservationCoverageInput{TimePeriod: interval(r), Granularity: types.GranularityMonthly, Filter: filter}
	for {
		out, err := client.GetReservationCoverage(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("read Reserved Instance coverage of %s: %w", service, err)
		}
		requests.Add(1)
		for _, t := range out.CoveragesByTime {
			if t.Total == nil || t.Total.CoverageHours == nil {
				continue
			}
			h, err1 := number(t.Total.CoverageHours.ReservedHours)
			all, err2 := number(t.Total.CoverageHours.TotalRunningHours)
			if err := errors.Join(err1, err2); err != nil {
				return 0, fmt.Errorf("read Reserved Instance coverage of %s: %w", service, err)
			}
			reserved, running = reserved+h, running+all
		}
		if aws.ToString(out.NextPageToken) == "" {
			return share(reserved, running), nil
		}
		in.NextPageToken = out.NextPageToken
	}
}

// number parses one of Cost Explorer's decimal strings; an absent one is 0.
func number(s *string) (float64, error) {
	if s == nil || *s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(*s, 64)
}

// share is part/whole between 0 and 1; no usage at all is no coverage.
func share(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return max(0, min(1, part/whole))
}

// pacedCoverage is a coverage client whose every request waits for the pacer.
type pacedCoverage struct {
	CoverageAPI
	pacer *pacer
}

func (c pacedCoverage) GetSavingsPlansCoverage(ctx context.Context, in *costexplorer.GetSavingsPlansCoverageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetSavingsPlansCoverageOutput, error) {
	return pacedCall(ctx, c.pacer, c.CoverageAPI.GetSavingsPlansCoverage, in, opts)
}

func (c pacedCoverage) GetReservationCoverage(ctx context.Context, in *costexplorer.GetReservationCoverageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetReservationCoverageOutput, error) {
	return pacedCall(ctx, c.pacer, c.CoverageAPI.GetReservationCoverage, in, opts)
}

// Discount is one account's savings range: Low is the list figure less the covered
// share, nil when coverage was not read, with Why saying why; Covered is the share of
// the list figure taken as discounted.
type Discount struct {
	Covered float64
	Low     *float64
	Why     string
}

// ApplyCoverage sets each account's savings range from the coverage of the account of
// the same name; an account without coverage keeps the list figure, with the reason.
func (s *Savings) ApplyCoverage(accs []Account) {
	s.CoverageRead = slices.ContainsFunc(accs, func(a Account) bool { return a.Coverage != nil })
	for i := range s.Accounts {
		a := &s.Accounts[i]
		a.Discount = Discount{Why: "coverage not read"}
		for _, acc := range accs {
			if acc.Name != a.Account {
				continue
			}
			switch {
			case acc.Err != nil:
				a.Discount.Why = "coverage not read: the account's costs could not be read"
			case acc.Coverage == nil:
				a.Discount.Why = "coverage not read"
			case acc.Coverage.Err != nil:
				a.Discount.Why = "coverage not read: " + cause.Of(acc.Coverage.Err)
			default:
				a.Discount = discount(*a, *acc.Coverage)
			}
		}
	}
}

// discount is an account's savings range under coverage c: each kind's part of the
// estimate less the share its own discounts covered. Covered is then the share of the
// whole estimate taken as discounted.
func discount(a AccountSavings, c Coverage) Discount {
	var low float64
	// In a fixed order, so that the same savings always sum to the same figure.
	for _, kind := range slices.Sorted(maps.Keys(a.SavedBy)) {
		low += a.SavedBy[kind] * (1 - c.Covered(kind))
	}
	d := Discount{Low: &low}
	if a.Saved > 0 {
		d.Covered = 1 - low/a.Saved
	}
	return d
}

// LowTotal is the low end of the estimate over every account: an account without
// coverage counts at list price.
func (s *Savings) LowTotal() float64 {
	var t float64
	for _, a := range s.Accounts {
		if a.Discount.Low != nil {
			t += *a.Discount.Low
		} else {
			t += a.Saved
		}
	}
	return t
}

// Ranged reports whether some account's coverage was read, so the estimate is a range.
func (s *Savings) Ranged() bool {
	for _, a := range s.Accounts {
		if a.Discount.Low != nil {
			return true
		}
	}
	return false
}

// Basis is what the estimate rests on: where the prices came from (priceBasis), whose
// closing statement that discounts are ignored gives way to CoverageBasis once coverage
// is read.
func (s *Savings) Basis() string {
	b := s.priceBasis()
	if s.Ranged() {
		b = strings.TrimSuffix(strings.TrimSuffix(b, Discounts), "; ") + ". " + CoverageBasis
	}
	for _, g := range s.CapacityGaps {
		b += ". " + capitalised(g)
	}
	return b
}

// capitalised starts a sentence with s.
func capitalised(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
