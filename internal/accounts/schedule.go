package accounts

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// dateLayout is the form of holiday dates in the map.
const dateLayout = "2006-01-02"

var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

// ScheduleFor returns the schedule that applies to an account: the organisation-wide one
// with the account's overrides applied and its holidays added.
func (m *Map) ScheduleFor(a Account) Schedule {
	s := m.Schedule
	s.Holidays = append(slices.Clone(m.Schedule.Holidays), a.Holidays...)
	if o := a.Schedule; o != nil {
		if o.TimeZone != "" {
			s.TimeZone = o.TimeZone
		}
		if o.Stop != nil {
			s.Stop = *o.Stop
		}
		if o.Start != nil {
			s.Start = o.Start
		}
	}
	return s
}

// Location returns the schedule's time zone. It falls back to UTC only for a map that
// was never validated.
func (s Schedule) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Expression returns the EventBridge Scheduler cron expression for c, e.g.
// "cron(30 19 ? * MON,TUE,WED,THU,FRI *)" (ranges are
// expanded, so a range that wraps the week stays valid). It expects a validated Cron.
func (c Cron) Expression() string {
	hour, minute, _ := parseClock(c.At)
	var days []string
	for _, d := range c.WeekDays() {
		days = append(days, dayNames[d])
	}
	return fmt.Sprintf("cron(%d %d ? * %s *)", minute, hour, strings.Join(days, ","))
}

// Clock returns the hour and minute of the Cron's time of day; zero for an invalid time.
func (c Cron) Clock() (hour, minute int) {
	hour, minute, _ = parseClock(c.At)
	return hour, minute
}

// WeekDays returns the set of days the Cron runs on, expanding ranges.
func (c Cron) WeekDays() []time.Weekday {
	var out []time.Weekday
	for _, d := range c.Days {
		days, err := parseDays(d)
		if err != nil {
			continue
		}
		for _, w := range days {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

func parseClock(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("%q is not a 24-hour time HH:MM", s)
	}
	return t.Hour(), t.Minute(), nil
}

// parseDays reads "MON" or a range "MON-FRI" (a range may wrap, as in "SAT-MON").
func parseDays(s string) ([]time.Weekday, error) {
	from, to, isRange := strings.Cut(s, "-")
	first := slices.Index(dayNames, from)
	last := first
	if isRange {
		last = slices.Index(dayNames, to)
	}
	if first < 0 || last < 0 {
		return nil, fmt.Errorf("%q is not a day (SUN, MON, ... SAT) or a range of days (MON-FRI)", s)
	}
	var out []time.Weekday
	for d := first; ; d = (d + 1) % 7 {
		out = append(out, time.Weekday(d))
		if d == last {
			return out, nil
		}
	}
}
