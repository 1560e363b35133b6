package fleet

import (
	"fmt"
	"strings"
)

// What a kind reports of a resource it could not stop or start, or whose mark it could
// not put on or take off, in the same words whatever the kind: the mark goes on before a
// stop and comes off after a start, and each failure says what became of it.

// markFirstFailed reports a resource left as it was because its mark could not be put on
// first; not says what was not done ("not stopped", "not scaled in").
func markFirstFailed(r *Resource, not string, err error) {
	r.Action, r.Error = ActionFailed, fmt.Sprintf("%s: mark it first: %v", not, err)
}

// failedStop is stopError for one resource whose mark is removed again, by untag, unless
// the stop may have happened all the same (kept).
func failedStop(stop error, kept bool, untag func() error, keys []string) string {
	var unmark error
	if !kept {
		unmark = untag()
	}
	return stopError(stop, kept, unmark, keys)
}

// stopError describes a failed stop and what became of the mark put on just before: it
// was removed when AWS refused the stop, and kept when the stop may have happened all the
// same (a lost answer, a server error, the deadline), so that the restart still finds it.
// keys are the tags of the kind's mark, which a person must remove when curfew could not.
func stopError(stop error, kept bool, unmark error, keys []string) string {
	if kept {
		return fmt.Sprintf("stop: %v; it may have stopped all the same, so its mark was kept: the restart starts it if it is stopped, or removes the mark if it is running", stop)
	}
	if unmark != nil {
		return fmt.Sprintf("stop: %v; its mark could not be removed (%v): remove the tags %s by hand", stop, unmark, strings.Join(keys, ", "))
	}
	return fmt.Sprintf("stop: %v (its mark was removed again)", stop)
}

// startFailed reports a marked resource AWS did not start: it stays stopped and marked,
// for the next restart.
func startFailed(r *Resource, err error) {
	r.Action, r.Error = ActionFailed, fmt.Sprintf("start: %v (it stays stopped and marked)", err)
}

// startedUnmarked reports a resource started, whose mark was then removed, or could not
// be (unmark).
func startedUnmarked(r *Resource, unmark error) {
	r.Action = Started
	if unmark != nil {
		r.Error = fmt.Sprintf("started, but its mark could not be removed: %v", unmark)
	}
}

// staleMarkRemoved reports a marked resource found up (state: "already running"), started
// by someone else: its stale mark was removed, or could not be (unmark).
func staleMarkRemoved(r *Resource, state string, unmark error) {
	r.Action, r.Reason, r.up = Skipped, state+": stale mark removed", true
	if unmark != nil {
		r.Reason, r.Error = state, fmt.Sprintf("its stale mark could not be removed: %v", unmark)
	}
}

// restoreFailed reports a resource scaled in whose recorded state (what) could not be
// given back: it stays at zero and marked, for the next restart.
func restoreFailed(r *Resource, what string, err error) {
	r.Action, r.Error = ActionFailed, fmt.Sprintf("restore %s: %v (it stays at zero and marked)", what, err)
}
