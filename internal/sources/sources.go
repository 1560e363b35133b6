// Package sources finds the accounts a run of curfew may visit. Each source of accounts
// (the map's list, the organisational units of Organizations) is one file behind Source;
// Resolve merges what they find and decides, once per run, which accounts are swept, and
// says why every other account it found is not. A new kind of source is a new file.
//
// Resolve never guesses in favour of a shutdown: an account that any source calls
// production, or that its sources describe differently, is not swept; a source that fails
// contributes nothing.
package sources

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
)

// Source is one way of knowing target accounts.
type Source interface {
	// Find returns the accounts the source knows and the problems it met that leave the
	// rest of its answer good (a unit that does not exist, say). An error means its answer
	// cannot be trusted at all: none of its accounts is swept.
	Find(ctx context.Context) ([]Found, []Note, error)
}

// Found is one account as one source describes it.
type Found struct {
	Account accounts.Account
	// From names the field of the map that brought the account in: accounts[2], or
	// organization.ous[1] (ou-ab12-cd34ef56).
	From string
	// Listed is true when From is the map's accounts list.
	Listed bool
	// Unit is the id of the organisational unit the account was found in; empty for a
	// listed account.
	Unit string
	// Name is the source's own name for the account (Organizations' account name); empty
	// when it has none beyond Account.Name.
	Name string
	// Inactive, when set, is why the account cannot be visited (Organizations says it is
	// suspended, say).
	Inactive string
}

// The outcomes of a Note.
const (
	// Skipped: an account found is not swept, by design; the run is not failed by it.
	Skipped = "skipped"
	// Error: something the map or the organisation must fix; the run reports a failure.
	Error = "error"
)

// Note says why an account found is not swept, or what went wrong finding accounts.
type Note struct {
	// Account is the account's id; empty for a problem of a whole source or unit.
	Account string `json:"account,omitempty"`
	// From names the fields of the map involved.
	From    string `json:"from"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// Resolved is the outcome of Resolve.
type Resolved struct {
	// Swept are the accounts the run may visit: listed ones first, in map order, then
	// found ones in the order of their units and of Organizations' answers.
	Swept []accounts.Account
	// Units holds, by account id, the organisational unit each swept account was found in;
	// a listed account has none (it is scheduled by its own entry of the map).
	Units map[string]string
	Notes []Note
}

// InUnits returns the swept accounts found in any of units, in the order of Swept.
func (r Resolved) InUnits(units []string) []accounts.Account {
	var out []accounts.Account
	for _, a := range r.Swept {
		if u, ok := r.Units[a.ID]; ok && slices.Contains(units, u) {
			out = append(out, a)
		}
	}
	return out
}

// Failed reports whether any note is an error.
func (r Resolved) Failed() bool {
	return slices.ContainsFunc(r.Notes, func(n Note) bool { return n.Outcome == Error })
}

// Resolve asks every source and merges their answers by account id. Listed accounts that
// no other source finds are kept or left out exactly as the map says, without a note, as
// before there were sources.
func Resolve(ctx context.Context, m *accounts.Map, srcs ...Source) Resolved {
	var r Resolved
	byID := map[string][]Found{}
	var order []string
	for _, s := range srcs {
		found, notes, err := s.Find(ctx)
		r.Notes = append(r.Notes, notes...)
		if err != nil {
			r.Notes = append(r.Notes, Note{From: sourceField(err), Outcome: Error,
				Reason: fmt.Sprintf("%v: none of the accounts it finds is swept this run, only those listed in accounts", err)})
			continue
		}
		for _, f := range found {
			if _, seen := byID[f.Account.ID]; !seen {
				order = append(order, f.Account.ID)
			}
			byID[f.Account.ID] = append(byID[f.Account.ID], f)
		}
	}
	protected := protectedAccounts(m)
	for _, id := range order {
		if a, ok := merge(id, byID[id], protected, &r.Notes); ok {
			r.Swept = append(r.Swept, a)
			if unit := foundIn(byID[id]); unit != "" {
				if r.Units == nil {
					r.Units = map[string]string{}
				}
				r.Units[id] = unit
			}
		}
	}
	return r
}

// foundIn is the unit an account was found in, "" when the map lists it.
func foundIn(fs []Found) string {
	if slices.ContainsFunc(fs, func(f Found) bool { return f.Listed }) {
		return ""
	}
	for _, f := range fs {
		if f.Unit != "" {
			return f.Unit
		}
	}
	return ""
}

// sourceField names the source of a failure: a Source's error may say which field of the
// map it was reading with a Field method.
func sourceField(err error) string {
	if f, ok := err.(interface{ Field() string }); ok {
		return f.Field()
	}
	return "sources"
}

// protectedAccounts are the accounts no unit may make swept, by id, with what they are.
func protectedAccounts(m *accounts.Map) map[string]string {
	p := map[string]string{}
	if id := m.IdentityAccount().ID; id != "" {
		p[id] = "the identity account (identity), which holds the IAM users"
	}
	if id := m.ManagementAccountID(); id != "" {
		p[id] = "the account that runs the organisation (organization.managementAccount)"
	}
	return p
}

// merge decides about one account from everything its sources said, adding a note when
// it is not swept for a reason the map alone does not show.
func merge(id string, fs []Found, protected map[string]string, notes *[]Note) (accounts.Account, bool) {
	from := make([]string, len(fs))
	listed := -1
	byUnit := false
	for i, f := range fs {
		from[i] = f.From
		if f.Listed && listed < 0 {
			listed = i
		}
		byUnit = byUnit || !f.Listed
	}
	note := func(outcome, format string, args ...any) {
		*notes = append(*notes, Note{Account: id, From: strings.Join(from, ", "), Outcome: outcome, Reason: fmt.Sprintf(format, args...)})
	}
	if i := slices.IndexFunc(fs, func(f Found) bool { return f.Inactive != "" }); i >= 0 {
		note(Skipped, "%s: skipped", fs[i].Inactive)
		return accounts.Account{}, false
	}
	if i := slices.IndexFunc(fs, func(f Found) bool { return f.Account.Environment != fs[0].Account.Environment }); i >= 0 {
		note(Error, "%s says %s and %s says %s: treated as production and not swept; give the account one environment", fs[0].From, fs[0].Account.Environment, fs[i].From, fs[i].Account.Environment)
		return accounts.Account{}, false
	}
	a := fs[0].Account
	if listed >= 0 {
		a = fs[listed].Account
		if byUnit {
			// Both descriptions agree on the environment, so sweeping the account as listed
			// is safe; the map is still wrong, and says two things about the account.
			note(Error, "listed in %s and found in a unit: list it once (remove it from accounts or move it out of the unit); this run uses %s", fs[listed].From, fs[listed].From)
		}
	}
	if !byUnit {
		return a, a.ShutdownEnabled()
	}
	switch what, ok := protected[id]; {
	case ok && a.ShutdownEnabled():
		note(Error, "is %s: never swept; move it out of the non-production unit", what)
		return accounts.Account{}, false
	case a.IsProduction():
		note(Skipped, "production: never swept")
		return accounts.Account{}, false
	case !a.ShutdownEnabled():
		note(Skipped, "the shutdown is off")
		return accounts.Account{}, false
	}
	return a, true
}
