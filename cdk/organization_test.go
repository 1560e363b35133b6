package cdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// organizationMap lists one target and finds the others in three units: non-production,
// non-production with the shutdown off, and production; its management account is named
// by id only.
const organizationMap = "testdata/organization-units.yaml"

// organizationOrg synthesises organizationMap once per test binary, with cdk-nag.
var organizationOrg = synthOnce(organizationMap, "organization")

// largeOrgUnits is the organization block of the 500-account map: n units of the
// regions of largeOrgMap's accounts, every fifth production; its management account is
// named by id only.
func largeOrgUnits(n int) string {
	var b strings.Builder
	b.WriteString("organization:\n  managementAccount: \"100000000999\"\n  ous:\n")
	for i := range n {
		regions := strings.Join(largeOrgRegions[i%len(largeOrgRegions)], ", ")
		if i%5 == 4 {
			fmt.Fprintf(&b, "    - {id: ou-lg00-%08d, environment: production, regions: [%s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}\n", i, regions)
			continue
		}
		fmt.Fprintf(&b, "    - {id: ou-lg00-%08d, environment: non-production, regions: [%s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}\n", i, regions)
	}
	return b.String()
}

// stackSets returns the organisation stack's StackSets by the unit each targets.
func stackSets(t *testing.T, o *org) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, props := range o.resources(t, cdk.OrganizationStackName, "AWS::CloudFormation::StackSet") {
		groups := props["StackInstancesGroup"].([]any)
		if len(groups) != 1 {
			t.Fatalf("StackSet %s has %d instance groups, want 1", id, len(groups))
		}
		units := groups[0].(map[string]any)["DeploymentTargets"].(map[string]any)["OrganizationalUnitIds"].([]any)
		if len(units) != 1 {
			t.Fatalf("StackSet %s targets %v, want one unit", id, units)
		}
		unit := units[0].(string)
		if _, dup := out[unit]; dup {
			t.Fatalf("two StackSets target %s", unit)
		}
		out[unit] = props
	}
	return out
}

// body returns a StackSet's template.
func body(t *testing.T, stackSet map[string]any) map[string]any {
	t.Helper()
	var tmpl map[string]any
	if err := json.Unmarshal([]byte(stackSet["TemplateBody"].(string)), &tmpl); err != nil {
		t.Fatalf("TemplateBody: %v", err)
	}
	return tmpl
}

// bodyRoles returns a member template's roles by name.
func bodyRoles(tmpl map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range tmpl["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == "AWS::IAM::Role" {
			props := r["Properties"].(map[string]any)
			out[props["RoleName"].(string)] = props
		}
	}
	return out
}

