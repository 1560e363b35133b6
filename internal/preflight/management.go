package preflight

import (
	"slices"

	"github.com/curfew/curfew/internal/accounts"
)

// managementName is what preflight calls the account of organization.managementAccount
// when the map gives only its id.
const managementName = "management"

// ManagementAccount returns the account that deploys curfew-organization (the
// organisation's management account, or StackSets' delegated administrator) when the
// map names it by id only, so that preflight can check it like a listed one; false when
// the map has no organization or lists that account. It is production with the shutdown
// off: curfew never sweeps it. Its name is "management", or its id when a listed account
// has that name.
func ManagementAccount(m *accounts.Map) (accounts.Account, bool) {
	id := m.ManagementAccountID()
	if id == "" || listed(m, id) {
		return accounts.Account{}, false
	}
	name := managementName
	if _, taken := m.Account(name); taken {
		name = id
	}
	off := false
	return accounts.Account{Name: name, ID: id, Environment: accounts.Production, Shutdown: &off}, true
}

// listed reports whether the map lists the account with the given id.
func listed(m *accounts.Map, id string) bool {
	return slices.ContainsFunc(m.Accounts, func(a accounts.Account) bool { return a.ID == id })
}
