package profiles

import (
	"encoding/json"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Entry is one section curfew writes, in the JSON form of `curfew profiles --json`
// (docs/operations.md).
type Entry struct {
	Name string `json:"name"`
	// Section is "profile", or "sso-session" for Identity Center's session.
	Section string `json:"section"`
	// AccountID is the account the profile acts in (its role's, or sso_account_id);
	// omitted for a profile of keys alone (the identity profile) and an sso-session.
	AccountID string `json:"accountId,omitempty"`
	// Settings are the keys curfew writes, by name.
	Settings map[string]string `json:"settings"`
}

// Listing is what `curfew profiles --json` prints: the profiles written or, with
// --dry-run, that would be.
type Listing struct {
	ConfigFile string `json:"configFile"`
	// Changed says the file differs from what curfew writes (before this run).
	Changed bool `json:"changed"`
	// Written says this run wrote the file (false with --dry-run or when unchanged).
	Written bool `json:"written"`
	// Backup is the copy of the file before this run's change, when one was kept.
	Backup   string  `json:"backup,omitempty"`
	Profiles []Entry `json:"profiles"`
}

// NewListing lists ps for `curfew profiles --json`.
func NewListing(configFile string, ps []Profile) Listing {
	l := Listing{ConfigFile: configFile, Profiles: []Entry{}}
	for _, p := range ps {
		e := Entry{Name: p.Name, Section: "profile", Settings: map[string]string{}}
		if p.Section != "" {
			e.Section = p.Section
		}
		for _, s := range p.Settings {
			e.Settings[s.Key] = s.Value
		}
		e.AccountID = accountOf(p)
		l.Profiles = append(l.Profiles, e)
	}
	return l
}

// accountOf is the account p acts in, "" when it names none.
func accountOf(p Profile) string {
	if id := p.get("sso_account_id"); id != "" {
		return id
	}
	role := p.get("role_arn")
	if cp, ok := ParseCredentialProcess(p.get("credential_process")); ok {
		role = cp.RoleARN
	}
	if a, err := arn.Parse(role); err == nil {
		return a.AccountID
	}
	return ""
}

// WriteJSON writes l, indented, as scripts read it.
func (l Listing) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(l)
}
