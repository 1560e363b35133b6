package accounts_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/accounts/accountstest"
)

// withOrganization adds two units to guardMap: a non-production one and a production one,
// read through a role in root (the management account, production).
func withOrganization(m *accounts.Map) {
	m.Organization = &accounts.Organization{
		ManagementAccount: "root",
		OUs: []accounts.OU{
			{ID: "ou-ab12-nonprod1", Environment: accounts.NonProduction, Regions: []string{"eu-west-1"},
				DeveloperPolicies: []string{"PowerUserAccess"}, CIPolicies: []string{"PowerUserAccess"}},
			{ID: "ou-ab12-producti", Environment: accounts.Production, Regions: []string{"eu-west-1"},
				DeveloperPolicies: []string{"ReadOnlyAccess"}, CIPolicies: []string{"ReadOnlyAccess"}},
		},
	}
}

func org(edit func(m *accounts.Map)) func(m *accounts.Map) {
	return func(m *accounts.Map) {
		withOrganization(m)
		edit(m)
	}
}

func TestOrganizationUnits(t *testing.T) {
	on := true
	runGuardCases(t, []guardCase{
		{name: "valid units", edit: org(func(*accounts.Map) {})},
		{name: "management account by id, not listed", edit: org(func(m *accounts.Map) { m.Organization.ManagementAccount = "999999999999" })},
		{name: "no management account", edit: org(func(m *accounts.Map) { m.Organization.ManagementAccount = "" }),
			field: "organization.managementAccount", reason: reasons("CurfewOrganizationReader")},
		{name: "management account not in the map", edit: org(func(m *accounts.Map) { m.Organization.ManagementAccount = "nobody" }),
			field: "organization.managementAccount", reason: reasons(`"nobody" is not the name of an account`)},
		{name: "management account swept, by name", edit: org(func(m *accounts.Map) { m.Organization.ManagementAccount = "dev" }),
			field: "organization.managementAccount", reason: reasons("accounts[2] (dev), which is swept", "shutdown: false")},
		{name: "management account swept, by id", edit: org(func(m *accounts.Map) { m.Organization.ManagementAccount = "000000000003" }),
			field: "organization.managementAccount", reason: reasons("accounts[2] (dev), which is swept")},
		{name: "no units", edit: org(func(m *accounts.Map) { m.Organization.OUs = nil }),
			field: "organization.ous", reason: reasons("at least one organisational unit")},
		{name: "malformed unit id", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].ID = "ou-AB12" }),
			field: "organization.ous[0].id", reason: reasons(`"ou-AB12" is not an organisational unit id`)},
		{name: "a root is not a unit", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].ID = "r-ab12" }),
			field: "organization.ous[0].id", reason: reasons("is not an organisational unit id")},
		{name: "unit listed twice", edit: org(func(m *accounts.Map) { m.Organization.OUs[1].ID = m.Organization.OUs[0].ID }),
			field: "organization.ous[1].id", reason: reasons("also the id of organization.ous[0]")},
		{name: "unknown environment", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].Environment = "staging" }),
			field: "organization.ous[0].environment", reason: reasons(`"staging" is not`)},
		{name: "production unit with shutdown on", edit: org(func(m *accounts.Map) { m.Organization.OUs[1].Shutdown = &on }),
			field: "organization.ous[1].shutdown", reason: reasons("production: curfew never shuts production down")},
		{name: "unit without regions", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].Regions = nil }),
			field: "organization.ous[0].regions", reason: reasons("at least one region")},
		{name: "unit region typo", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].Regions = []string{"eu-wset-1"} }),
			field: "organization.ous[0].regions[0]", reason: reasons("did you mean eu-west-1?")},
		{name: "unit without developer policies", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].DeveloperPolicies = nil }),
			field: "organization.ous[0].developerPolicies", reason: reasons("at least one AWS managed policy")},
		{name: "administrator in a production unit", edit: org(func(m *accounts.Map) { m.Organization.OUs[1].DeveloperPolicies = []string{"AdministratorAccess"} }),
			field: "organization.ous[1].developerPolicies[0]", reason: reasons("administrator access in a production unit")},
		{name: "writing CI in a production unit", edit: org(func(m *accounts.Map) { m.Organization.OUs[1].CIPolicies = []string{"PowerUserAccess"} }),
			field: "organization.ous[1].ciPolicies[0]", reason: reasons("not on the production allow-list")},
		{name: "writing CI in a non-production unit", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].CIPolicies = []string{"PowerUserAccess"} })},
		// A unit may set what an account may: its time zone, stop, start and holidays.
		{name: "unit schedule", edit: org(func(m *accounts.Map) {
			m.Organization.OUs[0].Schedule = &accounts.ScheduleOverride{TimeZone: "Asia/Tokyo", Start: &accounts.Cron{At: "08:00", Days: []string{"MON-FRI"}}}
			m.Organization.OUs[0].Holidays = accounts.Dates("2027-01-01")
		})},
		{name: "unit time zone typo", edit: org(func(m *accounts.Map) {
			m.Organization.OUs[0].Schedule = &accounts.ScheduleOverride{TimeZone: "Asia/Tokio"}
		}),
			field: "organization.ous[0].schedule.timezone", reason: reasons(`"Asia/Tokio" is not an IANA time zone`)},
		{name: "unit stop time", edit: org(func(m *accounts.Map) {
			m.Organization.OUs[0].Schedule = &accounts.ScheduleOverride{Stop: &accounts.Cron{At: "25:00", Days: []string{"MON"}}}
		}), field: "organization.ous[0].schedule.stop.at"},
		{name: "unit holiday", edit: org(func(m *accounts.Map) { m.Organization.OUs[0].Holidays = accounts.Dates("2027-13-01") }),
			field: "organization.ous[0].holidays[0]"},
	})
}

