package accounts

import (
	"fmt"
	"slices"
	"time"
)

// Before returns the Cron that runs d before each run of c, in the same time zone: its
// time of day moved back by d and, where that crosses midnight, its days moved back too
// ("00:10" on MON-FRI, 30 minutes before, is "23:40" on SUN-THU). The heads-up's schedules
// are their stops' Crons moved back by headsUp.before. Like the stop, it is a wall-clock
// time: on the night a daylight-saving change falls between the two, they are an hour
// more or less apart. d must be a whole number of minutes, from zero up to a week.
func (c Cron) Before(d time.Duration) (Cron, error) {
	hour, minute, err := parseClock(c.At)
	if err != nil {
		return Cron{}, err
	}
	if d < 0 || d >= 7*24*time.Hour || d%time.Minute != 0 {
		return Cron{}, fmt.Errorf("%s is not a whole number of minutes under a week", d)
	}
	var days []time.Weekday
	for _, s := range c.Days {
		ds, err := parseDays(s)
		if err != nil {
			return Cron{}, err
		}
		days = append(days, ds...)
	}
	if len(days) == 0 {
		return Cron{}, fmt.Errorf("%s runs on no day", c.At)
	}
	const day = 24 * 60
	at := hour*60 + minute - int(d/time.Minute)
	shift := 0
	for at < 0 {
		at += day
		shift++
	}
	out := Cron{At: fmt.Sprintf("%02d:%02d", at/60, at%60)}
	if shift == 0 {
		out.Days = slices.Clone(c.Days) // as the map writes them
		return out, nil
	}
	var moved []time.Weekday
	for _, w := range days {
		if m := time.Weekday((int(w) - shift + 7) % 7); !slices.Contains(moved, m) {
			moved = append(moved, m)
		}
	}
	out.Days = dayRuns(moved)
	return out, nil
}

// dayRuns writes a set of days as the map would: runs of consecutive days as ranges (a
// run may wrap the week, as SAT-MON), single days alone, every day as SUN-SAT, in the
// order of the runs' first days.
func dayRuns(days []time.Weekday) []string {
	in := func(d int) bool { return slices.Contains(days, time.Weekday((d+7)%7)) }
	if len(days) == 7 {
		return []string{dayNames[0] + "-" + dayNames[6]}
	}
	// Each run in the order of its first day; a run that wraps starts on its first day,
	// not on SUN.
	var out []string
	for d := range 7 {
		if !in(d) || in(d-1) {
			continue
		}
		last := d
		for in(last + 1) {
			last++
		}
		name := dayNames[d%7]
		if last != d {
			name += "-" + dayNames[last%7]
		}
		out = append(out, name)
	}
	return out
}