// Every unit of the map gets one service-managed StackSet with automatic deployment (an
// account created in, or moved into, the unit gets its roles with nobody running cdk;
// moved out, its stack is deleted), targeting exactly that unit, once, in the home
// region; its template holds the roles a member stack gives a listed account, by the
// same code, and CurfewScheduler only where the unit is swept.
func TestOrganizationStackSetsDeployTheMemberRolesToEachUnit(t *testing.T) {
	o := organizationOrg(t)
	m := o.m
	sets := stackSets(t, o)
	var units []string
	for _, u := range m.Organization.OUs {
		units = append(units, u.ID)
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for u := range sets {
			if !yield(u) {
				return
			}
		}
	}); !slices.Equal(got, units) {
		t.Fatalf("StackSets target %v, want exactly the map's units %v", got, units)
	}
	staging := "curfew-staging"
	for _, u := range m.Organization.OUs {
		t.Run(u.ID, func(t *testing.T) {
			set := sets[u.ID]
			assertJSON(t, "StackSet", without(set, "TemplateBody", "Description"), parseJSON(t, `{
				"StackSetName": "curfew-`+u.ID+`",
				"PermissionModel": "SERVICE_MANAGED",
				"CallAs": "SELF",
				"AutoDeployment": {"Enabled": true, "RetainStacksOnAccountRemoval": false},
				"Capabilities": ["CAPABILITY_NAMED_IAM"],
				"ManagedExecution": {"Active": true},
				"OperationPreferences": {"ConcurrencyMode": "SOFT_FAILURE_TOLERANCE", "FailureTolerancePercentage": 100, "MaxConcurrentPercentage": 100},
				"StackInstancesGroup": [{"DeploymentTargets": {"OrganizationalUnitIds": ["`+u.ID+`"]}, "Regions": ["`+m.HomeRegion+`"]}]
			}`))
			tmpl := body(t, set)
			// Deployed with no CDK bootstrap in the account, and nothing but resources.
			for _, k := range []string{"Parameters", "Rules", "Conditions", "Outputs"} {
				if tmpl[k] != nil {
					t.Errorf("the template has %s: %v", k, tmpl[k])
				}
			}
			roles := bodyRoles(tmpl)
			want := []string{accounts.CIRole, accounts.CostReaderRole, accounts.DeveloperAccessRole}
			if u.Account("").ShutdownEnabled() {
				want = append(want, accounts.SchedulerRole)
			}
			slices.Sort(want)
			got := slices.Sorted(func(yield func(string) bool) {
				for r := range roles {
					if !yield(r) {
						return
					}
				}
			})
			if !slices.Equal(got, want) {
				t.Errorf("roles %v, want %v", got, want)
			}
			// Nothing in a production unit's accounts may stop anything (its guardrails
			// still name CurfewScheduler, to keep anyone from creating it).
			if u.Environment == accounts.Production && contains(tmpl, "ec2:StopInstances") {
				t.Errorf("the production unit's template allows ec2:StopInstances")
			}
			// The same trust as the listed non-production account's member stack.
			for _, r := range got {
				assertJSON(t, r+" trust", roles[r]["AssumeRolePolicyDocument"], o.role(t, staging, r)["AssumeRolePolicyDocument"])
			}
			assertJSON(t, "DeveloperAccess policies", roles[accounts.DeveloperAccessRole]["ManagedPolicyArns"], managedPolicyARNs(u.DeveloperPolicies...))
			assertJSON(t, "CurfewCI policies", roles[accounts.CIRole]["ManagedPolicyArns"], managedPolicyARNs(u.CIPolicies...))
			guardrails := tmpl["Resources"].(map[string]any)[guardrailsID(t, tmpl)].(map[string]any)["Properties"].(map[string]any)
			if n := len(guardrails["Roles"].([]any)); n != 2 {
				t.Errorf("CurfewGuardrails is attached to %d roles, want DeveloperAccess and CurfewCI", n)
			}
		})
	}
}

// guardrailsID is the logical id of a member template's CurfewGuardrails.
func guardrailsID(t *testing.T, tmpl map[string]any) string {
	t.Helper()
	for id, r := range tmpl["Resources"].(map[string]any) {
		props, _ := r.(map[string]any)["Properties"].(map[string]any)
		if props["ManagedPolicyName"] == cdk.GuardrailsPolicy {
			return id
		}
	}
	t.Fatal("no CurfewGuardrails in the template")
	return ""
}

