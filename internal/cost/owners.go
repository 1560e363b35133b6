package cost

import (
	"slices"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
)

// Owners returns every owner the map names, on accounts or units: who may get a report
// of their own before any account is found.
func (r Reader) Owners() []accounts.Owner { return r.Map.AllOwners() }

// Owners returns every owner of an account of the report, once each, in the report's
// order.
func (r *Report) Owners() []accounts.Owner {
	var out []accounts.Owner
	for _, a := range r.Accounts {
		for _, o := range a.Owners {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// For returns the owner's slice of the report: the same figures, read once, of the
// owner's accounts only, and the budgets all of whose accounts are theirs. It makes no
// request. What belongs to the whole organisation is left out: the environments'
// forecasts (each account's run-rate stands instead, marked as such) and the spend of
// accounts the map does not know. The savings are left for the caller to estimate from
// the owner's runs (RunsOf); the Cost Explorer requests are the whole report's, which
// paid for every slice.
func (r *Report) For(o accounts.Owner) *Report {
	s := *r
	s.Owner = &o
	s.Whole = len(r.Accounts)
	s.Accounts = slices.DeleteFunc(slices.Clone(r.Accounts), func(a Account) bool { return !slices.Contains(a.Owners, o) })
	s.Forecasts = nil
	s.Other, s.OtherAccounts = nil, 0
	s.Savings, s.SavingsErr = nil, r.SavingsErr
	ids := map[string]bool{}
	for _, a := range s.Accounts {
		ids[a.ID] = true
	}
	s.Budgets = slices.DeleteFunc(slices.Clone(r.Budgets), func(b Budget) bool {
		return len(b.IDs) == 0 || slices.ContainsFunc(b.IDs, func(id string) bool { return !ids[id] })
	})
	s.Holidays = nil
	for _, n := range r.Holidays {
		n.Accounts = slices.DeleteFunc(slices.Clone(n.Accounts), func(name string) bool {
			return !slices.ContainsFunc(s.Accounts, func(a Account) bool { return a.Name == name })
		})
		if len(n.Accounts) > 0 {
			s.Holidays = append(s.Holidays, n)
		}
	}
	return &s
}

// Names returns the names of the report's accounts, as the run history records them.
func (r *Report) Names() map[string]bool {
	out := map[string]bool{}
	for _, a := range r.Accounts {
		out[a.Name] = true
	}
	return out
}

// RunsOf returns the runs as they concern the named accounts only: each run's changes,
// visits and swept pairs of other accounts left out, so that a savings estimate of them
// is those accounts' own.
func RunsOf(runs []history.Run, names map[string]bool) []history.Run {
	out := make([]history.Run, len(runs))
	for i, run := range runs {
		run.Changes = slices.DeleteFunc(slices.Clone(run.Changes), func(c history.Change) bool { return !names[c.Account] })
		run.Visits = slices.DeleteFunc(slices.Clone(run.Visits), func(v history.Visit) bool { return !names[v.Account] })
		run.Swept = slices.DeleteFunc(slices.Clone(run.Swept), func(p history.Pair) bool { return !names[p.Account] })
		out[i] = run
	}
	return out
}
