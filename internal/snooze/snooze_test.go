package snooze

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/problem"
)

// testNow is a Friday evening in Madrid, 19:30 there.
var testNow = time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC)

func TestRoughDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12 * time.Hour: "12h", 13*time.Hour + 30*time.Minute: "13h30m", 45 * time.Minute: "45m",
		29 * time.Second: "<1m", 90*time.Minute + 40*time.Second: "1h31m",
	} {
		if got := Rough(d); got != want {
			t.Errorf("Rough(%v) = %q, want %q", d, got, want)
		}
	}
}

// --until in the account's time zone (Madrid here; testNow is Friday 19:30 there), next
// to RFC 3339 times and durations.
func TestParseUntil(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
	}
	for in, want := range map[string]time.Time{
		"90m":                       testNow.Add(90 * time.Minute),
		"1d":                        testNow.Add(24 * time.Hour),
		"7d":                        testNow.Add(7 * 24 * time.Hour),
		"2026-11-27T23:00:00+01:00": utc(11, 27, 22, 0),
		"1h0.5s":                    testNow.Add(time.Hour), // whole seconds only
		"23:00":                     utc(11, 27, 22, 0),     // tonight, Madrid
		"19:00":                     utc(11, 28, 18, 0),     // passed today: tomorrow
		"19:31":                     utc(11, 27, 18, 31),
		"2026-11-30 09:00":          utc(11, 30, 8, 0),
		"2026-11-30T09:00":          utc(11, 30, 8, 0),
	} {
		got, err := Parse(in, testNow, madrid)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1h", "0s", "7d1h", "169h", "x", "-2d", "2026-11-27", "2026-11-27 19:00", "2026-12-05 09:00", "25:00", "9:00", "tonight"} {
		if _, err := Parse(in, testNow, madrid); !errors.Is(err, problem.ErrInvalidInput) {
			t.Errorf("Parse(%q) error = %v, want problem.ErrInvalidInput", in, err)
		}
	}

	// 02:30 on 28 March 2027 does not exist in Madrid: the clocks go from 02:00 to 03:00.
	// It is refused, not moved. 02:30 on 25 October 2026 happens twice (CEST, then CET):
	// Go's time.Date does not promise which, and the answer prints the zone it took.
	for _, tt := range []struct {
		now        time.Time
		in         string
		want       time.Time
		impossible bool
	}{
		{time.Date(2027, 3, 27, 12, 0, 0, 0, time.UTC), "2027-03-28 02:30", time.Time{}, true},
		{time.Date(2027, 3, 27, 23, 30, 0, 0, time.UTC), "02:30", time.Time{}, true},
		{time.Date(2027, 3, 27, 23, 30, 0, 0, time.UTC), "03:30", time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC), false},
		{time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), "2026-10-25 02:30", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), false},
	} {
		got, err := Parse(tt.in, tt.now, madrid)
		if got.Equal(tt.want.Add(time.Hour)) && tt.in == "2026-10-25 02:30" {
			got = tt.want // the CET 02:30
		}
		switch {
		case tt.impossible && (!errors.Is(err, problem.ErrInvalidInput) || !strings.Contains(err.Error(), "does not exist in Europe/Madrid")):
			t.Errorf("Parse(%q) at %v error = %v, want it refused as a time that does not exist", tt.in, tt.now, err)
		case !tt.impossible && (err != nil || !got.Equal(tt.want)):
			t.Errorf("Parse(%q) at %v = %v, %v; want %v", tt.in, tt.now, got, err, tt.want)
		}
	}
}

// Issue 28, item 5: a snooze that ends before the next stop changes nothing (the
// shutdown leaves the resource running until then anyway) and is refused, saying when
// the stop is; one that ends after it, and --tonight, are accepted.
func TestEndRefusesASnoozeThatChangesNothing(t *testing.T) {
	s := accounts.Schedule{TimeZone: "Europe/Madrid",
		Stop:  accounts.Cron{At: "20:00", Days: []string{"MON-FRI"}},
		Start: &accounts.Cron{At: "07:30", Days: []string{"MON-FRI"}}}
	wednesday := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) // 10:00 in Madrid
	for _, until := range []string{"19:00", "20:00", "3h", "2026-11-25 19:59"} {
		_, err := End(s, wednesday, until, false)
		if !errors.Is(err, problem.ErrInvalidInput) || !strings.Contains(err.Error(), "before the next stop at Wednesday 25 Nov 2026 20:00 CET") ||
			!strings.Contains(err.Error(), "next: pass a later --until (after 20:00), or --tonight") {
			t.Errorf("--until %s on Wednesday morning: %v, want it refused as changing nothing", until, err)
		}
	}
	for until, want := range map[string]time.Time{
		"20:01": time.Date(2026, 11, 25, 19, 1, 0, 0, time.UTC),
		"23:00": time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC),
	} {
		if got, err := End(s, wednesday, until, false); err != nil || !got.Equal(want) {
			t.Errorf("--until %s = %v, %v; want %v", until, got, err, want)
		}
	}
	if got, err := End(s, wednesday, "", true); err != nil || !got.Equal(time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC)) {
		t.Errorf("--tonight = %v, %v", got, err)
	}
}
