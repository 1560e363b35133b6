// Package console builds what a developer needs to switch roles in the AWS Management
// Console: a switch-role link per target account, and the configuration of the "AWS
// Extend Switch Roles" browser extension for all of them.
package console

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
)

// Colours the console's switch-role page accepts. Production is red so that nobody
// mistakes it for staging; the rest are green.
const (
	ProductionColour    = "f2b0a9"
	NonProductionColour = "b7ca9d"
)

// Link is one account's switch-role entry.
type Link struct {
	Account accounts.Account
	// DisplayName is shown in the console's navigation bar after switching.
	DisplayName string
	Colour      string
	URL         string
}

// Links returns the switch-role link to DeveloperAccess of every target account, in the
// map's order. Display names carry prefix, as the CLI profiles do.
//
// The links carry no session name, and need none: the console names a switched-role
// session after the signed-in IAM user, which is exactly what DeveloperAccess's trust
// requires (sts:RoleSessionName = ${aws:username}), so they keep working under that
// condition and CloudTrail names the person. The browser extension submits the same
// switch-role form, so its configuration needs no change either; only CLI and SDK
// profiles must set role_session_name themselves (internal/profiles does).
func Links(m *accounts.Map, prefix string) []Link {
	var out []Link
	for _, a := range m.Targets() {
		l := Link{Account: a, DisplayName: prefix + a.Name, Colour: Colour(a)}
		// In the order of the console's form; url.Values.Encode would sort the keys.
		l.URL = "https://signin.aws.amazon.com/switchrole?" + strings.Join([]string{
			"account=" + url.QueryEscape(a.ID),
			"roleName=" + url.QueryEscape(accounts.DeveloperAccessRole),
			"displayName=" + url.QueryEscape(l.DisplayName),
			"color=" + l.Colour,
		}, "&")
		out = append(out, l)
	}
	return out
}

// Colour is the switch-role colour of an account.
func Colour(a accounts.Account) string {
	if a.IsProduction() {
		return ProductionColour
	}
	return NonProductionColour
}

// ExtensionConfig returns the configuration text for the AWS Extend Switch Roles
// extension: the identity account as the base, and every target account's
// DeveloperAccess role under it, so the menu only shows them when signed in there.
func ExtensionConfig(m *accounts.Map, prefix string) string {
	var b strings.Builder
	identity := m.IdentityAccount()
	base := prefix + identity.Name
	fmt.Fprintf(&b, "[%s]\naws_account_id = %s\n", base, identity.ID)
	for _, l := range Links(m, prefix) {
		fmt.Fprintf(&b, "\n[%s]\nsource_profile = %s\naws_account_id = %s\nrole_name = %s\n",
			l.DisplayName, base, l.Account.ID, accounts.DeveloperAccessRole)
		if r := l.Account.DefaultRegion(); r != "" {
			fmt.Fprintf(&b, "region = %s\n", r)
		}
		fmt.Fprintf(&b, "color = %s\n", l.Colour)
	}
	return b.String()
}
