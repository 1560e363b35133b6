package cost_test

import (
	"testing"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

// What the shutdowns skipped is priced per night, by reason: web carries the skip tag
// three nights, worker is snoozed two nights (a new end each night: one reason). A night
// runs to the next restart of the pair; the last one, with no restart after it, to the
// next shutdown.
func TestSavingsPriceWhatTheShutdownsSkipped(t *testing.T) {
	only := []history.Pair{staging}
	skipped := func(id, size, reason string, day int) history.Change {
		c := change(staging, id, history.Skipped, nov(day, 19, 0), nov(1, 7, 0))
		c.Size, c.Reason = size, reason
		return c
	}
	runs := []history.Run{
		scheduled(history.Shutdown, nov(2, 19, 0), only,
			skipped("web", "m5.xlarge", "tagged curfew:skip=true", 2),
			skipped("worker", "t3.micro", "snoozed until 2026-11-03T09:00:00Z", 2)),
		scheduled(history.Restart, nov(3, 7, 0), only),
		scheduled(history.Shutdown, nov(3, 19, 0), only,
			skipped("web", "m5.xlarge", "tagged curfew:skip=true", 3),
			skipped("worker", "t3.micro", "snoozed until 2026-11-04T09:00:00Z", 3)),
		scheduled(history.Restart, nov(4, 7, 0), only),
		scheduled(history.Shutdown, nov(4, 19, 0), only, skipped("web", "m5.xlarge", "tagged curfew:skip=true", 4)),
		scheduled(history.Shutdown, nov(5, 19, 0), only),
	}

	s := estimate(runs, pairingStart, pairingEnd)

	want := []cost.Kept{
		{Account: "staging", Reason: "tagged curfew:skip=true", Resources: 1, Nights: 3, Hours: 48, Cost: 48 * m5xlarge},
		{Account: "staging", Reason: "snoozed", Resources: 1, Nights: 2, Hours: 24, Cost: 24 * 0.0104},
	}
	if len(s.Kept) != len(want) {
		t.Fatalf("kept = %+v, want %+v", s.Kept, want)
	}
	for i, k := range s.Kept {
		w := want[i]
		if k.Account != w.Account || k.Reason != w.Reason || k.Resources != w.Resources || k.Nights != w.Nights ||
			!near(k.Hours, w.Hours) || !near(k.Cost, w.Cost) || k.UnpricedHours != 0 {
			t.Errorf("kept[%d] = %+v, want %+v", i, k, w)
		}
	}
	if s.Total() != 0 || len(s.Accounts) != 0 {
		t.Errorf("savings = %v over %+v, want none: nothing was stopped", s.Total(), s.Accounts)
	}
}

// What curfew cannot stop (a spot instance, an instance-store instance, a Karpenter node,
// a read replica) is counted in hours but not priced as what stopping it would have saved:
// no shutdown could have saved it, and a spot instance's list price is not what it costs.
func TestKeptWhatCannotBeStoppedIsNotPriced(t *testing.T) {
	only := []history.Pair{staging}
	skipped := func(id, reason string) history.Change {
		c := change(staging, id, history.Skipped, nov(2, 19, 0), nov(1, 7, 0))
		c.Reason = reason
		return c
	}
	runs := []history.Run{
		scheduled(history.Shutdown, nov(2, 19, 0), only,
			skipped("spot", "spot instance: a one-time spot instance cannot be stopped, and a persistent one is run by its request"),
			skipped("store", "instance-store root device: it cannot be stopped, only terminated"),
			skipped("node", "Karpenter node of NodePool default: Karpenter replaces a node it finds stopped; curfew leaves its nodes to it"),
			skipped("tagged", "tagged curfew:skip=true")),
		scheduled(history.Restart, nov(3, 7, 0), only),
	}

	s := estimate(runs, pairingStart, pairingEnd)

	if len(s.Kept) != 4 {
		t.Fatalf("kept = %+v, want 4 reasons", s.Kept)
	}
	for _, k := range s.Kept {
		tagged := k.Reason == "tagged curfew:skip=true"
		switch {
		case tagged && (k.Unstoppable || !near(k.Cost, 12*m5xlarge)):
			t.Errorf("%s: %+v, want 12 h priced", k.Reason, k)
		case !tagged && (!k.Unstoppable || k.Cost != 0 || !near(k.Hours, 12) || !near(k.UnpricedHours, 12)):
			t.Errorf("%s: %+v, want 12 h counted as unstoppable, not priced", k.Reason, k)
		}
	}
}
