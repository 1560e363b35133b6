package cost_test

import (
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

// The pairing's golden histories: one m5.xlarge (0.192 USD an hour on the table) in
// staging/eu-west-1, swept by a shutdown at 19:00 and, unless said, a restart at 07:00 on
// weekdays. November 2026 begins on a Sunday; the report runs on Saturday 28 November at
// 06:00 over the month.
var (
	pairingStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	pairingEnd   = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	staging      = history.Pair{Account: "staging", Region: "eu-west-1"}
	sandbox      = history.Pair{Account: "sandbox", Region: "eu-west-1"}
)

const m5xlarge = 0.192

func nov(day, hour, minute int) time.Time {
	return time.Date(2026, time.November, day, hour, minute, 0, 0, time.UTC)
}

// change is what a run reported on the instance: action, and its LaunchTime when known.
func change(p history.Pair, id, action string, at, launched time.Time) history.Change {
	return history.Change{Account: p.Account, Region: p.Region, Type: history.EC2Instance, ID: id, Size: "m5.xlarge",
		At: at, Action: action, Launched: launched}
}

// scheduled is a scheduled run that swept and visited (done) the pairs of sweep.
func scheduled(kind history.Kind, at time.Time, sweep []history.Pair, changes ...history.Change) history.Run {
	r := history.Run{ID: string(kind) + at.Format("0102"), Kind: kind, Started: at, Trigger: "schedule", Changes: changes, Swept: sweep}
	for _, p := range sweep {
		r.Visits = append(r.Visits, history.Visit{Pair: p, Status: history.VisitDone})
	}
	return r
}

func TestSavingsPairEachStopWithWhatEndedIt(t *testing.T) {
	both := []history.Pair{staging, sandbox}
	only := []history.Pair{staging}
	stopped := func(p history.Pair, id string, at, launched time.Time) history.Change {
		return change(p, id, history.Stopped, at, launched)
	}
	var everyMorning []history.Run
	for d := 2; d <= 5; d++ { // Monday to Thursday: stopped at 19:00, started by hand at 08:00
		everyMorning = append(everyMorning, scheduled(history.Shutdown, nov(d, 19, 0), only,
			stopped(staging, "i-1", nov(d, 19, 0), nov(d, 8, 0))))
	}
	// Friday: found running again, snoozed by its owner.
	snoozed := change(staging, "i-1", history.Skipped, nov(6, 19, 0), nov(6, 8, 0))
	snoozed.Reason = "snoozed until 2026-11-09T08:00:00Z"
	everyMorning = append(everyMorning, scheduled(history.Shutdown, nov(6, 19, 0), only, snoozed))

	staleMark := change(staging, "i-1", history.Skipped, nov(3, 7, 0), nov(3, 6, 30))
	staleMark.Up, staleMark.Reason = true, "already running: stale mark removed"

	tests := []struct {
		name  string
		runs  []history.Run
		hours float64
		end   cost.End
	}{{
		// Stopped on Monday night, terminated before the restart looked: counted up to
		// that restart, not the 611 h up to the report.
		name: "terminated while stopped",
		runs: []history.Run{
			scheduled(history.Shutdown, nov(2, 19, 0), only, stopped(staging, "i-1", nov(2, 19, 0), nov(2, 7, 0))),
			scheduled(history.Restart, nov(3, 7, 0), only),
		},
		hours: 12, end: cost.EndGone,
	}, {
		// Started by hand at 06:30: the restart found it running with curfew's mark.
		name: "started by hand next morning",
		runs: []history.Run{
			scheduled(history.Shutdown, nov(2, 19, 0), only, stopped(staging, "i-1", nov(2, 19, 0), nov(2, 7, 0))),
			scheduled(history.Restart, nov(3, 7, 0), only, staleMark),
		},
		hours: 11.5, end: cost.EndPerson,
	}, {
		// No morning start; started by hand at 08:00 and stopped again at 19:00, four
		// nights: every night counts, none overwrites the one before.
		name:  "started by hand every morning",
		runs:  everyMorning,
		hours: 4 * 13, end: cost.EndPerson,
	}, {
		// sandbox left the account map on Friday: the restart no longer swept it.
		name: "account removed from the sweep",
		runs: []history.Run{
			scheduled(history.Shutdown, nov(5, 19, 0), both, stopped(sandbox, "i-2", nov(5, 19, 0), nov(5, 7, 0))),
			scheduled(history.Restart, nov(6, 7, 0), only),
		},
		hours: 12, end: cost.EndLeftSweep,
	}, {
		name: "weekend stop",
		runs: []history.Run{
			scheduled(history.Shutdown, nov(6, 19, 0), only, stopped(staging, "i-1", nov(6, 19, 0), nov(6, 7, 0))),
			scheduled(history.Restart, nov(9, 7, 0), only, change(staging, "i-1", history.Started, nov(9, 7, 0), time.Time{})),
		},
		hours: 60, end: cost.EndRestart,
	}, {
		// A holiday restart looks at nothing: the weekend runs on to Tuesday.
		name: "weekend and a holiday Monday",
		runs: []history.Run{
			scheduled(history.Shutdown, nov(6, 19, 0), only, stopped(staging, "i-1", nov(6, 19, 0), nov(6, 7, 0))),
			{ID: "holiday", Kind: history.Restart, Started: nov(9, 7, 0), Trigger: "schedule", Swept: only,
				Visits: []history.Visit{{Pair: staging, Status: "holiday"}}},
			scheduled(history.Restart, nov(10, 7, 0), only, change(staging, "i-1", history.Started, nov(10, 7, 0), time.Time{})),
		},
		hours: 84, end: cost.EndRestart,
	}, {
		// Stopped on Friday 27th, still stopped when the report runs on Saturday 06:00.
		name:  "still stopped at the report",
		runs:  []history.Run{scheduled(history.Shutdown, nov(27, 19, 0), only, stopped(staging, "i-1", nov(27, 19, 0), nov(27, 7, 0)))},
		hours: 11, end: cost.EndOpen,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := estimate(tt.runs, pairingStart, pairingEnd)
			if len(s.Accounts) != 1 || !near(s.Accounts[0].Hours, tt.hours) || !near(s.Total(), tt.hours*m5xlarge) {
				t.Fatalf("accounts = %+v, want %v h and %.4f USD", s.Accounts, tt.hours, tt.hours*m5xlarge)
			}
			if s.Unmatched != 0 {
				t.Errorf("unmatched = %d, want 0", s.Unmatched)
			}
			for _, e := range s.Ends {
				want := 0.0
				if e.End == tt.end {
					want = tt.hours
				}
				if !near(e.Hours, want) || !near(e.Saved, want*m5xlarge) {
					t.Errorf("ended by %s: %+v, want %v h", e.End, e, want)
				}
			}
		})
	}
}

