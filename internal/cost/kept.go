package cost

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/history"
)

// Kept is what the shutdowns left running in one account for one reason, and what it cost
// at night: what stopping it would have saved.
type Kept struct {
	Account string
	// Reason is the shutdown's reason for the skip, without its details: "snoozed" for
	// every snooze, the text before the first colon otherwise ("tagged curfew:skip=true",
	// "spot instance", "read replica").
	Reason string
	// Resources counts distinct resources; Nights counts each resource once per shutdown
	// that skipped it.
	Resources, Nights int
	// Hours run from each shutdown that skipped a resource to the next restart that
	// visited its account×region (the next shutdown where there is no restart, the report
	// where there is neither), within the window; a group counts each of its instances.
	Hours float64
	// UnpricedHours is the part of Hours with no price.
	UnpricedHours float64
	// Cost is in PriceCurrency.
	Cost float64
	// Unstoppable is set when the reason says the resource cannot be stopped (a spot
	// instance, an instance-store root device, a Karpenter node, a read replica): its
	// hours are counted, not priced, since no shutdown could have saved them.
	Unstoppable bool
}

// unstoppable reports whether a skip reason of the shutdown's says that the resource
// cannot be stopped at all, by curfew or by AWS (fleet's reasons: "...cannot be stopped",
// "...cannot stop it", "RDS cannot stop read replicas", "Karpenter node of ...").
func unstoppable(reason string) bool {
	return strings.Contains(reason, "cannot be stopped") || strings.Contains(reason, "cannot stop") ||
		strings.HasPrefix(reason, "Karpenter node of ")
}

// keptReason groups skip reasons: a snooze names its end, which differs each night.
func keptReason(reason string) string {
	if strings.HasPrefix(reason, "snoozed until") {
		return "snoozed"
	}
	if head, _, ok := strings.Cut(reason, ": "); ok {
		return head
	}
	return cmp.Or(reason, "(no reason recorded)")
}

// estimateKept prices the nights of the resources the shutdowns of runs (in time order)
// skipped within [start, end), by account and reason, most costly first within each
// account.
func estimateKept(ctx context.Context, runs []history.Run, start, end time.Time, prices Prices) []Kept {
	type group struct {
		Kept
		seen map[resourceKey]bool
	}
	groups := map[[2]string]*group{}
	for i, r := range runs {
		if r.Kind != history.Shutdown {
			continue
		}
		for _, c := range r.Changes {
			if c.Did(r.Kind) != history.Skipped {
				continue
			}
			p := history.Pair{Account: c.Account, Region: c.Region}
			from, to := later(r.Started, start), earlier(nightEnd(runs[i+1:], p, end), end)
			if !to.After(from) {
				continue
			}
			id := [2]string{c.Account, keptReason(c.Reason)}
			g := groups[id]
			if g == nil {
				g = &group{Kept: Kept{Account: id[0], Reason: id[1], Unstoppable: unstoppable(c.Reason)}, seen: map[resourceKey]bool{}}
				groups[id] = g
			}
			k := resourceKey{c.Account, c.Region, c.Type, c.ID}
			if !g.seen[k] {
				g.seen[k] = true
				g.Resources++
			}
			g.Nights++
			hours := to.Sub(from).Hours() * float64(max(c.Count, 1))
			g.Hours += hours
			if g.Unstoppable {
				g.UnpricedHours += hours
			} else if p, ok, _ := priceResource(ctx, prices, c.Type, c.Region, c.Size, c.Dimensions, c.Members); ok {
				g.Cost += hours * p.USD
			} else {
				g.UnpricedHours += hours
			}
		}
	}
	var out []Kept
	for _, g := range groups {
		out = append(out, g.Kept)
	}
	slices.SortFunc(out, func(a, b Kept) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(b.Cost, a.Cost), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

// nightEnd is when the night after a shutdown ended for a pair: the next restart that
// visited it, else the next shutdown that visited it, else end. A run that did not record
// its visits is taken to have visited every pair.
func nightEnd(after []history.Run, p history.Pair, end time.Time) time.Time {
	next := end
	for _, r := range after {
		if r.Visits != nil && !slices.ContainsFunc(r.Visits, func(v history.Visit) bool { return v.Pair == p }) {
			continue
		}
		if r.Kind == history.Restart {
			return r.Started
		}
		if next.Equal(end) {
			next = r.Started
		}
	}
	return next
}
