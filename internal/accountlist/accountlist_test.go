package accountlist_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/sources"
)

// source is a scripted source, for the merging logic only; the organisation source itself
// is tested against moto (internal/sources, internal/fleet).
type source struct {
	found []sources.Found
	notes []sources.Note
	err   error
}

func (s source) Find(context.Context) ([]sources.Found, []sources.Note, error) {
	return s.found, s.notes, s.err
}

func unit(id, ou string, env accounts.Environment, name string) sources.Found {
	u := accounts.OU{ID: ou, Environment: env, Regions: []string{"eu-west-1"}}
	return sources.Found{Account: u.Account(id), From: "organization.ous (" + ou + ")", Name: name}
}

func TestListMergesWhatTheSourcesSaid(t *testing.T) {
	m := &accounts.Map{Identity: "people", Accounts: []accounts.Account{
		{Name: "people", ID: "111111111111", Environment: accounts.Production},
		{Name: "shop", ID: "222222222222", Environment: accounts.NonProduction, Regions: []string{"eu-west-1"}},
	}}
	listed := sources.Listed{Map: m}
	childNote := sources.Note{From: "organization.ous[0] (ou-ab12-nonprod1)", Outcome: sources.Skipped, Reason: "child unit ou-ab12-child001 (lab) is not in the map: its accounts are not swept"}
	units := source{notes: []sources.Note{childNote}, found: []sources.Found{
		unit("333333333333", "ou-ab12-nonprod1", accounts.NonProduction, "Twice"),
		unit("333333333333", "ou-ab12-product1", accounts.Production, "Twice"),
		unit("222222222222", "ou-ab12-nonprod1", accounts.NonProduction, "Shop in Organizations"),
	}}
	var rec accountlist.Recorder
	res := sources.Resolve(t.Context(), m, rec.Wrap([]sources.Source{listed, units})...)
	l, err := rec.List(res, "r1", "shutdown", time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Accounts) != 2 {
		t.Fatalf("accounts %+v", l.Accounts)
	}
	shop, twice := l.Accounts[0], l.Accounts[1]
	// Listed and found: the map's name and description win; the run sweeps it as listed.
	if shop.Name != "shop" || !shop.Listed || !shop.Swept || shop.From != "accounts[1], organization.ous (ou-ab12-nonprod1)" {
		t.Errorf("shop %+v", shop)
	}
	// Found in units of two environments: production in the list, with the run's reason.
	if twice.Name != "Twice" || twice.Environment != accounts.Production || twice.Swept || !strings.Contains(twice.Reason, "treated as production") {
		t.Errorf("twice %+v", twice)
	}
	// What is left out beyond the accounts found: a child unit nobody mapped.
	if len(l.Units) != 1 || l.Units[0] != childNote {
		t.Errorf("units %+v, want %+v", l.Units, childNote)
	}
}

func TestNoListWhenASourceFailed(t *testing.T) {
	m := &accounts.Map{Identity: "people", Accounts: []accounts.Account{{Name: "people", ID: "111111111111"}}}
	for name, s := range map[string]source{
		"source failed": {err: errors.New("AccessDenied")},
		"unit missing":  {notes: []sources.Note{{From: "organization.ous[1].id", Outcome: sources.Error, Reason: "the organisation has no unit ou-ab12-zzzzzzzz"}}},
	} {
		t.Run(name, func(t *testing.T) {
			var rec accountlist.Recorder
			res := sources.Resolve(t.Context(), m, rec.Wrap([]sources.Source{sources.Listed{Map: m}, s})...)
			_, err := rec.List(res, "r1", "shutdown", clock.Now())
			var incomplete *accountlist.IncompleteError
			if !errors.As(err, &incomplete) || !strings.Contains(err.Error(), "the last complete list stays") {
				t.Errorf("List: %v, want *IncompleteError", err)
			}
		})
	}
}
