package fleet

import (
	"fmt"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/table"
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

// markWith is the run's mark with one more tag: what a kind scaled in records of itself.
func (p *pair) markWith(key, value string) map[string]string {
	mark := markTags(p.id, p.now)
	mark[key] = value
	return mark
}

// scaleInMarked marks a resource (mark), then scales it in (scale), and reports whether it did.
// When AWS refuses the scale-in, the mark is removed again (unmark) unless the scale-in
// may have happened all the same; keys are the tags of the kind's mark.
func scaleInMarked(r *Resource, keys []string, mark, scale, unmark func() error) bool {
	if err := mark(); err != nil {
		markFirstFailed(r, "not scaled in", err)
		return false
	}
	err := scale()
	if err == nil {
		r.Action = Stopped
		return true
	}
	r.Action, r.Error = ActionFailed, failedStop(err, mayHaveStopped(err), unmark, keys)
	return false
}

// markKeys are the keys removed once a resource is started again.
var markKeys = []string{accounts.StoppedAtTag, accounts.StoppedByRunTag}

// marked reports whether a resource carries curfew's mark.
func marked(tags map[string]string) bool {
	_, by := tags[accounts.StoppedByRunTag]
	_, at := tags[accounts.StoppedAtTag]
	return by || at
}

// markTime reads the time of curfew's mark.
func markTime(tags map[string]string) (time.Time, error) {
	v, ok := tags[accounts.StoppedAtTag]
	if !ok {
		return time.Time{}, fmt.Errorf("its mark has no %s tag", accounts.StoppedAtTag)
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("its mark %s=%q is not an RFC 3339 time", accounts.StoppedAtTag, v)
	}
	return at, nil
}

// stoppedAgain is the detail of a resource the restart leaves stopped.
const stoppedAgain = "stopped again by someone else after the shutdown"

// leaveStopped reports a marked resource that someone else stopped again after the
// shutdown: the restart must not wake it, and its mark is removed so that no later restart
// does. The person who stopped it starts it when it should run.
func (p *pair) leaveStopped(r *Resource, detail string, unmark func() error) {
	r.Action = LeftStopped
	if p.payload.DryRun {
		r.Reason = fmt.Sprintf("%s (%s): it would be left stopped and its mark removed", stoppedAgain, detail)
		return
	}
	r.Reason = fmt.Sprintf("%s (%s): left stopped, mark removed", stoppedAgain, detail)
	if err := unmark(); err != nil {
		r.Reason = fmt.Sprintf("%s (%s): left stopped", stoppedAgain, detail)
		r.Error = fmt.Sprintf("its mark could not be removed: %v", err)
	}
}

// leaveAsSet reports a marked resource that a person (or its scaling) scaled up during the
// night, as detail says: the restart leaves it as they set it, and removes its mark so
// that no later restart overrides them.
func (p *pair) leaveAsSet(r *Resource, detail string, unmark func() error) {
	r.Action = LeftStopped
	if p.payload.DryRun {
		r.Reason = detail + ": it would be left as set and its mark removed"
		return
	}
	r.Reason = detail + ": left as set, mark removed"
	if err := unmark(); err != nil {
		r.Reason = detail + ": left as set"
		r.Error = fmt.Sprintf("its mark could not be removed: %v", err)
	}
}

// restored reports a resource given back what curfew recorded (reason says what), then
// removes its mark.
func restored(r *Resource, reason string, unmark func() error) {
	r.Action, r.Reason = Started, reason
	if err := unmark(); err != nil {
		r.Error = fmt.Sprintf("restored, but its mark could not be removed: %v", err)
	}
}

// cannotTell is the error of a marked, stopped resource when the restart cannot tell
// whether someone else stopped it again after the shutdown. It is left stopped and keeps
// its mark: waking a resource a person stopped on purpose (it misbehaved, it is being
// worked on, it costs) can do harm that a resource left stopped cannot, and the failure
// is reported, so that a person starts it by hand, or a later restart that can tell does.
func cannotTell(err error) string {
	return fmt.Sprintf("cannot tell whether someone else stopped it again after the shutdown: %v; it was left stopped and keeps its mark: start it by hand if it must run", err)
}

// notStoppedReason is the reason of a resource the shutdown found in a transitional state.
func notStoppedReason(state string) string {
	return state + "; the next run will try again"
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

// snoozed reads the snooze tag at time now: skip says why the resource stays up, with the
// snooze's origin (accounts.SnoozedByTag) when that names the same end; note reports a
// snooze that is ignored because it expired or cannot be read.
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
		if origin, ok := strings.CutSuffix(tags[accounts.SnoozedByTag], " until "+strings.TrimSpace(v)); ok && origin != "" {
			return fmt.Sprintf("kept up by the %s until %s", origin, until.Format(time.RFC3339)), ""
		}
		return fmt.Sprintf("snoozed until %s", until.Format(time.RFC3339)), ""
	default:
		return "", fmt.Sprintf("snooze expired at %s, ignored", until.Format(time.RFC3339))
	}
}

// snoozedOrUpAgain ends every kind's verdict: a snooze keeps the resource up (skip);
// otherwise a mark it still carries (wasMarked), from a run that stopped it before, is
// noted with how it is up again (again: "running again", "scaled up again").
func snoozedOrUpAgain(tags map[string]string, now time.Time, wasMarked bool, again string) (skip, note string) {
	skip, note = snoozed(tags, now)
	if skip != "" {
		return skip, ""
	}
	if wasMarked {
		note = table.Cell(note, markNote(tags)+", "+again)
	}
	return "", note
}
