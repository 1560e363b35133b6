package preflight

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
)

// Write prints one line per finding: status, check, detail, and under a problem the line
// that says how to fix it.
func Write(w io.Writer, results []Result) error {
	var b strings.Builder
	for _, r := range results {
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %-8s %-19s %s\n", f.Status, r.Check, f.Detail)
			if f.Fix != "" {
				fmt.Fprintf(&b, "  %-8s %-19s fix: %s\n", "", "", f.Fix)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Report is the JSON form of a preflight (`curfew preflight --json`, docs/operations.md).
type Report struct {
	Account   string   `json:"account"`
	AccountID string   `json:"accountId"`
	Problems  int      `json:"problems"`
	Checks    []Result `json:"checks"`
}

// WriteJSON writes the results of the checks of account a as a Report.
func WriteJSON(w io.Writer, a accounts.Account, results []Result) error {
	if results == nil {
		results = []Result{}
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(Report{Account: a.Name, AccountID: a.ID, Problems: Problems(results), Checks: results})
}

// Find finds the account preflight checks by its name in the map, or the account of
// organization.managementAccount when the map gives only its id (by that id or the name
// ManagementAccount gives it): curfew-organization is deployed there.
func Find(m *accounts.Map, name string) (accounts.Account, bool) {
	if acc, ok := m.Account(name); ok {
		return acc, true
	}
	if mgmt, ok := ManagementAccount(m); ok && (name == mgmt.Name || name == mgmt.ID) {
		return mgmt, true
	}
	return accounts.Account{}, false
}

// Names are the accounts preflight can check, for a person: every account of the map,
// and the management account named by id only, with that id.
func Names(m *accounts.Map) []string {
	names := accountNames(m)
	if mgmt, ok := ManagementAccount(m); ok {
		names = append(names, fmt.Sprintf("%s (%s)", mgmt.Name, mgmt.ID))
	}
	return names
}

// Completion are the names the shell offers for preflight's --account.
func Completion(m *accounts.Map) []string {
	names := accountNames(m)
	if mgmt, ok := ManagementAccount(m); ok {
		names = append(names, mgmt.Name)
	}
	return names
}

func accountNames(m *accounts.Map) []string {
	names := make([]string, len(m.Accounts))
	for i, acc := range m.Accounts {
		names[i] = acc.Name
	}
	return names
}
