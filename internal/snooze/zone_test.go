package snooze

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// --tonight and local --until times are read in the account's own time zone: sandbox's
// schedule override (New York, stop 18:00 MON-THU, the organisation's 07:30 start) against
// staging's organisation-wide Madrid schedule, across a Thursday (sandbox has no stop on
// Friday), a holiday of its own and the end of daylight saving time in New York.
func TestTimesInTheAccountsZone(t *testing.T) {
	data, err := os.ReadFile("../../cmd/curfew/testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "    holidays: [\"2026-12-24\"]\n",
		"    holidays: [\"2026-11-26\"]\n    schedule: {timezone: America/New_York, stop: {at: \"18:00\", days: [MON-THU]}}\n", 1)
	m, err := accounts.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	utc := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
	}
	tests := []struct {
		name    string
		account string
		now     time.Time
		until   string
		tonight bool
		want    time.Time
	}{
		{"madrid, wednesday", "staging", utc(11, 25, 6, 30), "", true, utc(11, 26, 6, 30)},
		{"new york, wednesday: thursday is its holiday", "sandbox", utc(11, 25, 12, 0), "", true, utc(11, 27, 12, 30)},
		{"new york, thursday evening: the night has begun, until friday 07:30", "sandbox", utc(11, 27, 0, 0), "", true, utc(11, 27, 12, 30)},
		{"new york, friday morning: monday's stop, tuesday's start", "sandbox", utc(11, 27, 14, 0), "", true, utc(12, 1, 12, 30)},
		{"new york, the clocks go back on sunday", "sandbox", utc(10, 29, 14, 0), "", true, utc(10, 30, 11, 30)},
		{"new york, friday to monday across the change", "sandbox", utc(10, 30, 14, 0), "", true, utc(11, 3, 12, 30)},
		{"until 23:00 in new york", "sandbox", utc(11, 25, 12, 0), "23:00", false, utc(11, 26, 4, 0)},
		{"until 23:00 in madrid", "staging", utc(11, 25, 12, 0), "23:00", false, utc(11, 25, 22, 0)},
		{"until a local date in new york", "sandbox", utc(11, 25, 12, 0), "2026-11-30 09:00", false, utc(11, 30, 14, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc, _ := m.Account(tt.account)
			got, err := End(m.ScheduleFor(acc), tt.now, tt.until, tt.tonight)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("End at %v = %v, %v; want %v", tt.now, got, err, tt.want)
			}
		})
	}
}
