package cost

import (
	"math"
	"time"
)

// Range is a span of whole UTC days, [Start, End), as Cost Explorer takes them.
type Range struct {
	Start, End time.Time
}

// Days is the number of days in the range.
func (r Range) Days() int { return int(r.End.Sub(r.Start).Hours() / 24) }

// Empty reports whether the range holds no day.
func (r Range) Empty() bool { return !r.End.After(r.Start) }

// Contains reports whether day falls in the range.
func (r Range) Contains(day time.Time) bool { return !day.Before(r.Start) && day.Before(r.End) }

// Periods are the spans of one report, in UTC days because Cost Explorer counts in them.
type Periods struct {
	// Today is the report's day; its costs are not complete, so no figure includes it.
	Today time.Time
	// Yesterday is the last complete day.
	Yesterday Range
	// MonthToDate runs from the first of yesterday's month through yesterday, so a report
	// on the first of a month covers the whole month just ended.
	MonthToDate Range
	// LastMonth is the same days of the month before, cut at that month's end: it has
	// fewer days than MonthToDate on the 31st, or on the 1st after a 31-day month, which
	// is why changes compare daily averages (Change).
	LastMonth Range
	// Week is the last 7 complete days and PreviousWeek the 7 before: the week-over-week
	// comparison of a weekly report.
	Week, PreviousWeek Range
	// Chart is the last 30 complete days.
	Chart Range
	// Forecast is the rest of the month of MonthToDate, from today; empty when that month
	// is over, as it is on the first of a month.
	Forecast Range
}

// PeriodsAt returns the periods of a report made at now.
func PeriodsAt(now time.Time) Periods {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	yesterday := today.AddDate(0, 0, -1)
	monthStart := time.Date(yesterday.Year(), yesterday.Month(), 1, 0, 0, 0, 0, time.UTC)
	nextMonth := monthStart.AddDate(0, 1, 0)
	lastStart := monthStart.AddDate(0, -1, 0)
	lastEnd := lastStart.AddDate(0, 0, Range{monthStart, today}.Days())
	if lastEnd.After(monthStart) {
		lastEnd = monthStart
	}
	weekStart := today.AddDate(0, 0, -7)
	p := Periods{
		Today:        today,
		Yesterday:    Range{yesterday, today},
		MonthToDate:  Range{monthStart, today},
		LastMonth:    Range{lastStart, lastEnd},
		Week:         Range{weekStart, today},
		PreviousWeek: Range{weekStart.AddDate(0, 0, -7), weekStart},
		Chart:        Range{today.AddDate(0, 0, -30), today},
	}
	if today.Before(nextMonth) {
		p.Forecast = Range{today, nextMonth}
	}
	return p
}

// Daily is the one span of the daily query: every day any figure or the chart needs.
func (p Periods) Daily() Range {
	start := p.LastMonth.Start
	for _, r := range []Range{p.Chart, p.PreviousWeek} {
		if r.Start.Before(start) {
			start = r.Start
		}
	}
	return Range{start, p.Today}
}

// Change is how the cost now, over the days of current, differs from the cost before,
// over the days of previous, as a fraction of before: it compares daily averages, so that
// 30 days of March against the 28 of February show no change for a flat spend. ok is
// false when before is nothing (or no day) and now is not: there is no ratio.
func Change(now float64, current Range, before float64, previous Range) (change float64, ok bool) {
	if current.Days() <= 0 || previous.Days() <= 0 {
		return 0, false
	}
	a, b := now/float64(current.Days()), before/float64(previous.Days())
	switch {
	case a == 0 && b == 0:
		return 0, true
	case b == 0:
		return 0, false
	}
	return (a - b) / math.Abs(b), true
}
