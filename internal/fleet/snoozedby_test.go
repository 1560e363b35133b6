package fleet

import (
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// Issue 30, item 5: a snooze set by a heads-up link is reported with its origin while
// curfew:snoozed-by names the same end as curfew:snooze-until; once someone snoozes it
// again (another end), or the origin is empty, it is a plain snooze.
func TestSnoozedNamesTheHeadsUpLink(t *testing.T) {
	const until = "2026-11-28T07:30:00+01:00"
	tests := []struct {
		name string
		tags map[string]string
		skip string
	}{
		{"by the link", map[string]string{accounts.SnoozeUntilTag: until, accounts.SnoozedByTag: "heads-up link of 19:30 until " + until},
			"kept up by the heads-up link of 19:30 until " + until},
		{"snoozed again since", map[string]string{accounts.SnoozeUntilTag: "2026-11-28T09:00:00+01:00", accounts.SnoozedByTag: "heads-up link of 19:30 until " + until},
			"snoozed until 2026-11-28T09:00:00+01:00"},
		{"no origin", map[string]string{accounts.SnoozeUntilTag: until, accounts.SnoozedByTag: " until " + until}, "snoozed until " + until},
		{"no snoozed-by", map[string]string{accounts.SnoozeUntilTag: until}, "snoozed until " + until},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if skip, note := snoozed(tc.tags, now); skip != tc.skip || note != "" {
				t.Errorf("snoozed = %q, %q; want %q", skip, note, tc.skip)
			}
		})
	}
	if skip, note := snoozed(map[string]string{accounts.SnoozeUntilTag: "2026-11-27T18:00:00Z", accounts.SnoozedByTag: "heads-up link of 19:30 until 2026-11-27T18:00:00Z"}, now); skip != "" || note == "" {
		t.Errorf("an expired link's snooze = %q, %q; want it ignored", skip, note)
	}
}
