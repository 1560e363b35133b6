package fleet

import (
	"context"
	"errors"
	"time"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/sources"
)

// publishAccounts writes the accounts the run knew, so that the CLI can reach the accounts
// found in organisational units, and returns why it did not ("" when it did, or has no
// store). A run whose sources did not all answer publishes nothing: its list would lack
// the accounts of what it could not read, and the last complete list is the better one.
// Dry runs publish too: the list says what curfew knows of the organisation, not what a
// run changed, and `curfew plan` is the safe way to refresh it.
func (h Handler) publishAccounts(ctx context.Context, known *accountlist.Recorder, resolved sources.Resolved, id string, started time.Time) string {
	if h.AccountList == nil {
		return ""
	}
	log := h.logger()
	l, err := known.List(resolved, id, string(h.Kind), started)
	var incomplete *accountlist.IncompleteError
	if errors.As(err, &incomplete) {
		log.WarnContext(ctx, "accounts", "runId", id, "action", "publish", "outcome", "skipped", "reason", err.Error())
		return err.Error()
	}
	if err == nil {
		err = h.AccountList.Put(context.WithoutCancel(ctx), l)
	}
	if err != nil {
		log.ErrorContext(ctx, "accounts", "runId", id, "action", "publish", "outcome", "failed", "error", err.Error())
		return err.Error()
	}
	log.InfoContext(ctx, "accounts", "runId", id, "action", "publish", "outcome", "done", "accounts", len(l.Accounts))
	return ""
}
