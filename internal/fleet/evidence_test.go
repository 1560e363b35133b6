package fleet_test

import (
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// The run history keeps what the runs saw, not only what they stopped and started, so
// that the cost report ends each stop where it ended. curfew stops the fleet; in the night
// a person starts web and app-db by hand and terminates gone; the restart starts api.
// The history must keep the skip of kept, the stale marks of web and app-db with when AWS
// says they were started, and where the restart looked; the estimate over it must end
// api's stop at the restart, web's and app-db's at the person's start and gone's at the
// restart that no longer found it. Each stop carries what its price depends on.
func TestHistoryKeepsTheEvidenceOfEachStop(t *testing.T) {
	t.Parallel()
	f := stagingFleet(t, []string{"web", "api", "gone"})
	f.instance("staging", west, "kept", map[string]string{accounts.SkipTag: "true"})
	f.db("staging", west, "app-db", "")
	ctx := t.Context()
	client := emulator.S3(f.config("home", west))
	store := &history.Store{Client: client, Bucket: "curfew-history-" + f.account("home").ID}
	emulator.Bucket(t, client, store.Bucket)
	since := clock.Now().Add(-time.Minute)

	h, _, _ := f.handler(history.Shutdown)
	h.History = store
	runHandler(t, h, `{"trigger":"schedule"}`)

	// The person acts in a later second than the mark (both have whole seconds).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	startedAt := clock.Now().UTC().Truncate(time.Millisecond)
	f.byHand(t, start, "web")
	f.byHand(t, terminate, "gone")
	f.byHand(t, start, "app-db")
	// What AWS answers after those starts, and moto does not (awslayer_test.go).
	r, _ := f.faulty(history.Restart, false, launchedAt(f.ids["web"], startedAt), startedEvent("db-instance", "app-db", startedAt))
	r.History = store
	runHandler(t, r, `{"trigger":"schedule"}`)

	runs, err := store.Since(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs in the history, want 2", len(runs))
	}
	stop, start := runs[0], runs[1]
	byName := func(run history.Run) map[string]history.Change {
		out := map[string]history.Change{}
		for _, c := range run.Changes {
			for name, id := range f.ids {
				if id == c.ID {
					out[name] = c
				}
			}
		}
		return out
	}
	if c := byName(stop)["kept"]; c.Did(stop.Kind) != history.Skipped || c.Reason != "tagged curfew:skip=true" || c.Size == "" {
		t.Errorf("the shutdown's history of kept: %+v, want its skip with its reason and size", c)
	}
	// What the price depends on is recorded with each stop. (moto answers no
	// PlatformDetails, which AWS gives every instance: an empty platform is not guessed.)
	if c := byName(stop)["web"]; c.Tenancy != "default" {
		t.Errorf("the shutdown's history of web: tenancy %q, want default", c.Tenancy)
	}
	if c := byName(stop)["app-db"]; c.Engine == "" {
		t.Errorf("the shutdown's history of app-db has no engine: %+v", c)
	}
	seen := byName(start)
	for _, name := range []string{"web", "app-db"} {
		if c := seen[name]; c.Did(start.Kind) != history.Skipped || !c.Up || !c.Launched.Equal(startedAt) {
			t.Errorf("the restart's history of %s: %+v, want its stale mark, started at %s", name, c, startedAt)
		}
	}
	if _, ok := seen["gone"]; ok {
		t.Errorf("the restart's history names gone: %+v", seen["gone"])
	}
	pair := history.Pair{Account: "staging", Region: west}
	if start.Trigger != "schedule" || start.Filtered || !slices.Contains(start.Visits, history.Visit{Pair: pair, Status: history.VisitDone}) ||
		!slices.Contains(start.Swept, pair) {
		t.Errorf("the restart's history: trigger %q, filtered %v, visits %+v, swept %+v", start.Trigger, start.Filtered, start.Visits, start.Swept)
	}

	s := cost.EstimateWith(t.Context(), runs, stop.Started.Add(-time.Hour), clock.Now().Add(time.Hour), costtest.Table())
	want := map[cost.End]int{cost.EndRestart: 1, cost.EndPerson: 2, cost.EndGone: 1}
	for _, e := range s.Ends {
		if e.Stops != want[e.End] {
			t.Errorf("%d stops ended by %s, want %d (ends %+v)", e.Stops, e.End, want[e.End], s.Ends)
		}
	}
	if s.Unmatched != 0 {
		t.Errorf("unmatched = %d, want 0", s.Unmatched)
	}
}

// The run history names the actions as the report does: the cost report reads them back
// with history's names.
func TestHistoryNamesTheReportsActions(t *testing.T) {
	for report, hist := range map[fleet.Action]string{
		fleet.Stopped: history.Stopped, fleet.Started: history.Started, fleet.Skipped: history.Skipped, fleet.LeftStopped: history.LeftStopped,
	} {
		if string(report) != hist {
			t.Errorf("the report's %q is the history's %q", report, hist)
		}
	}
	if string(fleet.Done) != history.VisitDone {
		t.Errorf("the report's %q is the history's %q", fleet.Done, history.VisitDone)
	}
}