// A unit's accounts follow the unit's schedule: its overrides over the organisation's,
// its holidays added to the organisation's.
func TestUnitScheduleAppliesToItsAccounts(t *testing.T) {
	m := guardMap(t, false)
	withOrganization(m)
	u := &m.Organization.OUs[0]
	u.Schedule = &accounts.ScheduleOverride{TimeZone: "Asia/Tokyo"}
	u.Holidays = accounts.Dates("2027-01-04")
	s := m.ScheduleFor(u.Account("555555555555"))
	if s.TimeZone != "Asia/Tokyo" || s.Stop.At != m.Schedule.Stop.At || !slices.ContainsFunc(s.Holidays, func(h accounts.Holiday) bool { return h.Date == "2027-01-04" }) || len(s.Holidays) != len(m.Schedule.Holidays)+1 {
		t.Errorf("schedule of an account found in the unit: %+v", s)
	}
	if got := m.SweptUnits(); len(got) != 1 || got[0].ID != u.ID {
		t.Errorf("SweptUnits() = %+v, want only %s", got, u.ID)
	}
}

// A map with several mistakes in organization is refused whole, each mistake named by its
// field, together with the mistakes elsewhere.
func TestOrganizationProblemsAreListedTogether(t *testing.T) {
	_, err := accounts.Parse([]byte(accountstest.Head("000000000001") + `  - {name: dev, id: "000000000003", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
organization:
  managementAccount: dev
  ous:
    - {id: ou-ab12-nonprod1, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
    - {id: ou-ab12-nonprod1, environment: production, shutdown: true, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
    - {id: ou-x, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`))
	var verr *accounts.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Parse = %v, want a *ValidationError", err)
	}
	want := []string{"organization.managementAccount", "organization.ous[1].id", "organization.ous[1].shutdown", "organization.ous[2].id"}
	got := map[string]bool{}
	for _, p := range verr.Problems {
		got[p.Field] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("no problem for %s in:\n%v", f, err)
		}
	}
}

func TestOrganizationReaderARN(t *testing.T) {
	m := guardMap(t, false)
	if got := m.OrganizationReaderARN(); got != "" {
		t.Errorf("without organization: %q, want none", got)
	}
	withOrganization(m)
	if got, want := m.OrganizationReaderARN(), "arn:aws:iam::000000000002:role/CurfewOrganizationReader"; got != want {
		t.Errorf("by name: %q, want %q", got, want)
	}
	m.Organization.ManagementAccount = "999999999999"
	if got, want := m.OrganizationReaderARN(), "arn:aws:iam::999999999999:role/CurfewOrganizationReader"; got != want {
		t.Errorf("by id: %q, want %q", got, want)
	}
}

