package cost

import (
	"cmp"
	"slices"
	"time"

	"github.com/curfew/curfew/internal/history"
)

// End is what ended a stop of curfew's, as the run history shows it.
type End string

// What can end a stop, in the order the report lists them.
const (
	// EndRestart: curfew's restart started the resource.
	EndRestart End = "restart"
	// EndRestartFailed: curfew's restart failed to start it. The hours after, while it
	// stays stopped against its team's wish, are not savings: the stop is counted up to
	// that restart.
	EndRestartFailed End = "restart-failed"
	// EndPerson: someone started it, at a time AWS gave (an EC2 instance's LaunchTime, an
	// RDS start event), seen by the restart (a stale mark, or left stopped because it was
	// stopped again) or by the next shutdown (found running again).
	EndPerson End = "person"
	// EndGone: a restart that looked at every resource of its account×region no longer
	// found it stopped with curfew's mark: terminated, or its mark removed. Counted up to
	// that restart, the latest it can have ended.
	EndGone End = "gone"
	// EndLeftSweep: its account×region was no longer swept by the account map; counted up
	// to the first run that no longer swept it.
	EndLeftSweep End = "left-sweep"
	// EndRDSStart: RDS started the database after seven days stopped, as it does to every
	// stopped DB instance and Aurora cluster; counted up to the seventh day when no earlier
	// end is known.
	EndRDSStart End = "rds-start"
	// EndOpen: still stopped at the report's time, and counted up to it.
	EndOpen End = "open"
)

// Ends lists every End in report order.
var Ends = []End{EndRestart, EndRestartFailed, EndPerson, EndGone, EndLeftSweep, EndRDSStart, EndOpen}

// failed is the action of a run that failed on a resource (fleet.ActionFailed).
const failed = "failed"

// rdsMaxStop is how long RDS keeps a database stopped before it starts it again.
const rdsMaxStop = 7 * 24 * time.Hour

// isDatabase reports whether kind is one that RDS starts after seven days stopped.
func isDatabase(kind string) bool {
	return kind == history.RDSInstance || kind == history.AuroraCluster
}

// stopSpan is the time one resource spent stopped by curfew, and what ended it.
type stopSpan struct {
	key      resourceKey
	size     string
	count    int
	dims     history.Dimensions
	members  []string
	from, to time.Time
	end      End
}

// pairStops pairs each stop of the history (runs in time order) with what ended it. A stop
// whose end the history cannot date — the resource found running again, or restarted by
// someone, with no start time, or stopped again with no start seen between — is not
// returned: unmatched counts those and the starts with no stop before them.
func pairStops(runs []history.Run, end time.Time) (out []stopSpan, unmatched int) {
	open := map[resourceKey]stop{}
	// notStarted are the resources a restart failed to start: a later start ends no stop.
	notStarted := map[resourceKey]bool{}
	closeAt := func(k resourceKey, at time.Time, how End, size string) {
		st := open[k]
		delete(open, k)
		// No database stays stopped longer than RDS allows.
		if auto := st.at.Add(rdsMaxStop); isDatabase(k.kind) && at.After(auto) {
			at, how = auto, EndRDSStart
		}
		out = append(out, stopSpan{key: k, size: cmp.Or(st.size, size), count: st.count, dims: st.dims, members: st.members, from: st.at, to: at, end: how})
	}
	for _, r := range runs {
		seen := map[resourceKey]bool{}
		for _, c := range r.Changes {
			k := resourceKey{c.Account, c.Region, c.Type, c.ID}
			seen[k] = true
			at := c.At
			if at.IsZero() {
				at = r.Started
			}
			st, isOpen := open[k]
			// A start after curfew's stop, dated by AWS, is when a person ended the stop.
			startedByPerson := isOpen && c.Launched.After(st.at)
			// A database found up seven days after curfew stopped it, with no start time,
			// was started by RDS then (closeAt dates it).
			startedByRDS := isOpen && isDatabase(c.Type) && !at.Before(st.at.Add(rdsMaxStop))
			did := c.Did(r.Kind)
			switch {
			case r.Kind == history.Shutdown:
				// A shutdown reports only on resources that are up: one curfew had
				// stopped was started again since.
				if isOpen && startedByPerson {
					closeAt(k, c.Launched, EndPerson, c.Size)
				} else if startedByRDS {
					closeAt(k, at, EndRDSStart, c.Size)
				} else if isOpen {
					unmatched++
					delete(open, k)
				}
				delete(notStarted, k)
				if did == history.Stopped {
					open[k] = stop{at: at, size: c.Size, count: c.Count, dims: c.Dimensions, members: c.Members}
				}
			case did == history.Started:
				if !isOpen {
					if !notStarted[k] {
						unmatched++
					}
					delete(notStarted, k)
					continue
				}
				closeAt(k, at, EndRestart, c.Size)
			case isOpen && r.Kind == history.Restart && did == failed:
				closeAt(k, at, EndRestartFailed, c.Size)
				notStarted[k] = true
			case isOpen && (did == history.LeftStopped || c.Up):
				if startedByPerson {
					closeAt(k, c.Launched, EndPerson, c.Size)
				} else if startedByRDS {
					closeAt(k, at, EndRDSStart, c.Size)
				} else {
					unmatched++
					delete(open, k)
				}
			}
			// Anything else a restart reports (a database still stopping) leaves the stop
			// open.
		}
		if r.Swept != nil {
			swept := map[history.Pair]bool{}
			for _, p := range r.Swept {
				swept[p] = true
			}
			for _, k := range openKeys(open) {
				if !swept[history.Pair{Account: k.account, Region: k.region}] {
					closeAt(k, r.Started, EndLeftSweep, "")
				}
			}
		}
		// Only a restart looks at stopped resources; one asked for some resources only
		// says nothing of the others.
		if r.Kind == history.Restart && !r.Filtered {
			done := map[history.Pair]bool{}
			for _, v := range r.Visits {
				if v.Status == history.VisitDone {
					done[v.Pair] = true
				}
			}
			for _, k := range openKeys(open) {
				if done[history.Pair{Account: k.account, Region: k.region}] && !seen[k] && open[k].at.Before(r.Started) {
					closeAt(k, r.Started, EndGone, "")
				}
			}
		}
	}
	for _, k := range openKeys(open) {
		closeAt(k, end, EndOpen, "")
	}
	return out, unmatched
}

// openKeys returns the keys of the open stops in a fixed order, so that sums of
// floating-point hours come out the same on every run.
func openKeys(open map[resourceKey]stop) []resourceKey {
	keys := make([]resourceKey, 0, len(open))
	for k := range open {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b resourceKey) int {
		return cmp.Or(cmp.Compare(a.account, b.account), cmp.Compare(a.region, b.region),
			cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id))
	})
	return keys
}
