package accounts

import (
	"testing"
	"time"
)

// The night that `curfew snooze --tonight` covers, across time zones, a daylight-saving
// change, a Friday, a holiday and a schedule without a morning start. Times are written
// in the schedule's own zone, as an operator reads them.
func TestTonight(t *testing.T) {
	madrid := Schedule{
		TimeZone: "Europe/Madrid",
		Stop:     Cron{At: "20:00", Days: []string{"MON-FRI"}},
		Start:    &Cron{At: "07:30", Days: []string{"MON-FRI"}},
		Holidays: Dates("2026-12-25"),
	}
	tokyo := Schedule{
		TimeZone: "Asia/Tokyo",
		Stop:     Cron{At: "19:00", Days: []string{"MON-FRI"}},
		Start:    &Cron{At: "08:00", Days: []string{"MON-FRI"}},
	}
	noStart := Schedule{TimeZone: "America/New_York", Stop: Cron{At: "21:00", Days: []string{"SUN-SAT"}}}
	afterMidnight := Schedule{
		TimeZone: "Europe/Madrid",
		Stop:     Cron{At: "01:00", Days: []string{"TUE-SAT"}},
		Start:    &Cron{At: "07:00", Days: []string{"MON-FRI"}},
	}
	tests := []struct {
		name               string
		s                  Schedule
		now                string
		stop, morning      string
		scheduled          bool
		nextStopAfterNight string
	}{
		{"weekday morning", madrid, "2026-11-25 07:30", "2026-11-25 20:00", "2026-11-26 07:30", true, "2026-11-26 20:00"},
		{"friday morning: the start after the weekend", madrid, "2026-11-27 07:30", "2026-11-27 20:00", "2026-11-30 07:30", true, "2026-11-30 20:00"},
		{"friday night, stop already run", madrid, "2026-11-27 22:00", "2026-11-27 20:00", "2026-11-30 07:30", true, "2026-11-30 20:00"},
		{"saturday: still friday's night", madrid, "2026-11-28 12:00", "2026-11-27 20:00", "2026-11-30 07:30", true, "2026-11-30 20:00"},
		{"at the stop itself", madrid, "2026-11-25 20:00", "2026-11-25 20:00", "2026-11-26 07:30", true, "2026-11-26 20:00"},
		{"at the start itself: the next night", madrid, "2026-11-26 07:30", "2026-11-26 20:00", "2026-11-27 07:30", true, "2026-11-27 20:00"},
		{"holiday: no start on christmas", madrid, "2026-12-24 09:00", "2026-12-24 20:00", "2026-12-28 07:30", true, "2026-12-28 20:00"},
		{"christmas day: the stop still runs", madrid, "2026-12-25 09:00", "2026-12-24 20:00", "2026-12-28 07:30", true, "2026-12-28 20:00"},
		{"clocks go back overnight", madrid, "2026-10-23 10:00", "2026-10-23 20:00", "2026-10-26 07:30", true, "2026-10-26 20:00"},
		{"clocks go forward overnight", madrid, "2027-03-26 10:00", "2027-03-26 20:00", "2027-03-29 07:30", true, "2027-03-29 20:00"},
		{"early morning: the coming night", tokyo, "2026-11-25 07:30", "2026-11-25 19:00", "2026-11-26 08:00", true, "2026-11-26 19:00"},
		{"another zone", tokyo, "2026-11-25 09:00", "2026-11-25 19:00", "2026-11-26 08:00", true, "2026-11-26 19:00"},
		{"no morning start: 08:00", noStart, "2026-11-25 09:00", "2026-11-25 21:00", "2026-11-26 08:00", false, "2026-11-26 21:00"},
		{"no morning start, in the evening", noStart, "2026-11-25 23:00", "2026-11-25 21:00", "2026-11-26 08:00", false, "2026-11-26 21:00"},
		{"small hours: the rest of this night and the next", noStart, "2026-11-26 02:00", "2026-11-26 21:00", "2026-11-27 08:00", false, "2026-11-27 21:00"},
		{"before the start on the day of the morning", madrid, "2026-11-26 07:20", "2026-11-26 20:00", "2026-11-27 07:30", true, "2026-11-27 20:00"},
		{"no morning start across DST", noStart, "2026-10-31 22:00", "2026-10-31 21:00", "2026-11-01 08:00", false, "2026-11-01 21:00"},
		{"stop after midnight", afterMidnight, "2026-11-24 18:00", "2026-11-25 01:00", "2026-11-25 07:00", true, "2026-11-26 01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := tt.s.Location()
			at := func(s string) time.Time {
				t.Helper()
				v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			stop, morning, scheduled, ok := tt.s.Tonight(at(tt.now))
			if !ok || !stop.Equal(at(tt.stop)) || !morning.Equal(at(tt.morning)) || scheduled != tt.scheduled {
				t.Errorf("Tonight(%s) = %s, %s, %v, %v; want %s, %s, %v", tt.now,
					stop.In(loc).Format(time.DateTime), morning.In(loc).Format(time.DateTime), scheduled, ok, tt.stop, tt.morning, tt.scheduled)
			}
			if next, ok := tt.s.NextStop(morning); !ok || !next.Equal(at(tt.nextStopAfterNight)) {
				t.Errorf("NextStop(%s) = %s, %v; want %s", morning.In(loc).Format(time.DateTime), next.In(loc).Format(time.DateTime), ok, tt.nextStopAfterNight)
			}
		})
	}
}

// A schedule whose every start day is a holiday has no next start, rather than a search
// without end.
func TestNextStartWithoutEnd(t *testing.T) {
	s := Schedule{TimeZone: "UTC", Stop: Cron{At: "20:00", Days: []string{"MON"}}, Start: &Cron{At: "07:00", Days: []string{"TUE"}}}
	for d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2029; d = d.AddDate(0, 0, 1) {
		s.Holidays = append(s.Holidays, Holiday{Date: d.Format(dateLayout)})
	}
	if got, ok := s.NextStart(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Errorf("NextStart = %v, want none", got)
	}
	if _, ok := (Schedule{TimeZone: "UTC", Stop: Cron{At: "20:00", Days: []string{"MON"}}}).NextStart(time.Now()); ok {
		t.Error("NextStart of a schedule without start is ok")
	}
}
