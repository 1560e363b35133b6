package cost

import "time"

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
	// LastMonth is the same days of the month before, cut at that month's end.
	LastMonth Range
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
	p := Periods{
		Today:       today,
		Yesterday:   Range{yesterday, today},
		MonthToDate: Range{monthStart, today},
		LastMonth:   Range{lastStart, lastEnd},
		Chart:       Range{today.AddDate(0, 0, -30), today},
	}
	if today.Before(nextMonth) {
		p.Forecast = Range{today, nextMonth}
	}
	return p
}

// Daily is the one span of the daily query: every day any figure or the chart needs.
func (p Periods) Daily() Range {
	start := p.LastMonth.Start
	if p.Chart.Start.Before(start) {
		start = p.Chart.Start
	}
	return Range{start, p.Today}
}
