package accounts

import (
	"slices"
	"time"
)

// DefaultMorning is the time of day, in the schedule's time zone, that stands for "the
// next morning" of a schedule without a morning start: nothing starts the machines then,
// so curfew has to pick a time, and a working day's start is what people mean.
const DefaultMorning = "08:00"

// holidayHorizon bounds the search for a start that is not a holiday: a year of them
// in a row is no schedule a map can mean.
const holidayHorizon = 366 * 24 * time.Hour

// Next returns the first time after t at which c runs in loc, and false for a Cron
// without days.
func (c Cron) Next(t time.Time, loc *time.Location) (time.Time, bool) {
	return c.step(t, loc, 1)
}

// Prev returns the last time at or before t at which c ran in loc, and false for a Cron
// without days.
func (c Cron) Prev(t time.Time, loc *time.Location) (time.Time, bool) {
	return c.step(t, loc, -1)
}

// step looks at the days around t one by one, in the direction dir, and returns the
// first run of c strictly after t (dir 1) or at or before t (dir -1). Building each
// candidate from the local date and clock, rather than adding 24 h, keeps the wall-clock
// time across a daylight-saving change.
func (c Cron) step(t time.Time, loc *time.Location, dir int) (time.Time, bool) {
	days := c.WeekDays()
	hour, minute := c.Clock()
	local := t.In(loc)
	for i := 0; i <= 8; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+dir*i, hour, minute, 0, 0, loc)
		if !slices.Contains(days, day.Weekday()) {
			continue
		}
		if dir > 0 && day.After(t) || dir < 0 && !day.After(t) {
			return day, true
		}
	}
	return time.Time{}, false
}

// NextStop returns the first scheduled stop after t. Holidays do not suppress the stop.
func (s Schedule) NextStop(t time.Time) (time.Time, bool) {
	return s.Stop.Next(t, s.Location())
}

// NextStart returns the first scheduled morning start after t that is not on a holiday,
// and false when the schedule has no morning start.
func (s Schedule) NextStart(t time.Time) (time.Time, bool) {
	if s.Start == nil {
		return time.Time{}, false
	}
	end := t.Add(holidayHorizon)
	for t.Before(end) {
		next, ok := s.Start.Next(t, s.Location())
		if !ok {
			return time.Time{}, false
		}
		if !s.IsHoliday(next) {
			return next, true
		}
		t = next
	}
	return time.Time{}, false
}

// Morning returns the end of the night that begins with the stop at t: the next
// scheduled start after t, or, for a schedule without one, the first DefaultMorning
// after t. scheduled says which of the two it is.
func (s Schedule) Morning(t time.Time) (morning time.Time, scheduled bool) {
	if start, ok := s.NextStart(t); ok {
		return start, true
	}
	every := Cron{At: DefaultMorning, Days: []string{"SUN-SAT"}}
	next, _ := every.Next(t, s.Location())
	return next, false
}

// Tonight returns the night that `curfew snooze --tonight` means at t: the scheduled stop
// that begins it and the morning that ends it (see Morning). After a stop and before the
// day of the morning that ends its night (a Friday evening, a Saturday), that night has
// begun and is the one returned; otherwise (the morning of a working day, or the small
// hours before it) it is the night of the next stop, so the answer covers the rest of
// the current night too.
func (s Schedule) Tonight(t time.Time) (stop, morning time.Time, scheduled, ok bool) {
	loc := s.Location()
	if prev, ok := s.Stop.Prev(t, loc); ok {
		m, sch := s.Morning(prev)
		if m.After(t) && m.In(loc).Format(dateLayout) != t.In(loc).Format(dateLayout) {
			return prev, m, sch, true
		}
	}
	stop, ok = s.NextStop(t)
	if !ok {
		return time.Time{}, time.Time{}, false, false
	}
	morning, scheduled = s.Morning(stop)
	return stop, morning, scheduled, true
}