// without returns a copy of props without the keys.
func without(props map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range props {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

// CurfewOrganizationReader trusts exactly the three functions' roles with the map's
// ExternalId and may list the accounts of the map's units only; the management account,
// not listed, gets CurfewCostReader from this stack.
func TestOrganizationReaderTrustsOnlyTheFunctions(t *testing.T) {
	o := organizationOrg(t)
	m := o.m
	reader := o.role(t, cdk.OrganizationStackName, accounts.OrganizationReaderRole)
	assertJSON(t, "trust", reader["AssumeRolePolicyDocument"], parseJSON(t, `{
		"Version": "2012-10-17",
		"Statement": [{
			"Effect": "Allow", "Action": "sts:AssumeRole",
			"Principal": {"AWS": "arn:aws:iam::111111111111:root"},
			"Condition": {
				"StringEquals": {"sts:ExternalId": "`+m.ExternalID+`"},
				"ArnEquals": {"aws:PrincipalArn": [
					"arn:aws:iam::111111111111:role/curfew-shutdown",
					"arn:aws:iam::111111111111:role/curfew-restart",
					"arn:aws:iam::111111111111:role/curfew-cost-report"
				]}
			}
		}]
	}`))
	assertJSON(t, "policies", reader["Policies"], parseJSON(t, `[{
		"PolicyName": "ListUnitsAccounts",
		"PolicyDocument": {"Version": "2012-10-17", "Statement": [{
			"Sid": "ListUnitsAccounts", "Effect": "Allow", "Action": ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"],
			"Resource": [
				"arn:aws:organizations::*:ou/o-*/ou-ab12-11111111",
				"arn:aws:organizations::*:ou/o-*/ou-ab12-22222222",
				"arn:aws:organizations::*:ou/o-*/ou-ab12-33333333"
			]
		}]}
	}]`))
	if reader["ManagedPolicyArns"] != nil {
		t.Errorf("the reader has managed policies: %v", reader["ManagedPolicyArns"])
	}
	costReader := o.role(t, cdk.OrganizationStackName, accounts.CostReaderRole)
	assertJSON(t, "CurfewCostReader trust", costReader["AssumeRolePolicyDocument"], o.role(t, "curfew-staging", accounts.CostReaderRole)["AssumeRolePolicyDocument"])
	assertJSON(t, "stack's account", o.stacks.Organization.Account(), jsii.String(m.ManagementAccountID()))
}

// A map whose management account is listed (here the identity account, which has
// CurfewCostReader already) gets no second one; a delegated administrator's StackSets
// act as one.
func TestOrganizationStackOfListedDelegatedAdministrator(t *testing.T) {
	data, err := os.ReadFile(organizationMap)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `managementAccount: "999999999999"`, "managementAccount: identity\n  delegatedAdministrator: true", 1)
	o := synthText(t, "delegated.yaml", text)
	for _, r := range o.resources(t, cdk.OrganizationStackName, "AWS::IAM::Role") {
		if r["RoleName"] == accounts.CostReaderRole {
			t.Errorf("curfew-organization creates %s in a listed account", accounts.CostReaderRole)
		}
	}
	for unit, set := range stackSets(t, o) {
		if set["CallAs"] != "DELEGATED_ADMIN" {
			t.Errorf("%s: CallAs %v, want DELEGATED_ADMIN", unit, set["CallAs"])
		}
	}
	assertJSON(t, "stack's account", o.stacks.Organization.Account(), jsii.String("111111111111"))
}

// Without organization there is no curfew-organization, and the functions' roles assume
// nothing by organisation path.
func TestNoOrganizationStackWithoutOrganization(t *testing.T) {
	if seed.stacks.Organization != nil {
		t.Error("the seed map has a curfew-organization stack")
	}
	if contains(seed.templates[service], "aws:ResourceOrgPaths") || contains(seed.templates[service], accounts.OrganizationReaderRole) {
		t.Error("the seed map's service stack names organisation paths or the reader")
	}
}

// Who may assume what in accounts found by unit, asked of the simulator with the
// synthesised policies: the shutdown and restart reach CurfewScheduler only in an account
// whose parent is the swept unit (not the production unit, the unit with the shutdown
// off, a child unit, or an account outside the organisation), the cost report
// CurfewCostReader in every unit, developers (with MFA) DeveloperAccess and the CI user
// CurfewCI in every unit, the reader only the three functions with the ExternalId,
// listing the map's units only; an administrator of a found account cannot
// take the roles away, nor delete the StackSet's stack that holds them.
func TestFoundAccountsAccessBySimulation(t *testing.T) {
	o := organizationOrg(t)
	p := principals{t, o}
	m := o.m
	home := m.HomeAccount()
	const found = "555555555555"
	path := func(units ...string) []string {
		return []string{"o-a1b2c3d4e5/r-ab12/" + strings.Join(units, "/") + "/"}
	}
	swept, off, prod, child := "ou-ab12-11111111", "ou-ab12-22222222", "ou-ab12-33333333", "ou-ab12-44444444"
	sets := stackSets(t, o)
	memberTrust := func(unit, role string) any {
		return resolve(bodyRoles(body(t, sets[unit]))[role]["AssumeRolePolicyDocument"], found, m.HomeRegion)
	}
	// A trust that lets the home account in: the functions' own policies decide.
	open := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + home.ID + ":root"}}}}
	var qs []question
	for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction} {
		ctx := map[string]any{"aws:PrincipalArn": m.LambdaRoleARN(fn), "sts:ExternalId": m.ExternalID}
		ask := func(name, role string, paths []string, trust any, want string) {
			c := ctx
			honours := []string{}
			if paths != nil {
				c = merge(ctx, map[string]any{"aws:ResourceOrgPaths": paths})
				honours = []string{"aws:ResourceOrgPaths"}
			}
			qs = append(qs, question{name: fn + ": " + name, principal: session(home.ID, fn), context: c, identity: p.role(service, fn),
				action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + role, trust: trust, want: want, honours: honours})
		}
		scheduler := denied
		if fn != accounts.CostReportFunction {
			scheduler = allowed
		}
		ask("CurfewScheduler in an account of the swept unit", accounts.SchedulerRole, path(swept), memberTrust(swept, accounts.SchedulerRole), scheduler)
		ask("CurfewScheduler in an account of the swept unit under another unit", accounts.SchedulerRole, path("ou-ab12-55555555", swept), memberTrust(swept, accounts.SchedulerRole), scheduler)
		ask("CurfewScheduler in an account of the production unit", accounts.SchedulerRole, path(prod), open, denied)
		ask("CurfewScheduler in an account of the unit with the shutdown off", accounts.SchedulerRole, path(off), open, denied)
		ask("CurfewScheduler in an account of a child of the swept unit", accounts.SchedulerRole, path(swept, child), open, denied)
		ask("CurfewScheduler in an account outside the organisation", accounts.SchedulerRole, nil, open, denied)
		costReader := denied
		if fn == accounts.CostReportFunction {
			costReader = allowed
		}
		for _, unit := range []string{swept, off, prod} {
			ask("CurfewCostReader in an account of "+unit, accounts.CostReaderRole, path(unit), memberTrust(unit, accounts.CostReaderRole), costReader)
		}
		ask("CurfewCostReader in an account outside the organisation", accounts.CostReaderRole, nil, open, denied)
		qs = append(qs,
			question{name: fn + ": the reader with the ExternalId", principal: session(home.ID, fn), context: ctx, identity: p.role(service, fn),
				action: "sts:AssumeRole", resource: m.OrganizationReaderARN(), trust: p.trust(cdk.OrganizationStackName, accounts.OrganizationReaderRole), want: allowed},
			question{name: fn + ": the reader without the ExternalId", principal: session(home.ID, fn), context: map[string]any{"aws:PrincipalArn": m.LambdaRoleARN(fn)},
				identity: p.role(service, fn), action: "sts:AssumeRole", resource: m.OrganizationReaderARN(),
				trust: p.trust(cdk.OrganizationStackName, accounts.OrganizationReaderRole), want: denied},
		)
	}
	// People and pipelines of the identity account reach the roles of every unit's
	// accounts, and nothing outside the organisation; the roles' trusts still decide.
	identity := m.IdentityAccount()
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	ciUser := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
	openIdentity := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + identity.ID + ":root"}}}}
	for _, unit := range []string{swept, off, prod} {
		qs = append(qs,
			question{name: "developer with MFA: DeveloperAccess in an account of " + unit, principal: alice,
				context:  merge(withPrincipalARN(signedInAs("alice", "alice", mfa(60)), alice), map[string]any{"aws:ResourceOrgPaths": path(unit)}),
				identity: p.developer(), action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + accounts.DeveloperAccessRole,
				trust: memberTrust(unit, accounts.DeveloperAccessRole), want: allowed, honours: []string{"aws:ResourceOrgPaths"}},
			question{name: "developer without MFA: DeveloperAccess in an account of " + unit, principal: alice,
				context:  merge(withPrincipalARN(signedInAs("alice", "alice", nil), alice), map[string]any{"aws:ResourceOrgPaths": path(unit)}),
				identity: p.developer(), action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + accounts.DeveloperAccessRole,
				trust: memberTrust(unit, accounts.DeveloperAccessRole), want: denied},
			question{name: "CI user: CurfewCI in an account of " + unit, principal: ciUser,
				context:  map[string]any{"aws:PrincipalArn": ciUser, "aws:ResourceOrgPaths": path(unit)},
				identity: p.ciUser(), action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + accounts.CIRole,
				trust: memberTrust(unit, accounts.CIRole), want: allowed, honours: []string{"aws:ResourceOrgPaths"}},
		)
	}
	qs = append(qs,
		question{name: "developer with MFA: DeveloperAccess outside the organisation", principal: alice,
			context: withPrincipalARN(signedInAs("alice", "alice", mfa(60)), alice), identity: p.developer(), action: "sts:AssumeRole",
			resource: "arn:aws:iam::" + found + ":role/" + accounts.DeveloperAccessRole, trust: openIdentity, want: denied},
		question{name: "developer with MFA: DeveloperAccess in an account of a child of a unit", principal: alice,
			context:  merge(withPrincipalARN(signedInAs("alice", "alice", mfa(60)), alice), map[string]any{"aws:ResourceOrgPaths": path(swept, child)}),
			identity: p.developer(), action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + accounts.DeveloperAccessRole,
			trust: openIdentity, want: denied},
		question{name: "CI user: CurfewCI outside the organisation", principal: ciUser, context: map[string]any{"aws:PrincipalArn": ciUser},
			identity: p.ciUser(), action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + accounts.CIRole, trust: openIdentity, want: denied},
		question{name: "CI user: CurfewScheduler in an account of the swept unit", principal: ciUser,
			context:  map[string]any{"aws:PrincipalArn": ciUser, "aws:ResourceOrgPaths": path(swept)},
			identity: p.ciUser(), action: "sts:AssumeRole", resource: "arn:aws:iam::" + found + ":role/" + accounts.SchedulerRole, trust: openIdentity, want: denied},
	)

	// Anyone else of the home account, whatever its own policies allow.
	other := "arn:aws:iam::" + home.ID + ":role/Admin"
	qs = append(qs, question{name: "another role of the home account: the reader", principal: "arn:aws:sts::" + home.ID + ":assumed-role/Admin/x",
		context: map[string]any{"aws:PrincipalArn": other, "sts:ExternalId": m.ExternalID}, identity: allowEverything,
		action: "sts:AssumeRole", resource: m.OrganizationReaderARN(), trust: p.trust(cdk.OrganizationStackName, accounts.OrganizationReaderRole), want: denied})

	// An administrator of the found account (DeveloperAccess with AdministratorAccess, and
	// the unit's CurfewGuardrails) cannot take curfew's roles away, through IAM or
	// through the StackSet's stack in the account.
	swept0 := body(t, sets[swept])
	guardrails := resolve(swept0["Resources"].(map[string]any)[guardrailsID(t, swept0)].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"], found, m.HomeRegion)
	admin := append([]namedPolicy{{"CurfewGuardrails", guardrails}}, allowEverything...)
	developer := "arn:aws:sts::" + found + ":assumed-role/" + accounts.DeveloperAccessRole + "/alice"
	instanceStack := "arn:aws:cloudformation:" + m.HomeRegion + ":" + found + ":stack/StackSet-" + cdk.StackSetName(m.Organization.OUs[0]) + "-0a1b2c3d-4e5f-6789-abcd-ef0123456789/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	for _, c := range []struct{ name, action, resource string }{
		{"deletes the StackSet's stack", "cloudformation:DeleteStack", instanceStack},
		{"updates the StackSet's stack", "cloudformation:UpdateStack", instanceStack},
		{"deletes CurfewScheduler", "iam:DeleteRole", "arn:aws:iam::" + found + ":role/" + accounts.SchedulerRole},
		{"widens DeveloperAccess's trust", "iam:UpdateAssumeRolePolicy", "arn:aws:iam::" + found + ":role/" + accounts.DeveloperAccessRole},
	} {
		qs = append(qs, question{name: "found account's administrator: " + c.name, principal: developer, identity: admin,
			action: c.action, resource: c.resource, want: explicitlyDenied})
	}

	reader := p.role(cdk.OrganizationStackName, accounts.OrganizationReaderRole)
	readerSession := "arn:aws:sts::" + m.ManagementAccountID() + ":assumed-role/" + accounts.OrganizationReaderRole + "/curfew"
	unitARN := func(unit string) string {
		return "arn:aws:organizations::" + m.ManagementAccountID() + ":ou/o-a1b2c3d4e5/" + unit
	}
	for _, c := range []struct {
		name, action, resource, want string
	}{
		{"lists the swept unit's accounts", "organizations:ListAccountsForParent", unitARN(swept), allowed},
		{"lists the production unit's accounts", "organizations:ListAccountsForParent", unitARN(prod), allowed},
		{"lists another unit's accounts", "organizations:ListAccountsForParent", unitARN(child), denied},
		{"lists the swept unit's child units", "organizations:ListOrganizationalUnitsForParent", unitARN(swept), allowed},
		{"lists another unit's child units", "organizations:ListOrganizationalUnitsForParent", unitARN(child), denied},
		{"describes a unit", "organizations:DescribeOrganizationalUnit", unitARN(swept), denied},
		{"lists the root's accounts", "organizations:ListAccountsForParent", "arn:aws:organizations::" + m.ManagementAccountID() + ":root/o-a1b2c3d4e5/r-ab12", denied},
		{"lists every account", "organizations:ListAccounts", "*", denied},
		{"moves an account", "organizations:MoveAccount", "arn:aws:organizations::" + m.ManagementAccountID() + ":account/o-a1b2c3d4e5/" + found, denied},
	} {
		qs = append(qs, question{name: "reader: " + c.name, principal: readerSession, identity: reader, action: c.action, resource: c.resource, want: c.want})
	}
	simulate(t, qs)
}

