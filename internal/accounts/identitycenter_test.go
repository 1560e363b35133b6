package accounts_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// Identity store group ids of the tables below.
const (
	developersGroup = "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b1"
	auditorsGroup   = "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b2"
	operatorsGroup  = "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b3"
)

// withIdentityCenter switches guardMap to access: identity-center, with the instance in
// root (the management account).
func withIdentityCenter(m *accounts.Map) {
	m.Access = accounts.AccessIdentityCenter
	m.IdentityCenter = &accounts.IdentityCenter{
		InstanceARN:     "arn:aws:sso:::instance/ssoins-0123456789abcdef",
		IdentityStoreID: "d-0123456789",
		Account:         "root",
		StartURL:        "https://acme.awsapps.com/start",
		Region:          "eu-west-1",
		DeveloperGroups: map[accounts.Environment][]string{
			accounts.NonProduction: {developersGroup},
			accounts.Production:    {auditorsGroup},
		},
		OperatorGroups: []string{operatorsGroup},
	}
}

func ic(edit func(m *accounts.Map)) func(m *accounts.Map) {
	return func(m *accounts.Map) {
		withIdentityCenter(m)
		edit(m)
	}
}

func TestIdentityCenter(t *testing.T) {
	runGuardCases(t, []guardCase{
		{name: "valid", edit: ic(func(*accounts.Map) {})},
		{name: "explicit iam-users", edit: func(m *accounts.Map) { m.Access = accounts.AccessIAMUsers }},
		{name: "management account by id", edit: ic(func(m *accounts.Map) { m.IdentityCenter.Account = "000000000002" })},
		{name: "delegated administrator, management account not a target", edit: ic(func(m *accounts.Map) {
			m.IdentityCenter.Account, m.Management = "999999999999", ""
		})},
		{name: "delegated administrator with the management account a target", edit: ic(func(m *accounts.Map) { m.IdentityCenter.Account = "999999999999" }),
			field: "identityCenter.account", reason: reasons("delegated administrator, which cannot assign permission sets in the management account \"root\"")},
		{name: "no operator groups", edit: ic(func(m *accounts.Map) { m.IdentityCenter.OperatorGroups = nil })},
		{name: "unknown access", edit: func(m *accounts.Map) { m.Access = "sso" },
			field: "access", reason: reasons(`"sso" is not "iam-users" (the default) or "identity-center"`)},
		{name: "identityCenter without the access", edit: ic(func(m *accounts.Map) { m.Access = "" }),
			field: "identityCenter", reason: reasons("only read with access: identity-center")},
		{name: "access without identityCenter", edit: func(m *accounts.Map) { m.Access = accounts.AccessIdentityCenter },
			field: "identityCenter", reason: reasons("needs the instance")},
		{name: "with organization units", edit: ic(withOrganization),
			field: "access", reason: reasons("does not cover organization.ous yet", "AWS::SSO::Assignment")},
		{name: "instance to discover", edit: ic(func(m *accounts.Map) { m.IdentityCenter.InstanceARN = "discover" }),
			field: "identityCenter.instanceArn", reason: reasons("cannot discover", "aws sso-admin list-instances")},
		{name: "malformed instance", edit: ic(func(m *accounts.Map) { m.IdentityCenter.InstanceARN = "ssoins-0123456789abcdef" }),
			field: "identityCenter.instanceArn", reason: reasons("is not an Identity Center instance ARN")},
		{name: "malformed identity store", edit: ic(func(m *accounts.Map) { m.IdentityCenter.IdentityStoreID = "acme" }),
			field: "identityCenter.identityStoreId", reason: reasons(`"acme" is not an identity store id`)},
		{name: "no account", edit: ic(func(m *accounts.Map) { m.IdentityCenter.Account = "" }),
			field: "identityCenter.account", reason: reasons("delegated administrator")},
		{name: "unknown account", edit: ic(func(m *accounts.Map) { m.IdentityCenter.Account = "nobody" }),
			field: "identityCenter.account", reason: reasons(`"nobody" is not the name of an account`)},
		{name: "start URL not https", edit: ic(func(m *accounts.Map) { m.IdentityCenter.StartURL = "http://acme.awsapps.com/start" }),
			field: "identityCenter.startUrl", reason: reasons("https URL")},
		{name: "region typo", edit: ic(func(m *accounts.Map) { m.IdentityCenter.Region = "eu-wset-1" }),
			field: "identityCenter.region", reason: reasons("did you mean eu-west-1?")},
		{name: "group by display name", edit: ic(func(m *accounts.Map) {
			m.IdentityCenter.DeveloperGroups[accounts.NonProduction] = []string{"developers"}
		}), field: "identityCenter.developerGroups.non-production[0]", reason: reasons(`"developers" is not a group id`, "get-group-id")},
		{name: "group twice", edit: ic(func(m *accounts.Map) {
			m.IdentityCenter.DeveloperGroups[accounts.Production] = []string{auditorsGroup, auditorsGroup}
		}), field: "identityCenter.developerGroups.production[1]", reason: reasons("listed twice")},
		{name: "unknown environment", edit: ic(func(m *accounts.Map) {
			m.IdentityCenter.DeveloperGroups["staging"] = []string{developersGroup}
		}), field: "identityCenter.developerGroups.staging", reason: reasons(`"staging" is not`)},
		{name: "production accounts without groups", edit: ic(func(m *accounts.Map) {
			delete(m.IdentityCenter.DeveloperGroups, accounts.Production)
		}), field: "identityCenter.developerGroups.production", reason: reasons("DeveloperAccess-production", "root first")},
		{name: "groups of an environment without accounts", edit: ic(func(m *accounts.Map) {
			m.Accounts = []accounts.Account{m.Accounts[people], m.Accounts[dev]}
			m.Management, m.IdentityCenter.Account = "", "999999999999"
		}), field: "identityCenter.developerGroups.production", reason: reasons("no target account is production")},
		{name: "accounts of one environment disagree", edit: ic(func(m *accounts.Map) {
			m.Accounts[prod].DeveloperPolicies = []string{"ReadOnlyAccess", "SecurityAudit"}
		}), field: "accounts[3].developerPolicies", reason: reasons("one DeveloperAccess-production permission set", "accounts[1] (root) has [ReadOnlyAccess]")},
		{name: "same policies by ARN and in another order", edit: ic(func(m *accounts.Map) {
			m.Accounts[root].DeveloperPolicies = []string{"SecurityAudit", "ReadOnlyAccess"}
			m.Accounts[prod].DeveloperPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "SecurityAudit"}
		})},
		{name: "operator group malformed", edit: ic(func(m *accounts.Map) { m.IdentityCenter.OperatorGroups = []string{"ops"} }),
			field: "identityCenter.operatorGroups[0]", reason: reasons(`"ops" is not a group id`)},
	})
}

