package accountlist

import (
	"fmt"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
)

// maxNameLen bounds the part of a found account's name taken from Organizations, which
// allows 50 characters of free text.
const maxNameLen = 40

// Found returns the active accounts of the list that the map does not hold, as the rest
// of curfew sees an account, each named for its profile and console link:
// <Organizations name, sanitised>-<last 4 digits of the id>. The name depends on the
// account alone, so it stays the same from run to run whatever other accounts appear; the
// rare name that still collides (with another found account, or a name of the map) takes
// the whole id instead. An account without an Organizations name is named by its id.
func (l List) Found(m *accounts.Map) []accounts.Account {
	taken := map[string]int{}
	for _, a := range m.Accounts {
		taken[a.Name] = 2 // never given to a found account
	}
	var found []Account
	for _, a := range l.Accounts {
		if a.Listed || a.Inactive || slices.ContainsFunc(m.Accounts, func(x accounts.Account) bool { return x.ID == a.ID }) {
			continue
		}
		found = append(found, a)
		taken[shortName(a)]++
	}
	out := make([]accounts.Account, 0, len(found))
	for _, a := range found {
		name := shortName(a)
		if taken[name] > 1 {
			name = sanitise(a.Name) + "-" + a.ID
		}
		out = append(out, accounts.Account{Name: strings.TrimPrefix(name, "-"), ID: a.ID, Environment: a.Environment, Regions: slices.Clone(a.Regions)})
	}
	return out
}

// shortName is the name a found account gets unless it collides.
func shortName(a Account) string {
	s := sanitise(a.Name)
	if s == "" {
		return a.ID
	}
	return s + "-" + a.ID[len(a.ID)-4:]
}

// sanitise keeps the letters and digits of an Organizations name, lower case, with single
// hyphens for everything else: a profile name and a console label both take it.
func sanitise(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
			if b.Len() >= maxNameLen {
				break
			}
			continue
		}
		hyphen = true
	}
	return b.String()
}

// WithFound returns a copy of m whose accounts are m's followed by the list's found ones
// (Found), so that code written for listed accounts (profiles, console links) serves them
// too; m is not changed.
func (l List) WithFound(m *accounts.Map) *accounts.Map {
	out := *m
	out.Accounts = append(slices.Clone(m.Accounts), l.Found(m)...)
	return &out
}

// Lookup finds a found account (Found) by its id, its profile name or its Organizations
// name; a name two accounts share is an error naming both.
func (l List) Lookup(m *accounts.Map, s string) (accounts.Account, error) {
	found := l.Found(m)
	var hits []accounts.Account
	for _, a := range found {
		i := slices.IndexFunc(l.Accounts, func(x Account) bool { return x.ID == a.ID })
		if a.ID == s || a.Name == s || l.Accounts[i].Name == s {
			hits = append(hits, a)
		}
	}
	switch len(hits) {
	case 0:
		return accounts.Account{}, fmt.Errorf("no account %q among the %d found in organisational units by run %s (%s)", s, len(found), l.RunID, l.Published.Format("2006-01-02 15:04 MST"))
	case 1:
		return hits[0], nil
	}
	var ids []string
	for _, a := range hits {
		ids = append(ids, a.Name+" ("+a.ID+")")
	}
	return accounts.Account{}, fmt.Errorf("%q names %d accounts found in organisational units: %s; give the id", s, len(hits), strings.Join(ids, ", "))
}
