package fleet

import (
	"fmt"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// asgTag is the tag AWS puts on every member of an Auto Scaling group.
const asgTag = "aws:autoscaling:groupName"

// markTags are the tags curfew puts on a resource just before it stops it: the run's time
// and id. Restart starts only resources that carry them.
func markTags(runID string, at time.Time) map[string]string {
	return map[string]string{
		accounts.StoppedAtTag:    at.UTC().Format(time.RFC3339),
		accounts.StoppedByRunTag: runID,
	}
}

// markKeys are the keys removed once a resource is started again.
var markKeys = []string{accounts.StoppedAtTag, accounts.StoppedByRunTag}

// marked reports whether a resource carries curfew's mark.
func marked(tags map[string]string) bool {
	_, by := tags[accounts.StoppedByRunTag]
	_, at := tags[accounts.StoppedAtTag]
	return by || at
}

// markNote describes a mark, for reasons in the report.
func markNote(tags map[string]string) string {
	return fmt.Sprintf("marked by run %s at %s", tags[accounts.StoppedByRunTag], tags[accounts.StoppedAtTag])
}

// skipTagged says why a resource tagged curfew:skip=true stays up, or "".
func skipTagged(tags map[string]string) string {
	if v, ok := tags[accounts.SkipTag]; ok && strings.EqualFold(strings.TrimSpace(v), "true") {
		return fmt.Sprintf("tagged %s=true", accounts.SkipTag)
	}
	return ""
}

// snoozed reads the snooze tag at time now: skip says why the resource stays up; note
// reports a snooze that is ignored because it expired or cannot be read.
func snoozed(tags map[string]string, now time.Time) (skip, note string) {
	v, ok := tags[accounts.SnoozeUntilTag]
	if !ok {
		return "", ""
	}
	until, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	switch {
	case err != nil:
		return "", fmt.Sprintf("unreadable %s=%q ignored (want an RFC 3339 time like 2026-11-28T09:00:00+01:00)", accounts.SnoozeUntilTag, v)
	case until.After(now):
		return fmt.Sprintf("snoozed until %s", until.Format(time.RFC3339)), ""
	default:
		return "", fmt.Sprintf("snooze expired at %s, ignored", until.Format(time.RFC3339))
	}
}

// joinNotes joins the non-empty notes with "; ".
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}