// Every problem of the identityCenter block is reported at once, each with its field.
func TestIdentityCenterListsEveryProblem(t *testing.T) {
	m := guardMap(t, false)
	withIdentityCenter(m)
	m.IdentityCenter.InstanceARN = "discover"
	m.IdentityCenter.IdentityStoreID = ""
	m.IdentityCenter.StartURL = ""
	m.IdentityCenter.Region = ""
	err := m.Validate()
	for _, field := range []string{"identityCenter.instanceArn", "identityCenter.identityStoreId", "identityCenter.startUrl", "identityCenter.region"} {
		if !hasProblem(err, field) {
			t.Errorf("no problem for %s in %v", field, err)
		}
	}
}

func TestIdentityCenterParsesFromYAML(t *testing.T) {
	m, err := accounts.Load("testdata/valid-identity-center.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !m.UsesIdentityCenter() || m.IdentityCenterAccountID() != "999999999999" {
		t.Errorf("access %q in %q, want identity-center in 999999999999", m.Access, m.IdentityCenterAccountID())
	}
	if got := m.IdentityCenter.DeveloperGroups[accounts.Production]; len(got) != 1 {
		t.Errorf("production groups = %v", got)
	}
}

func TestISO8601(t *testing.T) {
	for d, want := range map[time.Duration]string{
		accounts.DeveloperSessionMax: "PT4H",
		90 * time.Minute:             "PT1H30M",
		0:                            "PT0S",
		time.Hour + time.Second:      "PT1H1S",
	} {
		if got := accounts.ISO8601(d); got != want {
			t.Errorf("ISO8601(%s) = %s, want %s", d, got, want)
		}
	}
}

// hasProblem reports whether err is a *ValidationError with a problem in field.
func hasProblem(err error, field string) bool {
	var verr *accounts.ValidationError
	if !errors.As(err, &verr) {
		return false
	}
	return slices.ContainsFunc(verr.Problems, func(p accounts.FieldError) bool { return p.Field == field })
}
