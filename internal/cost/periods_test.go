package cost

import (
	"testing"
	"time"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PeriodsAt(tt.now)
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
			if p.Chart.Days() != 30 {
				t.Errorf("chart has %d days, want 30", p.Chart.Days())
			}
			if !p.MonthToDate.End.Equal(p.Today) || !p.Daily().End.Equal(p.Today) {
				t.Errorf("month to date and daily query must end today (%s), exclusive", p.Today)
			}
		})
	}
}
