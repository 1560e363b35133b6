// Package snooze keeps one resource up past the night shutdown: it reads when a snooze
// ends, refuses one that would change nothing, and writes, removes and lists the snooze
// tag on each kind of resource it knows (one file per kind).
package snooze

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/problem"
)

// Max is how far ahead a snooze may reach: long enough for a demo week, short enough
// that a forgotten tag does not keep a machine up for good.
const Max = 7 * 24 * time.Hour

// untilHint is how to write --until.
const untilHint = "pass --tonight, or --until with a time of day in the account's time zone (23:00), a local date and time " +
	"(\"2026-11-30 09:00\"), an RFC 3339 time (2026-11-27T23:00:00+01:00) or a duration (12h, 2d), at most 7 days ahead"

// End is when a snooze asked for at now ends: the morning after tonight's night with
// tonight (--tonight), else until (--until) read in the schedule's time zone. A snooze
// that ends before the schedule's next stop is refused: the shutdown would leave the
// resource running until then anyway, and the person meant something else.
func End(s accounts.Schedule, now time.Time, until string, tonight bool) (time.Time, error) {
	if tonight {
		return Tonight(s, now)
	}
	end, err := Parse(until, now, s.Location())
	if err != nil {
		return end, err
	}
	if stop, ok := s.NextStop(now); ok && !end.After(stop) {
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: --until %s ends at %s, before the next stop at %s: the shutdown leaves it running until then anyway, and the snooze would change nothing",
			problem.ErrInvalidInput, until, LocalTime(end, s.Location()), LocalTime(stop, s.Location())),
			"pass a later --until (after %s), or --tonight to keep it up until the morning", stop.In(s.Location()).Format("15:04"))
	}
	return end, nil
}

// Tonight is the end of a --tonight snooze: the morning that ends the night of the next
// stop (or of the stop that has already begun tonight's night), within Max.
func Tonight(s accounts.Schedule, now time.Time) (time.Time, error) {
	_, morning, _, ok := s.Tonight(now)
	switch {
	case !ok:
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: the schedule has no stop, so --tonight means nothing", problem.ErrInvalidInput), untilHint)
	case morning.Sub(now) > Max:
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: --tonight would end at %s, more than 7 days ahead (holidays without a start)",
			problem.ErrInvalidInput, LocalTime(morning, s.Location())), untilHint)
	}
	return morning.UTC(), nil
}

// localLayouts are the forms of a local date and time --until takes, in the account's
// time zone.
var localLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04"}

// Parse reads --until: a time of day (the next one in loc), a local date and time in
// loc, an RFC 3339 time or a duration from now, within Max.
func Parse(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: --until is missing", problem.ErrInvalidInput), untilHint)
	}
	until, err := parseLocal(s, now, loc)
	if err != nil {
		return time.Time{}, err
	}
	if until.IsZero() {
		if until, err = time.Parse(time.RFC3339, s); err != nil {
			d, derr := parseDuration(s)
			if derr != nil {
				return time.Time{}, problem.WithHint(fmt.Errorf("%w: --until %q is neither a time of day, a date and time, an RFC 3339 time nor a duration",
					problem.ErrInvalidInput, s), untilHint)
			}
			until = now.Add(d)
		}
	}
	switch {
	case !until.After(now):
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: --until %s is in the past", problem.ErrInvalidInput, s), untilHint)
	case until.Sub(now) > Max:
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: --until %s is more than 7 days ahead", problem.ErrInvalidInput, s), untilHint)
	}
	return until.UTC().Truncate(time.Second), nil
}

// parseLocal reads a time of day (15:04: today in loc, or tomorrow once it has passed)
// or a local date and time in loc; zero time when s is neither. A wall-clock time that
// does not exist in loc (skipped when the clocks go forward) is an error, not a guess.
func parseLocal(s string, now time.Time, loc *time.Location) (time.Time, error) {
	var t time.Time
	wall := "2006-01-02 15:04"
	if clock, err := time.Parse("15:04", s); err == nil && len(s) == 5 {
		today := now.In(loc)
		t = time.Date(today.Year(), today.Month(), today.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
		if !t.After(now) {
			t = time.Date(today.Year(), today.Month(), today.Day()+1, clock.Hour(), clock.Minute(), 0, 0, loc)
		}
		s = time.Date(t.Year(), t.Month(), t.Day(), clock.Hour(), clock.Minute(), 0, 0, time.UTC).Format(wall)
	} else {
		for _, layout := range localLayouts {
			if v, err := time.ParseInLocation(layout, s, loc); err == nil {
				t, wall = v, layout
				break
			}
		}
	}
	if !t.IsZero() && t.In(loc).Format(wall) != s {
		return time.Time{}, problem.WithHint(fmt.Errorf("%w: --until %s does not exist in %s: the clocks go forward then", problem.ErrInvalidInput, s, loc),
			"choose a time an hour later, or pass an RFC 3339 time")
	}
	return t, nil
}

// parseDuration is time.ParseDuration that also takes whole days: 2d.
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// LocalTime writes t as an operator reads it in loc: Monday 30 Nov 2026 20:00 CET.
func LocalTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Monday 2 Jan 2006 15:04 MST")
}

// Rough prints d to the minute without zero units: 12h, 13h30m, 45m.
func Rough(d time.Duration) string {
	if d < time.Minute {
		return "<1m"
	}
	s := d.Round(time.Minute).String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(strings.Replace(s, "h0m", "h", 1), "h0m")
}
