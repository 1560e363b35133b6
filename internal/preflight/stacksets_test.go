package preflight

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
)

// missingUnit is a well-formed unit id that no organisation of the tests has.
const missingUnit = "ou-zz99-missing0"

// motoOrg is an organisation in moto, made through the test org's proxy: its management
// account (a fresh account of its own) and one unit under the root.
type motoOrg struct {
	*org
	organisation *emulator.Org
	mgmt, unit   string
}

// newMotoOrg creates the organisation and loads preflight's test map with an
// organization naming mgmtOf(organisation) as its management account, by id, and the
// units: the organisation's and missingUnit. delegated sets delegatedAdministrator.
func newMotoOrg(t *testing.T, mgmtOf func(*motoOrg) string, delegated bool) *motoOrg {
	t.Helper()
	o := &motoOrg{org: newOrg(t, nil)}
	o.organisation = o.via.NewOrg(t, orgRegion)
	o.mgmt = o.organisation.Management
	o.unit = o.organisation.Unit(o.organisation.Root, "sandboxes")
	o.m.Organization = &accounts.Organization{
		ManagementAccount: mgmtOf(o), DelegatedAdministrator: delegated,
		OUs: []accounts.OU{
			{ID: o.unit, Environment: accounts.NonProduction, Regions: []string{"eu-west-1"}, DeveloperPolicies: []string{"PowerUserAccess"}, CIPolicies: []string{"PowerUserAccess"}},
			{ID: missingUnit, Environment: accounts.NonProduction, Regions: []string{"eu-west-1"}, DeveloperPolicies: []string{"PowerUserAccess"}, CIPolicies: []string{"PowerUserAccess"}},
		},
	}
	if err := o.m.Validate(); err != nil {
		t.Fatal(err)
	}
	return o
}

// member creates an account of the organisation.
func (o *motoOrg) member(t *testing.T) string {
	t.Helper()
	return o.organisation.NewAccount("delegate")
}

// enableStackSets does what `aws cloudformation activate-organizations-access` does to
// Organizations (moto's CloudFormation lacks the call): trusted access for StackSets.
func (o *motoOrg) enableStackSets(t *testing.T) {
	t.Helper()
	if _, err := o.organisation.Client().EnableAWSServiceAccess(t.Context(), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(stackSetsPrincipal)}); err != nil {
		t.Fatal(err)
	}
}

// targetOf is preflight's target for the account of id, as the CLI builds it: the
// listed account, or ManagementAccount.
func (o *motoOrg) targetOf(t *testing.T, id string) Target {
	t.Helper()
	a, ok := ManagementAccount(o.m)
	if !ok || a.ID != id {
		t.Fatalf("ManagementAccount = %+v, %v; want the unlisted account %s", a, ok, id)
	}
	return Target{Map: o.m, Account: a, Config: o.via.Account(t, id, o.m.HomeRegion), Profile: "management"}
}

// findings runs stackSets and renders its findings, a problem's fix under it.
func findings(t *testing.T, tg Target) (string, int) {
	t.Helper()
	results := Run(t.Context(), tg, []Check{stackSets{}})
	var b strings.Builder
	for _, f := range results[0].Findings {
		fmt.Fprintf(&b, "%s  %s\n", f.Status, f.Detail)
		if f.Status == Problem {
			if f.Fix == "" {
				t.Errorf("problem %q has no fix", f.Detail)
			}
			fmt.Fprintf(&b, "    fix: %s\n", f.Fix)
		}
	}
	return b.String(), Problems(results)
}

// The management account, named by id only: trusted access for StackSets off is a
// problem until enabled, and the unit that does not exist is a problem naming its field,
// each with the command that fixes it; the unit that exists is ok.
func TestStackSetsAccessInTheManagementAccount(t *testing.T) {
	o := newMotoOrg(t, func(o *motoOrg) string { return o.mgmt }, false)
	tg := o.targetOf(t, o.mgmt)

	got, n := findings(t, tg)
	for _, want := range []string{
		"ok  " + o.mgmt + " is the management account of organisation o-",
		"problem  trusted access for StackSets (member.org.stacksets.cloudformation.amazonaws.com) is not enabled",
		"fix: in the management account (" + o.mgmt + "): aws cloudformation activate-organizations-access --profile management\n",
		"ok  the organisation has the map's unit(s) " + o.unit + "\n",
		"problem  organization.ous[1].id: the organisation has no unit " + missingUnit,
		"fix: correct organization.ous[1].id in the account map; the root's units: aws organizations list-organizational-units-for-parent --parent-id $(aws organizations list-roots --query 'Roots[0].Id' --output text --profile management) --profile management",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings lack %q:\n%s", want, got)
		}
	}
	if n != 2 {
		t.Errorf("%d problems, want 2:\n%s", n, got)
	}

	o.enableStackSets(t)
	got, n = findings(t, tg)
	if !strings.Contains(got, "ok  trusted access for StackSets (member.org.stacksets.cloudformation.amazonaws.com) is enabled") || n != 1 {
		t.Errorf("after activate-organizations-access: %d problems, want only the missing unit:\n%s", n, got)
	}

	// Every other account of the map: n/a, naming where the check applies.
	staging, _ := o.m.Account("staging")
	results := Run(t.Context(), Target{Map: o.m, Account: staging, Config: o.via.Account(t, staging.ID, "eu-west-1")}, []Check{stackSets{}})
	if f := results[0].Findings; len(f) != 1 || f[0].Status != NotApplicable || !strings.Contains(f[0].Detail, "organization.managementAccount ("+o.mgmt+")") {
		t.Errorf("staging: %s", dump(results))
	}
}

