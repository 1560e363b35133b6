// Package accountlist is the list of accounts the last run of curfew knew: the accounts the
// map lists and those it found in organisational units, with what each run decided about
// them. Every shutdown and restart publishes it as one object in the home account; the CLI
// reads it with the developer's identity profile to write profiles and console links for
// accounts nobody listed by hand.
package accountlist

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/sources"
)

// Key is the object every run writes and the CLI reads, in the bucket Bucket names.
const Key = "accounts/latest.json"

// BucketPrefix starts the name of the bucket that holds Key.
const BucketPrefix = "curfew-accounts-"

// Bucket returns the name of the bucket that holds the list: curfew-accounts-<home account
// id>-<home region>. It is a fixed name built from the map alone because the developers'
// policy in the identity account, the CLI on a laptop and the functions must all name it
// without a deployed stack to ask; the service bucket's name is CloudFormation's, and
// naming it now would replace it and lose the run history it holds.
func Bucket(m *accounts.Map) string {
	return BucketPrefix + m.HomeAccount().ID + "-" + m.HomeRegion
}

// List is what one run knew of the accounts.
type List struct {
	// RunID and Kind name the run that published the list.
	RunID string `json:"runId"`
	Kind  string `json:"kind"`
	// Published is when that run started.
	Published time.Time `json:"published"`
	Accounts  []Account `json:"accounts"`
	// Units says what the run left out that is not one account it found: a child unit of
	// a mapped unit that the map does not list, whose accounts are never swept.
	Units []sources.Note `json:"units,omitempty"`
}

// Account is one account of the list.
type Account struct {
	ID string `json:"id"`
	// Name is the map's name of a listed account, Organizations' name of a found one
	// (empty when Organizations gave none).
	Name string `json:"name"`
	// Environment is the one the run went by: production when its sources disagreed.
	Environment accounts.Environment `json:"environment"`
	// From names the fields of the map that brought the account in: accounts[1], or
	// organization.ous[0] (ou-ab12-cd34ef56).
	From string `json:"from"`
	// Listed is true for an account of the map's accounts list.
	Listed  bool     `json:"listed"`
	Regions []string `json:"regions"`
	// Swept says whether the run may visit the account; Reason says why not.
	Swept  bool   `json:"swept"`
	Reason string `json:"reason,omitempty"`
	// Inactive is true when Organizations says the account cannot be used (suspended).
	Inactive bool `json:"inactive,omitempty"`
	// Unreachable says why the run could not reach a swept account (its role could not
	// be assumed); nothing was done there.
	Unreachable string `json:"unreachable,omitempty"`
}

// Recorder remembers what the sources of one run found, so that the run can publish every
// account it knows, swept or not: Resolve keeps only the swept ones.
type Recorder struct {
	mu    sync.Mutex
	found []sources.Found
}

// Wrap returns srcs, each recording what it finds into r.
func (r *Recorder) Wrap(srcs []sources.Source) []sources.Source {
	out := make([]sources.Source, len(srcs))
	for i, s := range srcs {
		out[i] = recorded{s, r}
	}
	return out
}

type recorded struct {
	sources.Source
	r *Recorder
}

// Find asks the wrapped source and records its accounts; a failed source's answer is not
// trusted by Resolve, and is not recorded either.
func (s recorded) Find(ctx context.Context) ([]sources.Found, []sources.Note, error) {
	found, notes, err := s.Source.Find(ctx)
	if err == nil {
		s.r.mu.Lock()
		s.r.found = append(s.r.found, found...)
		s.r.mu.Unlock()
	}
	return found, notes, err
}

// IncompleteError says why a run publishes no list: a source or a unit could not be read,
// so its accounts would be missing from the list, and a complete list of an earlier run
// is better than a shorter one.
type IncompleteError struct {
	Notes []sources.Note
}

func (e *IncompleteError) Error() string {
	var why []string
	for _, n := range e.Notes {
		why = append(why, n.From+": "+n.Reason)
	}
	return "not published, the last complete list stays: " + strings.Join(why, "; ")
}

// List returns every account the run's sources found, with what res decided about it, in
// the order they were found (listed accounts first). It fails with *IncompleteError when
// any source or unit could not be read.
func (r *Recorder) List(res sources.Resolved, runID, kind string, started time.Time) (List, error) {
	var incomplete []sources.Note
	for _, n := range res.Notes {
		if n.Account == "" && n.Outcome == sources.Error {
			incomplete = append(incomplete, n)
		}
	}
	if len(incomplete) > 0 {
		return List{}, &IncompleteError{Notes: incomplete}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	byID := map[string][]sources.Found{}
	var order []string
	for _, f := range r.found {
		if _, seen := byID[f.Account.ID]; !seen {
			order = append(order, f.Account.ID)
		}
		byID[f.Account.ID] = append(byID[f.Account.ID], f)
	}
	l := List{RunID: runID, Kind: kind, Published: started.UTC(), Accounts: []Account{}}
	for _, n := range res.Notes {
		if n.Account == "" {
			l.Units = append(l.Units, n)
		}
	}
	for _, id := range order {
		l.Accounts = append(l.Accounts, account(id, byID[id], res))
	}
	return l, nil
}

// account describes one account from everything its sources said and the run decided.
func account(id string, fs []sources.Found, res sources.Resolved) Account {
	first := fs[0]
	if i := slices.IndexFunc(fs, func(f sources.Found) bool { return f.Listed }); i >= 0 {
		first = fs[i]
	}
	a := Account{
		ID: id, Name: first.Account.Name, Environment: first.Account.Environment, Listed: first.Listed,
		Regions: slices.Clone(first.Account.Regions),
	}
	var from []string
	for _, f := range fs {
		from = append(from, f.From)
		if !first.Listed && f.Name != "" {
			a.Name = f.Name
		}
		if f.Account.Environment != a.Environment {
			a.Environment = accounts.Production
		}
		a.Inactive = a.Inactive || f.Inactive != ""
	}
	if !first.Listed && a.Name == id {
		a.Name = ""
	}
	a.From = strings.Join(from, ", ")
	a.Swept = slices.ContainsFunc(res.Swept, func(s accounts.Account) bool { return s.ID == id })
	if a.Swept {
		return a
	}
	var why []string
	for _, n := range res.Notes {
		if n.Account == id {
			why = append(why, n.Reason)
		}
	}
	switch {
	case len(why) > 0:
		a.Reason = strings.Join(why, "; ")
	case first.Account.IsProduction():
		a.Reason = "production: never swept"
	default:
		a.Reason = "the shutdown is off"
	}
	return a
}
