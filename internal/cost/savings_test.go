package cost_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/history/historytest"
)

// estimate prices runs with the tests' own table, so that regenerating the bundled one
// changes no test's figures.
func estimate(runs []history.Run, start, end time.Time) *cost.Savings {
	return cost.EstimateWith(context.Background(), runs, start, end, costtest.Table())
}

func TestEstimateFromStoredHistory(t *testing.T) {
	store := historytest.NewStore(t, emulator.Shared(t).Account(t, emulator.NewAccountID(), "eu-west-1"), "curfew-savings-test")
	at := func(day, hour int) time.Time { return time.Date(2026, time.November, day, hour, 0, 0, 0, time.UTC) }
	change := func(account, kind, id, size string, t time.Time) history.Change {
		return history.Change{Account: account, Region: "eu-west-1", Type: kind, ID: id, Size: size, At: t}
	}
	runs := []history.Run{
		// Stopped before the window opens (28 Oct 00:00), started after: 6 h counted.
		{ID: "r1", Kind: history.Shutdown, Started: time.Date(2026, 10, 27, 20, 0, 0, 0, time.UTC), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-3", "m5.large", time.Date(2026, 10, 27, 20, 0, 0, 0, time.UTC))}},
		{ID: "r2", Kind: history.Restart, Started: time.Date(2026, 10, 28, 6, 0, 0, 0, time.UTC), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-3", "m5.large", time.Date(2026, 10, 28, 6, 0, 0, 0, time.UTC))}},
		// One night of 11 h for an instance, a DB instance, an Aurora cluster and an
		// instance of a size the table does not list.
		{ID: "r3", Kind: history.Shutdown, Started: at(20, 19), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-1", "t3.micro", at(20, 19)),
			change("staging", history.RDSInstance, "db-1", "db.t3.micro", at(20, 19)),
			change("staging", history.AuroraCluster, "cluster-1", "", at(20, 19)),
			change("sandbox", history.EC2Instance, "i-2", "x9.huge", at(20, 19)),
		}},
		{ID: "r4", Kind: history.Restart, Started: at(21, 6), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-1", "t3.micro", at(21, 6)),
			change("staging", history.RDSInstance, "db-1", "db.t3.micro", at(21, 6)),
			change("staging", history.AuroraCluster, "cluster-1", "", at(21, 6)),
			change("sandbox", history.EC2Instance, "i-2", "x9.huge", at(21, 6)),
		}},
		// Stopped twice with no start recorded between: the first stop is not counted.
		{ID: "r5", Kind: history.Shutdown, Started: at(22, 19), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-5", "t3.small", at(22, 19))}},
		{ID: "r6", Kind: history.Shutdown, Started: at(23, 19), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-5", "t3.small", at(23, 19))}},
		{ID: "r7", Kind: history.Restart, Started: at(24, 7), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-5", "t3.small", at(24, 7)),
			change("staging", history.EC2Instance, "i-9", "t3.small", at(24, 7)), // no stop recorded
		}},
		// Still stopped when the report runs (27 Nov 06:00): 11 h.
		{ID: "r8", Kind: history.Shutdown, Started: at(26, 19), Changes: []history.Change{
			change("staging", history.EC2Instance, "i-1", "t3.micro", at(26, 19))}},
	}
	for _, r := range runs {
		if err := store.Put(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	p := cost.PeriodsAt(reportTime)
	stored, err := store.Since(t.Context(), p.Chart.Start.Add(-cost.HistoryMargin))
	if err != nil {
		t.Fatal(err)
	}

	s := estimate(stored, p.Chart.Start, reportTime)

	if len(s.Accounts) != 2 || s.Accounts[0].Account != "sandbox" || s.Accounts[1].Account != "staging" {
		t.Fatalf("accounts = %+v, want sandbox and staging", s.Accounts)
	}
	sandbox, staging := s.Accounts[0], s.Accounts[1]
	if sandbox.Resources != 1 || !near(sandbox.Hours, 11) || !near(sandbox.UnpricedHours, 11) ||
		sandbox.Saved != 0 || !slices.Equal(sandbox.Unpriced, []string{"ec2 x9.huge"}) {
		t.Errorf("sandbox = %+v, want 11 h, all unpriced (ec2 x9.huge)", sandbox)
	}
	// i-1: 11+11 h × 0.0104; db-1: 11 h × 0.017; cluster-1: 11 h unpriced;
	// i-3: 6 h × 0.096; i-5: 12 h × 0.0208.
	wantSaved := 22*0.0104 + 11*0.017 + 6*0.096 + 12*0.0208
	if staging.Resources != 5 || !near(staging.Hours, 22+11+11+6+12) || !near(staging.UnpricedHours, 11) ||
		!near(staging.Saved, wantSaved) || !slices.Equal(staging.Unpriced, []string{"Aurora cluster (" + cost.AuroraNoMembers + ")"}) {
		t.Errorf("staging = %+v, want 5 resources, 62 h, 11 unpriced (Aurora cluster), saved %.4f", staging, wantSaved)
	}
	if s.Unmatched != 2 {
		t.Errorf("unmatched = %d, want 2 (i-5 stopped twice, i-9 started without a stop)", s.Unmatched)
	}
	days := s.Days()
	if len(days) != 31 || len(staging.Daily) != 31 {
		t.Fatalf("%d days, %d daily values; want 31 (28 Oct to 27 Nov)", len(days), len(staging.Daily))
	}
	if !near(staging.Daily[0], 6*0.096) {
		t.Errorf("28 Oct = %v, want %v", staging.Daily[0], 6*0.096)
	}
	nov20 := slices.IndexFunc(days, func(d time.Time) bool { return d.Equal(at(20, 0)) })
	if !near(staging.Daily[nov20], 5*0.0104+5*0.017) || !near(staging.Daily[nov20+1], 6*0.0104+6*0.017) {
		t.Errorf("20-21 Nov = %v, %v; want the night split at midnight", staging.Daily[nov20], staging.Daily[nov20+1])
	}
	var sum float64
	for _, v := range staging.Daily {
		sum += v
	}
	if !near(sum, staging.Saved) {
		t.Errorf("daily values add up to %v, want %v", sum, staging.Saved)
	}
	if !near(s.Total(), wantSaved) {
		t.Errorf("total = %v, want %v", s.Total(), wantSaved)
	}
}
