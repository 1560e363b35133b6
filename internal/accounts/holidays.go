package accounts

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Holiday is one entry of a holidays list. In the map it is written either as a date,
// "2026-12-24", or as a calendar of public holidays, {calendar: ES}, optionally with the
// days of the calendar that are working days after all, {calendar: ES, except:
// ["2026-12-08"]}; an entry of exceptions alone, {except: [...]}, lets a unit or an
// account work on days of a calendar named at the map's level.
type Holiday struct {
	// Date is a literal holiday, YYYY-MM-DD; empty for a calendar or exceptions.
	Date string
	// Calendar is the code of a calendar (see calendars): ES, DE-BY.
	Calendar string
	// Except lists dates (YYYY-MM-DD) that no calendar makes a holiday in this schedule.
	Except []string
}

// holidayShape is what a holidays entry may be, for the messages that meet another.
const holidayShape = `a date "2026-12-24", {calendar: ES} or {calendar: ES, except: ["2026-12-08"]}`

// UnmarshalYAML reads a date (a scalar) or a mapping with calendar and except only.
func (h *Holiday) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*h = Holiday{Date: n.Value}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k != "calendar" && k != "except" {
				return fmt.Errorf("line %d: a holiday has no field %q: write %s", n.Content[i].Line, k, holidayShape)
			}
		}
		var v struct {
			Calendar string   `yaml:"calendar"`
			Except   []string `yaml:"except"`
		}
		if err := n.Decode(&v); err != nil {
			return err
		}
		*h = Holiday{Calendar: v.Calendar, Except: v.Except}
		return nil
	}
	return fmt.Errorf("line %d: a holiday is %s", n.Line, holidayShape)
}

// MarshalYAML writes a date as a date, and anything else as a mapping, so that Encode's
// output parses back to the same list.
func (h Holiday) MarshalYAML() (any, error) {
	if h.Calendar == "" && len(h.Except) == 0 {
		return h.Date, nil
	}
	return struct {
		Calendar string   `yaml:"calendar,omitempty"`
		Except   []string `yaml:"except,omitempty"`
	}{h.Calendar, h.Except}, nil
}

// Dates returns literal holiday dates as entries of a holidays list.
func Dates(days ...string) []Holiday {
	out := make([]Holiday, len(days))
	for i, d := range days {
		out[i] = Holiday{Date: d}
	}
	return out
}

// HolidayOn is a day off of a schedule: its date (YYYY-MM-DD, in the schedule's time
// zone), the holiday's name and the calendar it comes from ("" for a date of the map).
type HolidayOn struct {
	Date     string
	Name     string
	Calendar string
}

// Source says where the holiday comes from, for a person: "Navidad, calendar ES (Spain)"
// or "a date of the account map".
func (h HolidayOn) Source() string {
	if h.Calendar == "" {
		return "a date of the account map"
	}
	return fmt.Sprintf("%s, calendar %s (%s)", h.Name, h.Calendar, calendars[h.Calendar].name)
}

// Holiday returns the holiday on the day of t in the schedule's time zone, if that day
// is one: a literal date of the schedule, or a day of one of its calendars that no entry
// excepts. A literal date stays a holiday even when excepted (it was written on purpose).
func (s Schedule) Holiday(t time.Time) (HolidayOn, bool) {
	local := t.In(s.Location())
	day := local.Format(dateLayout)
	var excepted bool
	for _, h := range s.Holidays {
		if h.Date == day {
			return HolidayOn{Date: day}, true
		}
		excepted = excepted || slices.Contains(h.Except, day)
	}
	if excepted {
		return HolidayOn{}, false
	}
	for _, h := range s.Holidays {
		if h.Calendar == "" {
			continue
		}
		if name, ok := calendarDay(h.Calendar, local.Year(), local.Month(), local.Day()); ok {
			return HolidayOn{Date: day, Name: name, Calendar: h.Calendar}, true
		}
	}
	return HolidayOn{}, false
}

// IsHoliday reports whether t falls on one of the schedule's holidays, in the
// schedule's time zone.
func (s Schedule) IsHoliday(t time.Time) bool {
	_, ok := s.Holiday(t)
	return ok
}

// NextHoliday returns the first holiday of the schedule on the day of t or after it,
// within a year, and false when there is none.
func (s Schedule) NextHoliday(t time.Time) (HolidayOn, bool) {
	h, _, ok := s.nextHolidayOn(t, nil)
	return h, ok
}

// nextHolidayOn is NextHoliday among the days of the week given (every day when none), with
// the holiday's local noon.
func (s Schedule) nextHolidayOn(t time.Time, weekdays []time.Weekday) (HolidayOn, time.Time, bool) {
	local := t.In(s.Location())
	for i := range 367 {
		// Noon of each local date: never a time a daylight-saving change skips or repeats.
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 12, 0, 0, 0, s.Location())
		if len(weekdays) > 0 && !slices.Contains(weekdays, day.Weekday()) {
			continue
		}
		if h, ok := s.Holiday(day); ok {
			return h, day, true
		}
	}
	return HolidayOn{}, time.Time{}, false
}

