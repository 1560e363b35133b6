package cost

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/curfew/curfew/internal/history"
)

// HistoryMargin is how much history before the savings window Savings needs, so that a
// resource stopped shortly before the window is still matched with its stop.
const HistoryMargin = 14 * 24 * time.Hour

// Savings estimates what the night shutdowns saved within a window.
type Savings struct {
	// Start and End bound the window; End is the report's time, so a resource still
	// stopped counts until then.
	Start, End time.Time
	// Accounts are sorted by name.
	Accounts []AccountSavings
	// CoverageRead says that the accounts' discount coverage was asked for
	// (ApplyCoverage): each account then has a range, or the reason it has none.
	CoverageRead bool
	// Unmatched counts stops whose end the history cannot date (a resource stopped twice
	// with no start seen between, or found started again with no start time) and starts
	// with no stop before them: their time is not counted.
	Unmatched int
	// Ends splits the hours and the estimate by what ended each stop, one entry per End
	// in the order of Ends.
	Ends []EndTotal
	// Kept is what the shutdowns skipped, priced per night, by account and reason: what
	// the skip tags, snoozes and resources AWS cannot stop cost at night.
	Kept []Kept
	// OffBasis are the priced hours of resources the price table has no row of their
	// own for, by how they differ from the row that priced them (Price.Gaps), most hours
	// first: their price is that row's, not their own.
	OffBasis []OffBasis
	// PriceSources are the priced hours by where their price came from, most hours
	// first: AWS's price list, or the bundled table and why.
	PriceSources []PriceSource
	// CapacityGaps say how the prices of the estimate's groups, node groups and Fargate
	// services differ from what their capacity is, as far as the run history does not
	// record it (GapGroupPlatform, ...), sorted; none when every such
	// hour was priced as what it is.
	CapacityGaps []string

	// tableBasis is the basis of the table that priced the estimate; empty means the
	// bundled table's, PriceBasis().
	tableBasis string
}

// PriceSource is how many priced hours one source priced, e.g. "the bundled table: the
// Pricing API failed".
type PriceSource struct {
	What  string
	Hours float64
}

// OffBasis is how many priced hours differ in one way from the table row that priced
// them, e.g. "Multi-AZ priced as Single-AZ".
type OffBasis struct {
	What  string
	Hours float64
}

// EndTotal is the part of the estimate whose stops one End ended.
type EndTotal struct {
	End End
	// Stops counts the stops with time in the window.
	Stops int
	Hours float64
	// Saved is in PriceCurrency; unpriced hours add nothing.
	Saved float64
}

// AccountSavings is the estimate for one account.
type AccountSavings struct {
	Account string
	// Resources is how many distinct resources curfew stopped.
	Resources int
	// Hours is the time all of them spent stopped, summed; a group or node group counts
	// each of its instances, a service each of its tasks.
	Hours float64
	// UnpricedHours is the part of Hours that has no price: sizes missing from the price
	// table, and Aurora clusters the price list did not price (priceResource).
	UnpricedHours float64
	// Unpriced names what was not priced, e.g. "ec2 x2iedn.xlarge" or "Aurora cluster
	// (Serverless v2 member, billed by capacity used)".
	Unpriced []string
	// Saved is the estimate in PriceCurrency.
	Saved float64
	// SavedBy splits Saved by kind of resource (history's resource types): discounts
	// apply per kind (Coverage.Covered).
	SavedBy map[string]float64
	// Daily is the estimate of each day of the window, oldest first.
	Daily []float64
	// Discount is the range down to the account's discount coverage (ApplyCoverage).
	Discount Discount
}

