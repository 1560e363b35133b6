package cost_test

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

// A Multi-AZ PostgreSQL db.m5.large in eu-west-1, stopped for the weekend: the table has
// only us-east-1's MySQL Single-AZ price (0.171 USD an hour), so its 60 h are priced at it
// and said to differ three ways; a Windows instance on dedicated tenancy in us-east-1 is
// said to differ in both. An instance whose dimensions the history did not record (a run
// written before they were) is not guessed at.
func TestSavingsSayWhatIsPricedOffTheTablesBasis(t *testing.T) {
	east := history.Pair{Account: "staging", Region: "us-east-1"}
	sweep := []history.Pair{staging, east}
	db := func(action string, at time.Time) history.Change {
		c := history.Change{Account: "staging", Region: "eu-west-1", Type: history.RDSInstance, ID: "app-db", Size: "db.m5.large", At: at, Action: action}
		c.Engine, c.MultiAZ = "postgres", true
		return c
	}
	stop, start := nov(6, 19, 0), nov(9, 7, 0)
	win := change(east, "i-win", history.Stopped, stop, nov(6, 7, 0))
	win.Platform, win.Tenancy = "Windows", "dedicated"
	runs := []history.Run{
		scheduled(history.Shutdown, stop, sweep, db(history.Stopped, stop), win, change(east, "i-old", history.Stopped, stop, time.Time{})),
		scheduled(history.Restart, start, sweep, db(history.Started, start),
			change(east, "i-win", history.Started, start, time.Time{}), change(east, "i-old", history.Started, start, time.Time{})),
	}

	s := estimate(runs, pairingStart, pairingEnd)

	if want := 60*0.171 + 2*60*m5xlarge; !near(s.Total(), want) {
		t.Errorf("total = %v, want %v", s.Total(), want)
	}
	want := []cost.OffBasis{
		{What: "EC2 Windows priced as Linux", Hours: 60},
		{What: "EC2 dedicated tenancy priced as shared", Hours: 60},
		{What: "RDS Multi-AZ priced as Single-AZ (AWS charges about twice)", Hours: 60},
		{What: "RDS postgres priced as MySQL", Hours: 60},
		{What: "in eu-west-1 priced at us-east-1's rates", Hours: 60},
	}
	byWhat := func(a, b cost.OffBasis) int { return cmp.Compare(a.What, b.What) }
	got := slices.SortedFunc(slices.Values(s.OffBasis), byWhat)
	slices.SortFunc(want, byWhat)
	if !slices.EqualFunc(got, want, func(a, b cost.OffBasis) bool { return a.What == b.What && near(a.Hours, b.Hours) }) {
		t.Errorf("off basis = %+v, want %+v", s.OffBasis, want)
	}
}