// The organisation's templates fit IAM's and CloudFormation's quotas (the units'
// templates checked as stacks of their own, and as StackSet bodies), and pass cdk-nag,
// cfn-lint and checkov: curfew-organization and each unit's template as synthesised
// (with the linters' reasons, which the StackSet's body leaves out).
func TestOrganizationTemplatesPassTheChecks(t *testing.T) {
	o := organizationOrg(t)
	largest, err := cdk.CheckTemplates(o.templates)
	if err != nil {
		t.Error(err)
	}
	if l, ok := largest["StackSet template body"]; !ok || l.Size > cdk.MaxTemplateBodySize {
		t.Errorf("largest StackSet template body: %+v", l)
	} else {
		t.Logf("largest StackSet template body: %d bytes (%s), quota %d", l.Size, l.Where, cdk.MaxTemplateBodySize)
	}
	o.noNagFindings(t)

	o.unitsNoNagFindings(t)
	o.lintWithUnits(t, cdk.OrganizationStackName)
}

// A unit swept in every region: its accounts' CurfewScheduler would have more inline
// policy than IAM allows a role, which CheckTemplates names inside the unit's StackSet
// (its body still fits: IAM's quota comes first).
func TestUnitTemplateOverQuotaIsNamed(t *testing.T) {
	data, err := os.ReadFile("testdata/many-regions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var regions string
	for line := range strings.SplitSeq(string(data), "\n") {
		if r, ok := strings.CutPrefix(strings.TrimSpace(line), "regions: "); ok {
			regions = r
		}
	}
	text := fmt.Sprintf(`identity: people
home: people
homeRegion: eu-west-1
externalId: curfew-too-large
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [platform@example.com]}
accounts:
  - {name: people, id: "000000000041", environment: production}
  - {name: shop, id: "000000000043", environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
organization:
  managementAccount: "000000000049"
  ous:
    - {id: ou-ab12-11111111, environment: non-production, regions: %s, developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`, regions)
	o := synthText(t, "everywhere.yaml", text)
	largest, err := cdk.CheckTemplates(o.templates)
	want := regexp.MustCompile(`role's inline policies curfew-organization/Membersouab1211111111/Scheduler[0-9A-F]{8}: \d+ characters, the quota is 10240`)
	if err == nil || !want.MatchString(err.Error()) {
		t.Fatalf("CheckTemplates = %v, want it to name the unit's CurfewScheduler", err)
	}
	t.Logf("%v; the unit's template: %d bytes", err, largest["StackSet template body"].Size)
}

// CheckTemplates checks a StackSet's body against the inline template quota and its IAM
// documents as a stack of their own.
func TestCheckTemplatesLooksIntoStackSets(t *testing.T) {
	member := map[string]any{"Resources": map[string]any{
		"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"},
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::111111111111:role/" + strings.Repeat("r", 2100)}},
			}}},
		}},
		"Padding": map[string]any{"Type": "AWS::CloudFormation::WaitConditionHandle", "Metadata": map[string]any{"pad": strings.Repeat("p", cdk.MaxTemplateBodySize)}},
	}}
	data, err := json.Marshal(member)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cdk.CheckTemplates(map[string]map[string]any{"s": {"Resources": map[string]any{
		"Set": map[string]any{"Type": "AWS::CloudFormation::StackSet", "Properties": map[string]any{"TemplateBody": string(data)}},
	}}})
	for _, want := range []string{
		fmt.Sprintf("StackSet template body s/Set: %d bytes, the quota is %d", len(data), cdk.MaxTemplateBodySize),
		"trust policy s/Set/Role: ",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckTemplates does not say %q:\n%v", want, err)
		}
	}
}

// A map with more units than StackSets one account may hold is refused before any stack
// is added, naming the quota.
func TestTooManyUnitsAreRefused(t *testing.T) {
	m, err := accounts.Load(organizationMap)
	if err != nil {
		t.Fatal(err)
	}
	unit := m.Organization.OUs[0]
	m.Organization.OUs = nil
	for i := range cdk.MaxStackSets + 1 {
		u := unit
		u.ID = fmt.Sprintf("ou-ab12-%08d", i)
		m.Organization.OUs = append(m.Organization.OUs, u)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	_, err = cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: "testdata/no-lambdas"})
	want := fmt.Sprintf("organization.ous: %d units would need %d StackSets in the management account; CloudFormation allows %d", cdk.MaxStackSets+1, cdk.MaxStackSets+1, cdk.MaxStackSets)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("NewCurfew = %v, want %q", err, want)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("the refused map added %d stacks", n)
	}
}