// Days returns the first instant of each day of the window, the days of Daily.
func (s *Savings) Days() []time.Time {
	var days []time.Time
	for d := day(s.Start); d.Before(s.End); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// Total is the estimate over every account, in PriceCurrency.
func (s *Savings) Total() float64 {
	var t float64
	for _, a := range s.Accounts {
		t += a.Saved
	}
	return t
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

type resourceKey struct{ account, region, kind, id string }

type stop struct {
	at      time.Time
	size    string
	count   int
	dims    history.Dimensions
	members []string
}

// EstimateWith works out, from runs in time order, how long each resource was stopped by
// curfew within [start, end) — from the shutdown that stopped it to what ended the stop
// (pairStops: curfew's restart, a person's start, the resource gone, its account leaving
// the sweep), or to end if it is still stopped — and prices those hours at on-demand
// rates from prices (a Table, or a PriceList). Pass runs from HistoryMargin before start.
func EstimateWith(ctx context.Context, runs []history.Run, start, end time.Time, prices Prices) *Savings {
	s := &Savings{Start: start, End: end, tableBasis: prices.TableBasis()}
	byAccount := map[string]*AccountSavings{}
	resources := map[resourceKey]bool{}
	days := s.Days()
	ends := map[End]*EndTotal{}
	for _, e := range Ends {
		s.Ends = append(s.Ends, EndTotal{End: e})
	}
	for i := range s.Ends {
		ends[s.Ends[i].End] = &s.Ends[i]
	}
	gaps, sources := map[string]float64{}, map[string]float64{}
	add := func(k resourceKey, size string, count int, dims history.Dimensions, members []string, from, to time.Time, how End) {
		from, to = later(from, start), earlier(to, end)
		if !to.After(from) {
			return
		}
		e := ends[how]
		e.Stops++
		a := byAccount[k.account]
		if a == nil {
			a = &AccountSavings{Account: k.account, Daily: make([]float64, len(days))}
			byAccount[k.account] = a
		}
		if !resources[k] {
			resources[k] = true
			a.Resources++
		}
		n := float64(max(count, 1))
		hours := to.Sub(from).Hours() * n
		a.Hours += hours
		e.Hours += hours
		p, ok, why := priceResource(ctx, prices, k.kind, k.region, size, dims, members)
		price := p.USD
		if !ok {
			a.UnpricedHours += hours
			if what := unpricedName(k.kind, size, why); !slices.Contains(a.Unpriced, what) {
				a.Unpriced = append(a.Unpriced, what)
			}
			return
		}
		a.Saved += hours * price
		if a.SavedBy == nil {
			a.SavedBy = map[string]float64{}
		}
		a.SavedBy[k.kind] += hours * price
		e.Saved += hours * price
		sources[priceSource(p)] += hours
		for _, g := range capacityGaps(k.kind, dims) {
			if !slices.Contains(s.CapacityGaps, g) {
				s.CapacityGaps = append(s.CapacityGaps, g)
			}
		}
		for _, g := range p.Gaps {
			gaps[g] += hours
		}
		// Split the interval at midnight (UTC) for the daily chart.
		for i, d := range days {
			next := d.AddDate(0, 0, 1)
			if lo, hi := later(from, d), earlier(to, next); hi.After(lo) {
				a.Daily[i] += hi.Sub(lo).Hours() * n * price
			}
		}
	}

	s.Kept = estimateKept(ctx, runs, start, end, prices)
	intervals, unmatched := pairStops(runs, end)
	s.Unmatched = unmatched
	for _, iv := range intervals {
		add(iv.key, iv.size, iv.count, iv.dims, iv.members, iv.from, iv.to, iv.end)
	}
	for what, hours := range gaps {
		s.OffBasis = append(s.OffBasis, OffBasis{What: what, Hours: hours})
	}
	slices.SortFunc(s.OffBasis, func(a, b OffBasis) int { return cmp.Or(cmp.Compare(b.Hours, a.Hours), cmp.Compare(a.What, b.What)) })
	for what, hours := range sources {
		s.PriceSources = append(s.PriceSources, PriceSource{What: what, Hours: hours})
	}
	slices.Sort(s.CapacityGaps)
	slices.SortFunc(s.PriceSources, func(a, b PriceSource) int { return cmp.Or(cmp.Compare(b.Hours, a.Hours), cmp.Compare(a.What, b.What)) })
	for _, a := range byAccount {
		slices.Sort(a.Unpriced)
		s.Accounts = append(s.Accounts, *a)
	}
	slices.SortFunc(s.Accounts, func(a, b AccountSavings) int { return cmp.Compare(a.Account, b.Account) })
	return s
}

func unpricedName(kind, size, why string) string {
	switch kind {
	case history.AuroraCluster:
		return "Aurora cluster (" + why + ")"
	case history.EC2Instance:
		return fmt.Sprintf("ec2 %s", cmp.Or(size, "(no size)"))
	case history.RDSInstance:
		return fmt.Sprintf("rds %s", cmp.Or(size, "(no size)"))
	case history.AutoScalingGroup, history.EKSNodegroup:
		if why != "" {
			return fmt.Sprintf("%s %s (%s)", kind, cmp.Or(size, "(mixed instance types)"), why)
		}
		return fmt.Sprintf("%s %s", kind, cmp.Or(size, "(mixed instance types)"))
	case history.ECSService:
		if why != "" {
			return "Fargate tasks (" + why + ")"
		}
		return "ECS service tasks on EC2 (their instances are priced) or of an unread Fargate size"
	}
	return fmt.Sprintf("%s %s", kind, size)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