// A production unit obeys the rule of a production account: its CI role trusts a subject
// bound to one protected environment or branch, never the organisation's wildcard.
func TestUnitCISubject(t *testing.T) {
	unitSubject := func(i int, s string) func(m *accounts.Map) {
		return org(func(m *accounts.Map) { m.Organization.OUs[i].CISubject = s })
	}
	runGuardCases(t, []guardCase{
		{name: "production unit inheriting a wildcard subject", oidc: true, edit: org(func(*accounts.Map) {}),
			field: "organization.ous[1].ciSubject", reason: reasons("unit ou-ab12-producti is production", "ci.oidc.subject, which it inherits,", "repo:acme/infra:environment:production")},
		{name: "production unit inheriting a bound subject", oidc: true, edit: org(func(m *accounts.Map) { m.CI.OIDC.Subject = "repo:acme/infra:ref:refs/heads/main" })},
		{name: "production unit bound to an environment", oidc: true, edit: unitSubject(1, "repo:acme/infra:environment:production")},
		{name: "production unit bound to a branch", oidc: true, edit: unitSubject(1, "repo:acme/infra:ref:refs/heads/main")},
		{name: "production unit with a branch wildcard", oidc: true, edit: unitSubject(1, "repo:acme/infra:ref:refs/heads/*"),
			field: "organization.ous[1].ciSubject", reason: reasons("unit ou-ab12-producti is production", "its ciSubject", "with no wildcard")},
		{name: "production unit bound to pull requests", oidc: true, edit: unitSubject(1, "repo:acme/infra:pull_request"),
			field: "organization.ous[1].ciSubject", reason: reasons("protected environment or branch")},
		{name: "production unit, other issuer, wildcard", oidc: true, edit: org(func(m *accounts.Map) {
			m.CI.OIDC.Issuer, m.CI.OIDC.Subject = "https://gitlab.example.com", "project_path:acme/infra:ref_type:branch:ref:main"
			m.Accounts[root].CISubject, m.Accounts[prod].CISubject = m.CI.OIDC.Subject, m.CI.OIDC.Subject
			m.Organization.OUs[1].CISubject = "project_path:acme/infra:ref_type:branch:ref:*"
		}), field: "organization.ous[1].ciSubject", reason: reasons("unit ou-ab12-producti is production", "must not have a wildcard")},
		{name: "a subject for a non-production unit", oidc: true, edit: func(m *accounts.Map) {
			withOrganization(m)
			m.Organization.OUs[0].CISubject = "repo:acme/app:pull_request"
			m.Organization.OUs[1].CISubject = "repo:acme/infra:environment:production"
		}},
		{name: "wildcard in a unit's owner or repository", oidc: true, edit: unitSubject(0, "repo:acme/*:*"),
			field: "organization.ous[0].ciSubject", reason: reasons("wildcard (* or ?) in the owner or repository")},
		{name: "unit ciSubject with an IAM-user CI", edit: unitSubject(0, "repo:acme/infra:ref:refs/heads/main"),
			field: "organization.ous[0].ciSubject", reason: reasons("applies to CI through ci.oidc only")},
	})
}

// The accounts found in a unit get the unit's CI subject, which their CI role trusts.
func TestUnitAccountsTrustTheUnitsSubject(t *testing.T) {
	m := guardMap(t, true)
	withOrganization(m)
	u := m.Organization.OUs[1]
	u.CISubject = "repo:acme/infra:environment:production"
	if got := m.CISubject(u.Account("000000000099")); got != u.CISubject {
		t.Errorf("an account of the unit trusts %q, want the unit's %q", got, u.CISubject)
	}
	if got := m.CISubject(m.Organization.OUs[0].Account("000000000098")); got != m.CI.OIDC.Subject {
		t.Errorf("an account of a unit without ciSubject trusts %q, want ci.oidc.subject %q", got, m.CI.OIDC.Subject)
	}
}
