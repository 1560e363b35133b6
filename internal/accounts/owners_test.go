package accounts_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// The sample map gives one account an owner and a budget; the parser reads them.
func TestOwnersOfTheSampleMap(t *testing.T) {
	m := example(t)
	sandbox, _ := m.Account("sandbox")
	if sandbox.Budget == nil || *sandbox.Budget != 300 {
		t.Errorf("sandbox's budget = %v, want 300", sandbox.Budget)
	}
	want := []accounts.Owner{{Email: "sandbox-team@example.com"}}
	if got := m.AllOwners(); !slices.Equal(got, want) {
		t.Errorf("AllOwners() = %v, want %v", got, want)
	}
}

// Owners are named once each across accounts and units, and a unit's accounts found at
// run time get the unit's owners (not its budget, which is the unit's as a whole).
func TestOwnersAcrossAccountsAndUnits(t *testing.T) {
	m := example(t)
	team := &accounts.Owners{Emails: []string{"team@example.com"}, Slack: []string{"/curfew/owners/team"}}
	unitBudget := 1000.0
	m.Accounts[1].Owners = team
	m.Organization = &accounts.Organization{ManagementAccount: "identity", OUs: []accounts.OU{{
		ID: "ou-ab12-cd34ef56", Environment: accounts.NonProduction, Regions: []string{"eu-west-1"},
		DeveloperPolicies: []string{"ReadOnlyAccess"}, CIPolicies: []string{"ReadOnlyAccess"},
		Owners: &accounts.Owners{Emails: []string{"team@example.com", "finance-dev@example.com"}}, Budget: &unitBudget,
	}}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []accounts.Owner{{Email: "team@example.com"}, {Slack: "/curfew/owners/team"}, {Email: "sandbox-team@example.com"}, {Email: "finance-dev@example.com"}}
	if got := m.AllOwners(); !slices.Equal(got, want) {
		t.Errorf("AllOwners() = %v, want %v", got, want)
	}
	found := m.Organization.OUs[0].Account("555555555555")
	if got := found.Owners.List(); len(got) != 2 || got[1].Email != "finance-dev@example.com" {
		t.Errorf("a found account's owners = %v, want the unit's", got)
	}
	if found.Budget != nil {
		t.Errorf("a found account has the unit's budget %v: it is the unit's as a whole", *found.Budget)
	}
}

// Every bad owner or budget is named by its field, with what to write instead.
func TestOwnersValidation(t *testing.T) {
	zero, huge := 0.0, 5e9
	for _, tc := range []struct {
		name   string
		owners *accounts.Owners
		budget *float64
		fields []string
		reason string
	}{
		{"empty", &accounts.Owners{}, nil, []string{"accounts[1].owners"}, "name at least one"},
		{"not plain", &accounts.Owners{Emails: []string{"Team <team@example.com>"}}, nil, []string{"accounts[1].owners.emails[0]"}, "not a plain email address"},
		{"twice", &accounts.Owners{Emails: []string{"a@example.com", "a@example.com"}}, nil, []string{"accounts[1].owners.emails[1]"}, "listed twice"},
		{"webhook URL", &accounts.Owners{Slack: []string{"https://hooks.slack.com/services/T/B/x"}}, nil, []string{"accounts[1].owners.slack[0]"}, "SecureString"},
		{"outside the prefix", &accounts.Owners{Slack: []string{"/curfew/slack-webhook"}}, nil, []string{"accounts[1].owners.slack[0]"}, "under /curfew/owners/"},
		{"zero budget", nil, &zero, []string{"accounts[1].budget"}, "above 0"},
		{"huge budget", nil, &huge, []string{"accounts[1].budget"}, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := example(t)
			m.Accounts[1].Owners, m.Accounts[1].Budget = tc.owners, tc.budget
			var verr *accounts.ValidationError
			if err := m.Validate(); !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want a ValidationError", err)
			}
			var fields []string
			for _, p := range verr.Problems {
				fields = append(fields, p.Field)
				if !strings.Contains(p.Reason, tc.reason) {
					t.Errorf("%s: %q does not say %q", p.Field, p.Reason, tc.reason)
				}
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("problems in %v, want %v", fields, tc.fields)
			}
		})
	}
}

// The parser refuses an owners field it does not know (a typo is not silently no owner).
func TestOwnersParseStrictly(t *testing.T) {
	data, err := os.ReadFile(exampleMap)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "      emails: [sandbox-team@example.com]", "      email: [sandbox-team@example.com]", 1)
	if bad == string(data) {
		t.Fatal("the sample map has no owners line to change")
	}
	if _, err := accounts.Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "email") {
		t.Errorf("Parse() = %v, want an error naming the unknown field", err)
	}
}