// calendarDay returns the name of the holiday of calendar code on the given date. A
// holiday counts on its own date and on the day it is observed instead (a Sunday's
// holiday moved to the Monday), as the library reports them; a holiday of the year
// before or after may be observed in this one (New Year's Day on a Saturday, observed on
// the Friday before).
func calendarDay(code string, year int, month time.Month, day int) (string, bool) {
	c, ok := calendars[code]
	if !ok {
		return "", false
	}
	for _, h := range c.holidays {
		for _, y := range []int{year, year - 1, year + 1} {
			actual, observed := h.Calc(y)
			for _, d := range []time.Time{actual, observed} {
				if d.IsZero() {
					continue
				}
				if dy, dm, dd := d.Date(); dy == year && dm == month && dd == day {
					return h.Name, true
				}
			}
		}
	}
	return "", false
}

// hasRegions reports whether the library has regional calendars of country.
func hasRegions(country string) bool {
	for code := range calendars {
		if strings.HasPrefix(code, country+"-") {
			return true
		}
	}
	return false
}

// KnownCalendar reports whether code names a calendar.
func KnownCalendar(code string) bool {
	_, ok := calendars[code]
	return ok
}

// nearestCalendar returns the calendar a person most likely meant by code: the same code
// in upper case, a code one edit away (DE-BAY: DE-BY), the country of a region the
// library lacks (ES-MD: ES), or a code two edits away; "" when none is that close.
func nearestCalendar(code string) string {
	upper := strings.ToUpper(strings.TrimSpace(code))
	if KnownCalendar(upper) {
		return upper
	}
	codes := make([]string, 0, len(calendars))
	for c := range calendars {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	best, bestDistance := "", 3 // farther than two edits is another code, not a typo
	for _, c := range codes {
		if d := editDistance(upper, c); d < bestDistance {
			best, bestDistance = c, d
		}
	}
	if country, _, ok := strings.Cut(upper, "-"); bestDistance > 1 && ok && KnownCalendar(country) {
		return country
	}
	return best
}

// validateHolidays checks a holidays list at field: dates are dates, calendars are known
// (an unknown one is named with the closest known code), and each exception of a calendar
// entry is a day of that calendar.
func validateHolidays(p *problems, field string, holidays []Holiday) {
	for i, h := range holidays {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case h.Date != "":
			validateDate(p, f, h.Date)
			continue
		case h.Calendar == "" && len(h.Except) == 0:
			p.add(f, "empty: write %s", holidayShape)
			continue
		case h.Calendar != "" && !KnownCalendar(h.Calendar):
			hint := "write a country code such as ES, or a region such as DE-BY (docs/operations.md#holidays lists them)"
			near := nearestCalendar(h.Calendar)
			if country, _, ok := strings.Cut(strings.ToUpper(h.Calendar), "-"); ok && near == country && !hasRegions(country) {
				hint = fmt.Sprintf("the library has no regional calendars of %s (%s): write {calendar: %s} and add the region's own days as dates", country, calendars[country].name, country)
			} else if near != "" {
				hint = fmt.Sprintf("did you mean %s (%s)? %s", near, calendars[near].name, hint)
			}
			p.add(f+".calendar", "%q is not a holiday calendar curfew knows: %s", h.Calendar, hint)
		}
		for j, d := range h.Except {
			ef := fmt.Sprintf("%s.except[%d]", f, j)
			t, err := time.Parse(dateLayout, d)
			if err != nil {
				validateDate(p, ef, d)
				continue
			}
			if KnownCalendar(h.Calendar) {
				if _, ok := calendarDay(h.Calendar, t.Year(), t.Month(), t.Day()); !ok {
					p.add(ef, "%s is not a holiday of calendar %s: remove it (only a day of the calendar can be a working day after all)", d, h.Calendar)
				}
			}
		}
	}
}

// HolidayNotice is the next holiday that some accounts share, in words: its day, the time
// zone it is a day of, where it comes from, and what it changes.
type HolidayNotice struct {
	Accounts []string
	Says     string
}

// Line is the notice as one line: "next holiday of staging, sandbox: Tue 2026-12-08 …".
func (n HolidayNotice) Line() string {
	return "next holiday of " + strings.Join(n.Accounts, ", ") + ": " + n.Says
}

// NextHolidays says when the next holiday on or after now of each account given is (with
// a morning start, the next on a day it would run), in the order given, accounts with the same next holiday in one notice; an account whose
// schedule has no holidays gets none. curfew plan and the cost report both say it.
func (m *Map) NextHolidays(selected []Account, now time.Time) []HolidayNotice {
	var out []HolidayNotice
	at := map[string]int{}
	for _, a := range selected {
		s := m.ScheduleFor(a)
		if len(s.Holidays) == 0 {
			continue
		}
		// A holiday matters on a day the morning start would run (a Sunday's changes
		// nothing); with no morning start, every holiday is said.
		says, weekdays := "no holiday within a year", []time.Weekday(nil)
		if s.Start != nil {
			says, weekdays = "no holiday on a morning-start day within a year", s.Start.WeekDays()
		}
		if h, day, ok := s.nextHolidayOn(now, weekdays); ok {
			says = fmt.Sprintf("%s %s (%s), %s", day.Format("Mon"), h.Date, s.TimeZone, h.Source())
			if s.Start != nil {
				says += ": no scheduled morning start that day"
			}
		}
		i, seen := at[says]
		if !seen {
			i, at[says] = len(out), len(out)
			out = append(out, HolidayNotice{Says: says})
		}
		out[i].Accounts = append(out[i].Accounts, a.Name)
	}
	return out
}
