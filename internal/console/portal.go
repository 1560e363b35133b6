package console

import (
	"net/url"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
)

// PortalLink is one account and role of the AWS access portal, with access:
// identity-center.
type PortalLink struct {
	Account accounts.Account
	// Role is the permission set the link signs in with.
	Role string
	URL  string
}

// PortalLinks returns, in the map's order, the access-portal link that opens the console of
// every target account with its environment's DeveloperAccess permission set, then the home
// account's CurfewOperator when the map has operator groups. The portal asks for sign-in
// (and MFA) itself when the browser has no session.
func PortalLinks(m *accounts.Map) []PortalLink {
	var out []PortalLink
	add := func(a accounts.Account, role string) {
		out = append(out, PortalLink{Account: a, Role: role, URL: strings.TrimSuffix(m.IdentityCenter.StartURL, "/") +
			"/#/console?account_id=" + url.QueryEscape(a.ID) + "&role_name=" + url.QueryEscape(role)})
	}
	for _, a := range m.Targets() {
		add(a, accounts.PermissionSetName(a.Environment))
	}
	if len(m.IdentityCenter.OperatorGroups) > 0 {
		add(m.HomeAccount(), accounts.OperatorPermissionSet)
	}
	return out
}
