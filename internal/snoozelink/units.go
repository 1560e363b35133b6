package snoozelink

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// unitField is how the account list names the unit that brought an account in.
var unitField = regexp.MustCompile(`^organization\.ous\[([0-9]+)\] \((\S+)\)$`)

// foundAccount is the account id of no map entry, as the last run found it in the map's
// units (the published account list): swept, active, non-production, and in units that
// are all swept by the map today. Without a list it is refused.
func (h *Handler) foundAccount(ctx context.Context, id string) (accounts.Account, *refusal) {
	notSwept := &refusal{http.StatusForbidden, "The link was not applied", "its account is not one the map sweeps", "ask the owner of curfew's account map"}
	if h.Found == nil || len(h.Map.SweptUnits()) == 0 {
		return accounts.Account{}, notSwept
	}
	list, err := h.Found(ctx)
	if err != nil {
		return accounts.Account{}, ptr(unavailable())
	}
	for _, a := range list.Accounts {
		if a.ID != id || a.Listed {
			continue
		}
		if !a.Swept || a.Inactive || a.Environment != accounts.NonProduction {
			return accounts.Account{}, notSwept
		}
		return h.unitAccount(id, a.From, notSwept)
	}
	return accounts.Account{}, notSwept
}

// unitAccount is account id as the units named by from (the list's From) make it, when
// every one of them is swept.
func (h *Handler) unitAccount(id, from string, notSwept *refusal) (accounts.Account, *refusal) {
	var found accounts.Account
	for _, part := range strings.Split(from, ", ") {
		m := unitField.FindStringSubmatch(part)
		if m == nil {
			return found, notSwept
		}
		i, err := strconv.Atoi(m[1])
		if err != nil || i >= len(h.Map.Organization.OUs) || h.Map.Organization.OUs[i].ID != m[2] {
			return found, notSwept
		}
		a := h.Map.Organization.OUs[i].Account(id)
		if !a.ShutdownEnabled() {
			return found, notSwept
		}
		if found.ID == "" {
			found = a
		}
	}
	if found.ID == "" {
		return found, notSwept
	}
	return found, nil
}

// FoundAccounts reads the account list the shutdown publishes, for Handler.Found.
func FoundAccounts(store accountlist.Store, m *accounts.Map) func(ctx context.Context) (accountlist.List, error) {
	return func(ctx context.Context) (accountlist.List, error) { return store.Get(ctx, m) }
}