// What the map can get wrong about the account that deploys curfew-organization, each a
// problem with its fix, in an organisation whose trusted access and units are in order.
func TestStackSetsAccessWrongAccount(t *testing.T) {
	tests := []struct {
		name      string
		mgmtOf    func(*motoOrg) string
		delegated bool
		want      []string
	}{
		{"an account in no organisation", func(*motoOrg) string { return emulator.NewAccountID() }, false, []string{
			"belongs to no organisation",
			"fix: set organization.managementAccount to your organisation's management account",
		}},
		{"a member account without delegatedAdministrator", func(o *motoOrg) string { return o.member(t) }, false, []string{
			"is not the management account of organisation o-",
			"fix: set organization.managementAccount to ",
			"aws organizations register-delegated-administrator --service-principal member.org.stacksets.cloudformation.amazonaws.com --account-id ",
		}},
		{"delegatedAdministrator in the management account", func(o *motoOrg) string { return o.mgmt }, true, []string{
			"organization.delegatedAdministrator is true, but ",
			"cannot be its own delegated administrator",
			"fix: remove organization.delegatedAdministrator from the account map",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newMotoOrg(t, tt.mgmtOf, tt.delegated)
			o.enableStackSets(t)
			o.m.Organization.OUs = o.m.Organization.OUs[:1]
			got, n := findings(t, o.targetOf(t, o.m.ManagementAccountID()))
			if n != 1 {
				t.Errorf("%d problems, want 1:\n%s", n, got)
			}
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("findings lack %q:\n%s", want, got)
				}
			}
		})
	}
}

// An organisation admin who moves the identity, home or management account into one of
// the map's units gets curfew's roles deployed there by the unit's StackSet, a production
// unit's too: each gives every account of its unit DeveloperAccess and CurfewCI. Preflight
// reads each account's parent and refuses, naming the account and the unit; a unit the map
// does not name, or no move, passes.
func TestStackSetsRefuseCurfewsOwnAccountsInAUnit(t *testing.T) {
	tests := []struct {
		name string
		// move edits the map and returns the account to move into the unit (the map's
		// unit, or a unit of the organisation the map does not name when elsewhere).
		move      func(t *testing.T, o *motoOrg) string
		elsewhere bool
		want      []string
	}{
		{name: "nothing moved", move: func(*testing.T, *motoOrg) string { return "" },
			want: []string{"ok  the identity, home and management accounts are in none of the map's units"}},
		{name: "the identity and home account", move: func(t *testing.T, o *motoOrg) string { return o.listedMember(t, "identity") },
			want: []string{"problem  account identity (%id), the identity and home account, is in unit %unit (organization.ous[0]): its StackSet deploys DeveloperAccess and CurfewCI there, as to every account of the unit\n",
				"fix: in the management account (%mgmt): aws organizations move-account --account-id %id --source-parent-id %unit --destination-parent-id <the root or a unit the map does not name> --profile management; or take %unit out of organization.ous\n"}},
		{name: "a home account of its own", move: func(t *testing.T, o *motoOrg) string { o.m.Home = "staging"; return o.listedMember(t, "staging") },
			want: []string{"problem  account staging (%id), the home account, is in unit %unit (organization.ous[0]): its StackSet deploys DeveloperAccess and CurfewCI there"}},
		{name: "the management account", move: func(t *testing.T, o *motoOrg) string { return o.mgmt },
			want: []string{"problem  account management (%mgmt), the management account, is in unit %unit (organization.ous[0]): curfew takes it for one of that unit's accounts"}},
		{name: "the production unit", move: func(t *testing.T, o *motoOrg) string {
			o.m.Organization.OUs[0].Environment = accounts.Production
			return o.listedMember(t, "identity")
		}, want: []string{"problem  account identity (%id), the identity and home account, is in unit %unit (organization.ous[0])"}},
		{name: "a unit the map does not name", move: func(t *testing.T, o *motoOrg) string { return o.listedMember(t, "identity") }, elsewhere: true,
			want: []string{"ok  the identity, home and management accounts are in none of the map's units"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newMotoOrg(t, func(o *motoOrg) string { return o.mgmt }, false)
			o.enableStackSets(t)
			o.m.Organization.OUs = o.m.Organization.OUs[:1]
			moved := tt.move(t, o)
			if moved != "" {
				unit := o.unit
				if tt.elsewhere {
					unit = o.newUnit(t, "elsewhere")
				}
				o.moveInto(t, moved, unit)
			}
			got, n := findings(t, o.targetOf(t, o.mgmt))
			problems := 0
			for _, w := range tt.want {
				w = strings.NewReplacer("%id", moved, "%mgmt", o.mgmt, "%unit", o.unit).Replace(w)
				if !strings.Contains(got, w) {
					t.Errorf("findings lack %q:\n%s", w, got)
				}
				if strings.HasPrefix(w, "problem") {
					problems++
				}
			}
			if n != problems {
				t.Errorf("%d problems, want %d:\n%s", n, problems, got)
			}
		})
	}
}

