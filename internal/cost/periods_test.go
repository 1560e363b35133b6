package cost_test

import (
	"math"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/cost"
)

func TestPeriodsAt(t *testing.T) {
	d := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name                               string
		now                                time.Time
		yesterday, mtdStart, lastStart     string
		lastEnd, chartStart, forecastStart string
		forecastEnd, dailyStart            string
	}{
		{"mid-month", time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC),
			"2026-11-26", "2026-11-01", "2026-10-01", "2026-10-27", "2026-10-28", "2026-11-27", "2026-12-01", "2026-10-01"},
		{"first of the month reports the month just ended", time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
			"2026-11-30", "2026-11-01", "2026-10-01", "2026-10-31", "2026-11-01", "", "", "2026-10-01"},
		{"last month shorter than the days so far", time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC),
			"2026-03-30", "2026-03-01", "2026-02-01", "2026-03-01", "2026-03-01", "2026-03-31", "2026-04-01", "2026-02-01"},
		{"early in the month the chart reaches further back", time.Date(2026, 1, 3, 8, 0, 0, 0, time.UTC),
			"2026-01-02", "2026-01-01", "2025-12-01", "2025-12-03", "2025-12-04", "2026-01-03", "2026-02-01", "2025-12-01"},
		{"a time zone other than UTC", time.Date(2026, 11, 27, 0, 30, 0, 0, time.FixedZone("CET", 3600)),
			"2026-11-25", "2026-11-01", "2026-10-01", "2026-10-26", "2026-10-27", "2026-11-26", "2026-12-01", "2026-10-01"},
		{"the 1st after a 31-day month: 31 days against September's 30", time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC),
			"2026-10-31", "2026-10-01", "2026-09-01", "2026-10-01", "2026-10-02", "", "", "2026-09-01"},
		{"the 31st: 30 days against 30", time.Date(2026, 12, 31, 7, 0, 0, 0, time.UTC),
			"2026-12-30", "2026-12-01", "2026-11-01", "2026-12-01", "2026-12-01", "2026-12-31", "2027-01-01", "2026-11-01"},
		{"leap day: 28 days of February against 28 of January", time.Date(2028, 2, 29, 7, 0, 0, 0, time.UTC),
			"2028-02-28", "2028-02-01", "2028-01-01", "2028-01-29", "2028-01-30", "2028-02-29", "2028-03-01", "2028-01-01"},
		{"the 1st after a leap February: its 29 days against 29 of January", time.Date(2028, 3, 1, 7, 0, 0, 0, time.UTC),
			"2028-02-29", "2028-02-01", "2028-01-01", "2028-01-30", "2028-01-31", "", "", "2028-01-01"},
		{"the 31st after a leap February: 30 days against its 29", time.Date(2028, 3, 31, 7, 0, 0, 0, time.UTC),
			"2028-03-30", "2028-03-01", "2028-02-01", "2028-03-01", "2028-03-01", "2028-03-31", "2028-04-01", "2028-02-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cost.PeriodsAt(tt.now)
			check := func(what string, got time.Time, want string) {
				t.Helper()
				if want == "" {
					if !got.IsZero() {
						t.Errorf("%s = %s, want none", what, got.Format(time.DateOnly))
					}
					return
				}
				if !got.Equal(d(want)) {
					t.Errorf("%s = %s, want %s", what, got.Format(time.DateOnly), want)
				}
			}
			check("yesterday", p.Yesterday.Start, tt.yesterday)
			check("month to date start", p.MonthToDate.Start, tt.mtdStart)
			check("last month start", p.LastMonth.Start, tt.lastStart)
			check("last month end", p.LastMonth.End, tt.lastEnd)
			check("chart start", p.Chart.Start, tt.chartStart)
			check("forecast start", p.Forecast.Start, tt.forecastStart)
			check("forecast end", p.Forecast.End, tt.forecastEnd)
			check("daily query start", p.Daily().Start, tt.dailyStart)
			if p.Week.Days() != 7 || p.PreviousWeek.Days() != 7 || !p.Week.End.Equal(p.Today) || !p.PreviousWeek.End.Equal(p.Week.Start) {
				t.Errorf("week %v, previous week %v: want the last 7 days and the 7 before", p.Week, p.PreviousWeek)
			}
			if p.Daily().Start.After(p.PreviousWeek.Start) {
				t.Errorf("the daily query starts %s, after the previous week", p.Daily().Start.Format(time.DateOnly))
			}
			if p.Chart.Days() != 30 {
				t.Errorf("chart has %d days, want 30", p.Chart.Days())
			}
			if !p.MonthToDate.End.Equal(p.Today) || !p.Daily().End.Equal(p.Today) {
				t.Errorf("month to date and daily query must end today (%s), exclusive", p.Today)
			}
		})
	}
}

// A flat spend shows no change on any day of the year: the 1st after a 31-day month, the
// 31st after February, a leap February. The changes compare daily averages, and the
// periods say how many days each side has.
func TestFlatSpendShowsNoChange(t *testing.T) {
	const perDay = 7.25
	for _, now := range []time.Time{
		time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 7, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 7, 0, 0, 0, time.UTC), time.Date(2028, 2, 29, 7, 0, 0, 0, time.UTC),
		time.Date(2028, 3, 1, 7, 0, 0, 0, time.UTC), time.Date(2028, 3, 31, 7, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC),
	} {
		p := cost.PeriodsAt(now)
		for _, c := range []struct{ current, previous cost.Range }{{p.MonthToDate, p.LastMonth}, {p.Week, p.PreviousWeek}} {
			got, ok := cost.Change(perDay*float64(c.current.Days()), c.current, perDay*float64(c.previous.Days()), c.previous)
			if !ok || math.Abs(got) > 1e-12 {
				t.Errorf("%s: %d days against %d: change %v (%v), want 0", now.Format(time.DateOnly), c.current.Days(), c.previous.Days(), got, ok)
			}
		}
	}
	if got, ok := cost.Change(3*30, cost.PeriodsAt(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)).MonthToDate, 2*28,
		cost.PeriodsAt(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)).LastMonth); !ok || math.Abs(got-0.5) > 1e-12 {
		t.Errorf("3 a day against 2 a day = %v, %v; want +50%%", got, ok)
	}
	if _, ok := cost.Change(5, cost.PeriodsAt(clock.Now()).Week, 0, cost.PeriodsAt(clock.Now()).PreviousWeek); ok {
		t.Error("a change against nothing has a ratio")
	}
}
