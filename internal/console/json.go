package console

import (
	"encoding/json"
	"io"

	"github.com/curfew/curfew/internal/accounts"
)

// Entry is one console link in the JSON form of `curfew console --json`
// (docs/operations.md): switch-role links and access-portal links alike.
type Entry struct {
	// Name is the account's name as the profiles and the console show it (with --prefix).
	Name        string `json:"name"`
	AccountID   string `json:"accountId"`
	Environment string `json:"environment"`
	// Role is the role or permission set the link signs in with.
	Role string `json:"role"`
	URL  string `json:"url"`
}

// Listing is what `curfew console --json` prints.
type Listing struct {
	// SignIn is where to sign in first: the identity account's id (switch roles), or the
	// access portal's URL (identity-center).
	SignIn string  `json:"signIn"`
	Links  []Entry `json:"links"`
	// ExtensionConfig is the AWS Extend Switch Roles configuration; empty with
	// identity-center.
	ExtensionConfig string `json:"extensionConfig,omitempty"`
}

// WriteJSON writes the console links of m as a Listing: the access portal's with
// access: identity-center, the switch-role links of every target account otherwise.
func WriteJSON(w io.Writer, m *accounts.Map, prefix string) error {
	l := Listing{Links: []Entry{}}
	if m.UsesIdentityCenter() {
		l.SignIn = m.IdentityCenter.StartURL
		for _, p := range PortalLinks(m) {
			l.Links = append(l.Links, Entry{Name: prefix + p.Account.Name, AccountID: p.Account.ID, Environment: string(p.Account.Environment), Role: p.Role, URL: p.URL})
		}
	} else {
		l.SignIn = m.IdentityAccount().ID
		for _, s := range Links(m, prefix) {
			l.Links = append(l.Links, Entry{Name: s.DisplayName, AccountID: s.Account.ID, Environment: string(s.Account.Environment), Role: accounts.DeveloperAccessRole, URL: s.URL})
		}
		l.ExtensionConfig = ExtensionConfig(m, prefix)
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(l)
}