// A restart that saw only part of a pair (it failed there, or was asked for some resources
// only) is no evidence that a resource it did not mention is gone.
func TestSavingsNotGoneWithoutAFullLook(t *testing.T) {
	only := []history.Pair{staging}
	failed := scheduled(history.Restart, nov(3, 7, 0), only)
	failed.Visits[0].Status = "failed"
	filtered := scheduled(history.Restart, nov(3, 7, 0), only)
	filtered.Trigger, filtered.Filtered = "manual", true
	for name, restart := range map[string]history.Run{"failed": failed, "filtered": filtered} {
		t.Run(name, func(t *testing.T) {
			runs := []history.Run{
				scheduled(history.Shutdown, nov(2, 19, 0), only,
					change(staging, "i-1", history.Stopped, nov(2, 19, 0), nov(2, 7, 0))),
				restart,
			}
			s := estimate(runs, pairingStart, pairingEnd)
			open := s.Ends[len(s.Ends)-1]
			if open.End != cost.EndOpen || !near(open.Hours, 611) {
				t.Errorf("ends = %+v, want 611 h still open", s.Ends)
			}
		})
	}
}

// RDS starts a database that has been stopped for seven days; the next shutdown finds it
// running and stops it again, without a start time (the shutdown reads no events). The
// first stop still counts, up to the seventh day, when RDS started it; a database still
// stopped at the report counts seven days at most.
func TestSavingsCountADatabaseStartedByRDSAfterSevenDays(t *testing.T) {
	only := []history.Pair{staging}
	db := func(kind history.Kind, action string, at time.Time) history.Change {
		c := history.Change{Account: staging.Account, Region: staging.Region, Type: history.RDSInstance, ID: "db-1",
			Size: "db.m5.large", At: at, Action: action}
		c.Engine = "mysql"
		return c
	}
	holiday := func(day int) history.Run {
		return history.Run{ID: "holiday" + nov(day, 7, 0).Format("0102"), Kind: history.Restart, Started: nov(day, 7, 0),
			Trigger: "schedule", Swept: only, Visits: []history.Visit{{Pair: staging, Status: "holiday"}}}
	}
	// Stopped Monday 2 November 19:00; a week of holidays; RDS starts it on Monday 9th at
	// 19:00; the shutdown of Tuesday 10th stops it again, the restart of the 11th starts it.
	restartedByRDS := []history.Run{scheduled(history.Shutdown, nov(2, 19, 0), only, db(history.Shutdown, history.Stopped, nov(2, 19, 0)))}
	for d := 3; d <= 10; d++ {
		restartedByRDS = append(restartedByRDS, holiday(d))
	}
	restartedByRDS = append(restartedByRDS,
		scheduled(history.Shutdown, nov(10, 19, 0), only, db(history.Shutdown, history.Stopped, nov(10, 19, 0))),
		scheduled(history.Restart, nov(11, 7, 0), only, db(history.Restart, history.Started, nov(11, 7, 0))))
	// Stopped Friday 13th, holidays to the report: 7 days, not 15.
	stillStopped := []history.Run{scheduled(history.Shutdown, nov(13, 19, 0), only, db(history.Shutdown, history.Stopped, nov(13, 19, 0)))}
	for d := 16; d <= 27; d++ {
		stillStopped = append(stillStopped, holiday(d))
	}
	for _, tt := range []struct {
		name string
		runs []history.Run
		ends map[cost.End]float64
	}{
		{"stopped again by the next shutdown", restartedByRDS, map[cost.End]float64{cost.EndRDSStart: 168, cost.EndRestart: 12}},
		{"still stopped at the report", stillStopped, map[cost.End]float64{cost.EndRDSStart: 168}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := estimate(tt.runs, pairingStart, pairingEnd)
			var want float64
			for _, h := range tt.ends {
				want += h
			}
			if len(s.Accounts) != 1 || !near(s.Accounts[0].Hours, want) || s.Unmatched != 0 {
				t.Fatalf("accounts = %+v, unmatched %d; want %v h, every stop counted", s.Accounts, s.Unmatched, want)
			}
			for _, e := range s.Ends {
				if !near(e.Hours, tt.ends[e.End]) {
					t.Errorf("ended by %s: %v h, want %v", e.End, e.Hours, tt.ends[e.End])
				}
			}
		})
	}
}

