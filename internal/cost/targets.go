package cost

import (
	"context"
	"fmt"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
)

// target is one account the report covers, with the role to read it through.
type target struct {
	account accounts.Account
	cost    Account
}

// targets returns the accounts the report covers: every account of the map's list, in
// its order (the identity and production accounts included: they cost money too), then
// the accounts found in the map's units that the list does not name, in the order found.
// An account that any description calls production is production, as when the
// shutdown resolves them (package sources). The notes say what finding them met; a
// source that fails adds no account.
func (r Reader) targets(ctx context.Context) ([]target, []string) {
	var out []target
	byID := map[string]int{}
	for _, a := range r.Map.Accounts {
		byID[a.ID] = len(out)
		out = append(out, target{account: a, cost: newAccount(a)})
	}
	var notes []string
	for _, s := range r.Sources {
		found, problems, err := s.Find(ctx)
		for _, n := range problems {
			notes = append(notes, fmt.Sprintf("%s: %s", n.From, n.Reason))
		}
		if err != nil {
			r.log().Error("find accounts", "action", "find-accounts", "outcome", "failed", "error", err)
			notes = append(notes, fmt.Sprintf("the accounts of the organisational units could not be listed: %s; the accounts found there are missing from this report", cause.Of(err)))
			continue
		}
		for _, f := range found {
			if f.Listed {
				continue // the whole list is already in
			}
			i, ok := byID[f.Account.ID]
			if !ok {
				byID[f.Account.ID] = len(out)
				out = append(out, target{account: f.Account, cost: newAccount(f.Account)})
				i = len(out) - 1
			}
			t := &out[i]
			if t.cost.OU == "" {
				t.cost.OU = f.Unit
			}
			t.cost.Production = t.cost.Production || f.Account.IsProduction()
		}
	}
	return out, notes
}
