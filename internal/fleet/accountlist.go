package fleet

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/sources"
)

// publishAccounts writes the accounts the run knew, so that the CLI can reach the accounts
// found in organisational units, and returns why it did not ("" when it did, or has no
// store). A run whose sources did not all answer publishes nothing: its list would lack
// the accounts of what it could not read, and the last complete list is the better one.
// Dry runs publish too: the list says what curfew knows of the organisation, not what a
// run changed, and `curfew plan` is the safe way to refresh it.
func (h Handler) publishAccounts(ctx context.Context, known *accountlist.Recorder, resolved sources.Resolved, unreachable map[string]string, id string, started time.Time) string {
	if h.AccountList == nil {
		return ""
	}
	log := h.logger()
	l, err := known.List(resolved, id, string(h.Kind), started)
	for i, a := range l.Accounts {
		l.Accounts[i].Unreachable = unreachable[a.ID]
	}
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

// foundID reports whether name may be an account found in one of m's units: a payload
// names such an account by its 12-digit id, the one name no Organizations rename changes
// (the CLI turns the names of the published list into ids).
func foundID(m *accounts.Map, name string) bool {
	if m.Organization == nil || len(name) != 12 {
		return false
	}
	return strings.Trim(name, "0123456789") == ""
}

// notFound notes the accounts a payload names by id that the run did not find in any unit
// (moved out of the units, or closed, since the list the CLI read): nothing is done there,
// and the report says so rather than showing nothing. An account found but not swept
// (production) has its note already.
func notFound(p Payload, m *accounts.Map, resolved sources.Resolved) []sources.Note {
	var notes []sources.Note
	for _, name := range p.Accounts {
		if _, listed := m.Account(name); listed || !foundID(m, name) ||
			slices.ContainsFunc(resolved.Swept, func(a accounts.Account) bool { return a.ID == name }) ||
			slices.ContainsFunc(resolved.Notes, func(n sources.Note) bool { return n.Account == name }) {
			continue
		}
		notes = append(notes, sources.Note{Account: name, From: "accounts of the request", Outcome: sources.Skipped,
			Reason: "no unit of the map holds this account this run (moved out, or closed): nothing was done there"})
	}
	return notes
}