// A restart that failed to start a resource ends what the night saved: the hours after it,
// while the resource stays stopped against its team's wish, are not savings. The stop is
// counted up to the failed restart, and the next restart's start matches no stop without
// being a mismatch.
func TestSavingsStopAtAFailedRestart(t *testing.T) {
	only := []history.Pair{staging}
	runs := []history.Run{
		scheduled(history.Shutdown, nov(2, 19, 0), only, change(staging, "i-1", history.Stopped, nov(2, 19, 0), nov(2, 7, 0))),
		scheduled(history.Restart, nov(3, 7, 0), only, change(staging, "i-1", "failed", nov(3, 7, 0), time.Time{})),
		scheduled(history.Restart, nov(4, 7, 0), only, change(staging, "i-1", history.Started, nov(4, 7, 0), time.Time{})),
	}

	s := estimate(runs, pairingStart, pairingEnd)

	if len(s.Accounts) != 1 || !near(s.Accounts[0].Hours, 12) || s.Unmatched != 0 {
		t.Fatalf("accounts = %+v, unmatched %d; want 12 h (to the failed restart), nothing unmatched", s.Accounts, s.Unmatched)
	}
	for _, e := range s.Ends {
		want := 0.0
		if e.End == cost.EndRestartFailed {
			want = 12
		}
		if !near(e.Hours, want) {
			t.Errorf("ended by %s: %v h, want %v", e.End, e.Hours, want)
		}
	}
}
