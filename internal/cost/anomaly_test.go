package cost_test

import (
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
)

// The anomaly rule on fixtures of 30 days: a night-shutdown account (weekdays 100,
// weekends 20), the 1st of the month's fees, a quiet account and a volatile one. Only a
// real spike, and a weekend left running, fire.
func TestAnomalies(t *testing.T) {
	weekly := func(d time.Time) float64 {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			return 20
		}
		return 100
	}
	with := func(base func(time.Time) float64, day time.Time, v float64) func(time.Time) float64 {
		return func(d time.Time) float64 {
			if d.Equal(day) {
				return v
			}
			return base(d)
		}
	}
	fees := func(base func(time.Time) float64) func(time.Time) float64 {
		return func(d time.Time) float64 {
			if d.Day() == 1 {
				return base(d) + 900 // a month's support, tax and upfront fees
			}
			return base(d)
		}
	}
	nov := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
	dec := func(day int) time.Time { return time.Date(2026, 12, day, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		// yesterday is the day judged; the report runs the day after.
		yesterday time.Time
		costOf    func(time.Time) float64
		fires     bool
		usual     float64
	}{
		{"an ordinary Tuesday", nov(17), weekly, false, 100},
		{"a Monday after a cheap weekend", nov(16), weekly, false, 100},
		{"a cheap Saturday", nov(14), weekly, false, 20},
		{"a real spike", nov(18), with(weekly, nov(18), 450), true, 100},
		{"a weekend left running", nov(14), with(weekly, nov(14), 100), true, 20},
		{"a spike below twice the usual", nov(18), with(weekly, nov(18), 190), false, 100},
		{"the 1st of the month's fees", dec(1), fees(weekly), false, 0},
		{"a Tuesday after the 1st's fees in its weeks", dec(8), fees(weekly), false, 100},
		{"a spike after the 1st's fees in its weeks", dec(8), with(fees(weekly), dec(8), 450), true, 100},
		{"a quiet account's few dollars", nov(18), with(func(time.Time) float64 { return 1 }, nov(18), 6), false, 1},
		{"a volatile account's high day", nov(18), with(func(d time.Time) float64 {
			return []float64{40, 160, 60, 140}[(d.YearDay()/7)%4]
		}, nov(18), 250), false, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := cost.PeriodsAt(tc.yesterday.AddDate(0, 0, 1).Add(6 * time.Hour))
			var daily []cost.Money
			for d := p.Chart.Start; d.Before(p.Chart.End); d = d.AddDate(0, 0, 1) {
				daily = append(daily, cost.Money{Amount: tc.costOf(d), Currency: "USD"})
			}
			r := &cost.Report{Periods: p, Accounts: []cost.Account{{Name: "staging", Daily: daily}}}
			got := r.Anomalies()
			if (len(got) == 1) != tc.fires {
				t.Fatalf("anomalies = %+v, want firing %v", got, tc.fires)
			}
			if tc.fires && (!got[0].Day.Equal(tc.yesterday) || !near(got[0].Usual, tc.usual) || got[0].Account != "staging" || got[0].Currency != "USD") {
				t.Errorf("anomaly = %+v, want staging on %s, usual %v USD", got[0], tc.yesterday.Format(time.DateOnly), tc.usual)
			}
		})
	}
}