// listedMember creates an account of the organisation and makes it the map's account of
// that name.
func (o *motoOrg) listedMember(t *testing.T, name string) string {
	t.Helper()
	id := o.member(t)
	i := slices.IndexFunc(o.m.Accounts, func(a accounts.Account) bool { return a.Name == name })
	o.m.Accounts[i].ID = id
	return id
}

// newUnit creates a unit under the root and returns its id.
func (o *motoOrg) newUnit(t *testing.T, name string) string {
	t.Helper()
	return o.organisation.Unit(o.organisation.Root, name)
}

// moveInto moves the account from the root into unit, as an organisation admin would.
func (o *motoOrg) moveInto(t *testing.T, account, unit string) {
	t.Helper()
	o.organisation.Move(account, o.organisation.Root, unit)
}

// A delegated administrator for StackSets: registered, it passes; not registered, the
// refusal Organizations gives a member that administers nothing is a problem saying what
// to run in the management account.
//
// AWS answers a delegated administrator's ListAWSServiceAccessForOrganization,
// ListDelegatedAdministrators and DescribeOrganizationalUnit from the organisation's data
// (Organizations API reference: "called only from the organization's management account or
// by a member account that is a delegated administrator"); moto answers a member from its
// own empty backend. The proxy sends the delegate's calls to moto as the management
// account's, so the answers are moto's own of the organisation.
func TestStackSetsAccessFromADelegatedAdministrator(t *testing.T) {
	var delegate string
	o := newMotoOrg(t, func(o *motoOrg) string { delegate = o.member(t); return delegate }, true)
	o.enableStackSets(t)
	o.m.Organization.OUs = o.m.Organization.OUs[:1]
	tg := o.targetOf(t, delegate)
	asManagement := func() {
		o.proxy.Add(faultproxy.Rule{Account: delegate, Service: "organizations", Kind: faultproxy.Handle,
			Match:   func(c faultproxy.Call) bool { return c.Action != "DescribeOrganization" },
			Respond: func(c faultproxy.Call) (int, string) { return asAccount(t, emulator.Shared(t).URL, o.mgmt, c) }})
	}

	t.Run("not registered", func(t *testing.T) {
		// What Organizations answers a member that administers nothing; the rule comes
		// first, as the first matching rule applies.
		o.proxy.Clear()
		o.proxy.Add(faultproxy.Rule{Account: delegate, Service: "organizations", Action: "ListDelegatedAdministrators", Kind: faultproxy.Error, Code: "AccessDeniedException"})
		asManagement()
		got, n := findings(t, tg)
		for _, want := range []string{
			"could not list StackSets' delegated administrators from " + delegate,
			"fix: check from the management account (" + o.mgmt + "): aws organizations list-delegated-administrators --service-principal member.org.stacksets.cloudformation.amazonaws.com; if " + delegate + " is not a delegated administrator for StackSets, register it there",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("findings lack %q:\n%s", want, got)
			}
		}
		if n != 1 {
			t.Errorf("%d problems, want 1:\n%s", n, got)
		}
	})
	t.Run("registered", func(t *testing.T) {
		// moto refuses StackSets' principal in RegisterDelegatedAdministrator and
		// ListDelegatedAdministrators (not in its list of delegable services): the proxy
		// answers the list in the shape of the API reference, with the delegate in it.
		o.proxy.Clear()
		o.proxy.Add(faultproxy.Rule{Account: delegate, Service: "organizations", Action: "ListDelegatedAdministrators", Kind: faultproxy.Answer,
			Body: fmt.Sprintf(`{"DelegatedAdministrators":[{"Id":%q,"Arn":"arn:aws:organizations::%s:account/o-example/%s","Name":"delegate","Status":"ACTIVE","JoinedMethod":"CREATED","DelegationEnabledDate":1764288000}]}`,
				delegate, o.mgmt, delegate)})
		asManagement()
		got, n := findings(t, tg)
		if n != 0 || !strings.Contains(got, "ok  "+delegate+" is a delegated administrator for StackSets") ||
			!strings.Contains(got, "ok  trusted access for StackSets") || !strings.Contains(got, "ok  the organisation has the map's unit(s) "+o.unit) {
			t.Errorf("%d problems:\n%s", n, got)
		}
	})
}

// asAccount sends the Organizations call c to moto at upstream as account's, and returns
// moto's answer.
func asAccount(t *testing.T, upstream, account string, c faultproxy.Call) (int, string) {
	req, err := http.NewRequest(http.MethodPost, upstream+"/", bytes.NewReader(c.Body))
	if err != nil {
		t.Error(err)
		return http.StatusInternalServerError, "{}"
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+c.Action)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/"+orgRegion+"/organizations/aws4_request, SignedHeaders=host, Signature=0")
	req.Header.Set("x-moto-account-id", account)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return http.StatusBadGateway, "{}"
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	return resp.StatusCode, string(body)
}

// The management account named by id only is checked for what curfew-organization puts
// there: the bootstrap of homeRegion, room for its two roles, and their fixed names
// (CurfewOrganizationReader, and CurfewCostReader as the map does not list the account);
// no OIDC provider and no Lambda concurrency concern it. Once curfew-organization holds
// the reader, that name is its own.
func TestManagementAccountFootprint(t *testing.T) {
	o := newMotoOrg(t, func(o *motoOrg) string { return o.mgmt }, false)
	o.enableStackSets(t)
	o.m.Organization.OUs = o.m.Organization.OUs[:1]
	tg := o.targetOf(t, o.mgmt)
	if tg.Account.Name != "management" || !tg.Account.IsProduction() || tg.Account.ShutdownEnabled() {
		t.Errorf("target = %+v, want management, production, never swept", tg.Account)
	}
	c := iam.NewFromConfig(tg.Config)
	if _, err := c.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String(accounts.CostReaderRole), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	got := dump(Run(t.Context(), tg, Checks()))
	for _, want := range []string{
		"problem  cdk bootstrap: aws://" + o.mgmt + "/eu-west-1 is not bootstrapped",
		"ok  iam quotas: roles: ",
		"in use, room for curfew's 2\n",
		"problem  fixed names: role CurfewCostReader already exists and no stack of curfew created it",
		"n/a  ci oidc provider: the CI's OIDC provider is created in listed target accounts only",
		"n/a  lambda concurrency: curfew's functions run in the home account (identity)",
		"ok  stacksets access: trusted access for StackSets",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("management lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "DeveloperAccess") || strings.Contains(got, "curfew-management") {
		t.Errorf("a member stack's footprint in the management account:\n%s", got)
	}

	bootstrapped(t, tg.Config, "eu-west-1", "21")
	createStack(t, tg.Config, "eu-west-1", "curfew-organization", fmt.Sprintf(
		`{"Resources":{"OrganizationReader":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"CurfewOrganizationReader","AssumeRolePolicyDocument":%s}}}}`, trust))
	got = dump(Run(t.Context(), tg, []Check{bootstrap{}, fixedNames{}}))
	for _, want := range []string{
		"ok  cdk bootstrap: aws://" + o.mgmt + "/eu-west-1 bootstrapped",
		"ok  fixed names: role CurfewOrganizationReader belongs to curfew's stack curfew-organization",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("management lacks %q:\n%s", want, got)
		}
	}
}

// A listed account that is also organization.managementAccount gets curfew-organization's
// footprint besides its own stack's; a listed account that is not gets none.
func TestListedManagementAccountFootprint(t *testing.T) {
	o := newMotoOrg(t, func(o *motoOrg) string { return "identity" }, false)
	if _, ok := ManagementAccount(o.m); ok {
		t.Fatal("ManagementAccount of a map that lists the management account")
	}
	identity, staging := o.m.IdentityAccount(), o.m.Targets()[0]
	f := footprintOf(o.m, identity)
	if !slices.Contains(f.stacks, stackRef{"curfew-organization", "eu-west-1"}) || !slices.Contains(f.stacks, stackRef{"curfew-identity", "eu-west-1"}) ||
		!slices.Contains(f.roles, accounts.OrganizationReaderRole) || !slices.Contains(f.groups, "developers") {
		t.Errorf("identity's footprint = %+v", f)
	}
	if f := footprintOf(o.m, staging); slices.Contains(f.roles, accounts.OrganizationReaderRole) || len(f.stacks) != 1 {
		t.Errorf("staging's footprint = %+v", f)
	}
}
