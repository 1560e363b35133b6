package cdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

const identityCenterMap = "testdata/identity-center.yaml"

// The two models of one organisation, synthesised once for the tests of this file: the
// map of identityCenterMap, and the same map with access: iam-users.
var models struct {
	once                sync.Once
	center, users       *org
	centerErr, usersErr error
}

func bothModels(t *testing.T) (center, users *org) {
	t.Helper()
	models.once.Do(func() {
		// Under TestMain's folder, which it removes at the end.
		dir := filepath.Dir(lambdaDir)
		m, err := accounts.Load(identityCenterMap)
		if err != nil {
			models.centerErr = err
			return
		}
		m.Access, m.IdentityCenter = "", nil
		data, err := m.Encode()
		if err != nil {
			models.usersErr = err
			return
		}
		usersPath := filepath.Join(dir, "iam-users.yaml")
		if err := os.WriteFile(usersPath, data, 0o644); err != nil {
			models.usersErr = err
			return
		}
		models.center, models.centerErr = synth(identityCenterMap, lambdaDir, filepath.Join(dir, "center"))
		models.users, models.usersErr = synth(usersPath, lambdaDir, filepath.Join(dir, "users"))
	})
	if models.centerErr != nil || models.usersErr != nil {
		t.Fatalf("synthesis: identity-center %v; iam-users %v", models.centerErr, models.usersErr)
	}
	return models.center, models.users
}

// stackNames are the names of the stacks of both models.
func (o *org) stackNames() []string {
	names := []string{"curfew-identity"}
	for _, a := range o.m.Targets() {
		names = append(names, "curfew-"+a.Name)
	}
	return append(names, service)
}

// GIVEN access: identity-center WHEN the app is synthesised THEN curfew-identity-center
// holds one DeveloperAccess permission set per environment, with that environment's
// policies, the guardrails and the 4-hour session, assigned to the environment's groups in
// each of its accounts, and CurfewOperator in the home account only.
func TestIdentityCenterStack(t *testing.T) {
	center, _ := bothModels(t)
	s := center.stacks.IdentityCenter
	if s == nil {
		t.Fatal("no curfew-identity-center stack")
	}
	root, _ := center.m.Account("root")
	if got := *s.Account() + "/" + *s.Region(); got != root.ID+"/us-east-1" {
		t.Errorf("curfew-identity-center deploys to %s, want the instance's account and region %s/us-east-1", got, root.ID)
	}
	const stack = cdk.IdentityCenterStackName
	sets := center.resources(t, stack, "AWS::SSO::PermissionSet")
	if len(sets) != 3 {
		t.Fatalf("%d permission sets, want DeveloperAccess-non-production, DeveloperAccess-production and CurfewOperator: %v", len(sets), sets)
	}
	guardrails := parseJSON(t, `[{"Name": "CurfewGuardrails", "Path": "/"}]`)
	for _, tt := range []struct {
		name     string
		policies []string
	}{
		{"DeveloperAccess-non-production", []string{"PowerUserAccess"}},
		{"DeveloperAccess-production", []string{"ReadOnlyAccess"}},
	} {
		set := center.resource(t, stack, "AWS::SSO::PermissionSet", "Name", tt.name)
		assertJSON(t, tt.name+" instance", set["InstanceArn"], center.m.IdentityCenter.InstanceARN)
		assertJSON(t, tt.name+" session", set["SessionDuration"], "PT4H")
		assertJSON(t, tt.name+" customer managed policies", set["CustomerManagedPolicyReferences"], guardrails)
		got := resolve(set["ManagedPolicies"], root.ID, "us-east-1")
		assertJSON(t, tt.name+" managed policies", got, managedARNs(tt.policies))
		if set["InlinePolicy"] != nil || set["PermissionsBoundary"] != nil {
			t.Errorf("%s has more than the map's policies: %v", tt.name, set)
		}
	}
	prod := resolve(center.resource(t, stack, "AWS::SSO::PermissionSet", "Name", "DeveloperAccess-production")["ManagedPolicies"], root.ID, "us-east-1")
	var prodARNs []string
	for _, a := range prod.([]any) {
		prodARNs = append(prodARNs, a.(string))
	}
	if !readOnly(prodARNs) {
		t.Errorf("DeveloperAccess-production has %v, want read-only policies only", prodARNs)
	}
	operator := center.resource(t, stack, "AWS::SSO::PermissionSet", "Name", accounts.OperatorPermissionSet)
	assertJSON(t, "CurfewOperator session", operator["SessionDuration"], "PT4H")
	if operator["ManagedPolicies"] != nil || operator["CustomerManagedPolicyReferences"] != nil {
		t.Errorf("CurfewOperator has policies beyond its inline one: %v", operator)
	}
	// curfew-operator's inline policy, and the reads of the cost reports curfew-operator has
	// from its stack, here by the bucket's name (TestIdentityCenterAccessBySimulation).
	opStatements := statements(t, operator["InlinePolicy"])
	for _, sid := range []string{"ReadCostReports", "ListCostReports"} {
		if opStatements[sid] == nil {
			t.Errorf("CurfewOperator has no %s", sid)
		}
		delete(opStatements, sid)
	}
	assertJSON(t, "CurfewOperator's inline policy", opStatements,
		statements(t, center.role(t, service, accounts.OperatorRole)["Policies"].([]any)[0].(map[string]any)["PolicyDocument"]))

	// Assignments: group → permission set → account, exactly.
	setIDs := map[string]string{}
	for id, set := range sets {
		setIDs[id] = set["Name"].(string)
	}
	var got []string
	for _, a := range center.resources(t, stack, "AWS::SSO::Assignment") {
		if a["PrincipalType"] != "GROUP" || a["TargetType"] != "AWS_ACCOUNT" {
			t.Errorf("assignment %v: want a group assigned to an account", a)
		}
		setRef := a["PermissionSetArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		got = append(got, fmt.Sprintf("%s %s %s", a["PrincipalId"], setIDs[setRef], a["TargetId"]))
	}
	slices.Sort(got)
	const nonProd1, nonProd2, prodGroup, ops = "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b1", "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b4", "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b2", "9067d2f4-3041-70f6-e73b-1e2ee0a6a0b3"
	want := []string{
		nonProd1 + " DeveloperAccess-non-production 000000000003", nonProd1 + " DeveloperAccess-non-production 000000000004",
		prodGroup + " DeveloperAccess-production 000000000001", prodGroup + " DeveloperAccess-production 000000000005",
		ops + " CurfewOperator 000000000003",
		nonProd2 + " DeveloperAccess-non-production 000000000003", nonProd2 + " DeveloperAccess-non-production 000000000004",
	}
	slices.Sort(want)
	assertJSON(t, "assignments (group, permission set, account)", got, want)
}

// GIVEN access: identity-center THEN no stack creates anything for people in IAM: no
// developers or operators group, no IAM user but the CI user, no access key, no
// DeveloperAccess role.
func TestIdentityCenterCreatesNoIAMForPeople(t *testing.T) {
	center, _ := bothModels(t)
	for _, name := range center.stackNames() {
		for _, r := range center.resources(t, name, "AWS::IAM::User") {
			if r["UserName"] != center.m.CI.User {
				t.Errorf("%s creates IAM user %v", name, r["UserName"])
			}
		}
		for _, g := range center.resources(t, name, "AWS::IAM::Group") {
			if n := g["GroupName"]; n == cdk.DevelopersGroup || n == cdk.OperatorsGroup {
				t.Errorf("%s creates the %v group", name, n)
			}
		}
		if keys := center.resources(t, name, "AWS::IAM::AccessKey"); len(keys) > 0 {
			t.Errorf("%s creates access keys: %v", name, keys)
		}
		if (principals{t, center}).hasRole(name, accounts.DeveloperAccessRole) {
			t.Errorf("%s creates the DeveloperAccess role", name)
		}
	}
	if groups := center.resources(t, "curfew-identity", "AWS::IAM::Group"); len(groups) != 1 {
		t.Errorf("curfew-identity has %d groups, want the CI user's only", len(groups))
	}
}

// GIVEN one organisation in both models THEN every member stack differs only by the
// DeveloperAccess role and the guardrails' attachment to it; the service stack only by
// the account map inside the functions' code (its asset hash); the identity stack only by
// the developers' and operators' groups and their policies.
func TestModelsDifferOnlyInAccessForPeople(t *testing.T) {
	center, users := bothModels(t)
	for _, a := range center.m.Targets() {
		name := "curfew-" + a.Name
		c, u := clone(t, center.templates[name]), clone(t, users.templates[name])
		dev := users.logicalID(t, name, "AWS::IAM::Role", "RoleName", accounts.DeveloperAccessRole)
		resources := u["Resources"].(map[string]any)
		delete(resources, dev)
		guards := users.logicalID(t, name, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", cdk.GuardrailsPolicy)
		props := resources[guards].(map[string]any)["Properties"].(map[string]any)
		props["Roles"] = slices.DeleteFunc(props["Roles"].([]any), func(r any) bool { return equalJSON(r, map[string]any{"Ref": dev}) })
		if d := jsonDiff("", c, u); len(d) > 0 {
			t.Errorf("%s differs between the models beyond DeveloperAccess:\n%s", name, strings.Join(d, "\n"))
		}
	}

	c, u := clone(t, center.templates[service]), clone(t, users.templates[service])
	d := jsonDiff("", c, u)
	for _, path := range d {
		if !strings.HasSuffix(strings.Fields(path)[0], ".Properties.Code.S3Key") {
			t.Errorf("curfew-service differs between the models beyond the functions' code: %s", path)
		}
	}
	if len(d) != 3 {
		t.Errorf("curfew-service: %d differences, want the code of the 3 functions (the map they carry): %v", len(d), d)
	}

	c, u = clone(t, center.templates["curfew-identity"]), clone(t, users.templates["curfew-identity"])
	var peoples []string
	for id, r := range u["Resources"].(map[string]any) {
		r := r.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		group := r["Type"] == "AWS::IAM::Group" && (props["GroupName"] == cdk.DevelopersGroup || props["GroupName"] == cdk.OperatorsGroup)
		policy := r["Type"] == "AWS::IAM::ManagedPolicy" && !contains(props["PolicyDocument"], "AssumeCIRoles")
		if group || policy {
			peoples = append(peoples, id)
		}
	}
	for _, id := range peoples {
		delete(u["Resources"].(map[string]any), id)
	}
	if d := jsonDiff("", c, u); len(d) > 0 {
		t.Errorf("curfew-identity differs between the models beyond the groups of people (%v):\n%s", peoples, strings.Join(d, "\n"))
	}
}

// clone deep-copies a template through JSON.
func clone(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonDiff lists the paths where a and b differ, each with both values.
func jsonDiff(path string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, jsonDiff(path+"."+k, am[k], bm[k])...)
		}
		return out
	}
	if equalJSON(a, b) {
		return nil
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return []string{fmt.Sprintf("%s identity-center=%.200s iam-users=%.200s", path, ja, jb)}
}

// The new stack passes cdk-nag's AwsSolutions checks, like every other stack of the map.
func TestIdentityCenterNag(t *testing.T) {
	center, _ := bothModels(t)
	center.noNagFindings(t)
}

// Every template of the identity-center model passes cfn-lint and checkov.
func TestIdentityCenterTemplatesPassTheLinters(t *testing.T) {
	center, _ := bothModels(t)
	lintTemplates(t, center)
}

// The permission sets' policies in the accounts, asked of the IAM simulator with the real
// AWS managed policy documents and the account's CurfewGuardrails: production reads and
// cannot write; nobody with a permission set changes curfew's roles, stacks or functions;
// operators invoke curfew's functions and nothing else.
func TestIdentityCenterAccessBySimulation(t *testing.T) {
	center, _ := bothModels(t)
	p := principals{t, center}
	const stack = cdk.IdentityCenterStackName
	root, _ := center.m.Account("root")
	home := center.m.HomeAccount()
	permissionSet := func(name string, a accounts.Account) (string, []namedPolicy) {
		set := center.resource(t, stack, "AWS::SSO::PermissionSet", "Name", name)
		var arns []string
		for _, x := range resolve(set["ManagedPolicies"], root.ID, "us-east-1").([]any) {
			arns = append(arns, x.(string))
		}
		member := "curfew-" + a.Name
		_, region := p.account(member)
		guards := center.resource(t, member, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", cdk.GuardrailsPolicy)
		policies := append(awsManaged(t, arns...), namedPolicy{cdk.GuardrailsPolicy, resolve(guards["PolicyDocument"], a.ID, region)})
		return fmt.Sprintf("arn:aws:sts::%s:assumed-role/AWSReservedSSO_%s_0123456789abcdef/alice@example.com", a.ID, name), policies
	}
	var qs []question
	ask := func(name, principal string, policies []namedPolicy, action, resource, want string) {
		qs = append(qs, question{name: name, principal: principal, identity: policies, action: action, resource: resource, want: want})
	}
	curfewRoles := []string{accounts.CIRole, accounts.SchedulerRole, accounts.CostReaderRole}
	for _, a := range center.m.Targets() {
		name := accounts.PermissionSetName(a.Environment)
		who, policies := permissionSet(name, a)
		region := a.DefaultRegion()
		instance := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", region, a.ID)
		db := fmt.Sprintf("arn:aws:rds:%s:%s:db:app-db", region, a.ID)
		ask(a.Name+": "+name+" describes instances", who, policies, "ec2:DescribeInstances", "*", allowed)
		if a.IsProduction() {
			for _, w := range []struct{ action, resource string }{
				{"ec2:StopInstances", instance}, {"ec2:TerminateInstances", instance}, {"ec2:CreateTags", instance},
				{"rds:StopDBInstance", db}, {"rds:DeleteDBInstance", db}, {"s3:PutObject", "arn:aws:s3:::data/x"},
				{"iam:CreateRole", a.RoleARN("Backdoor")},
			} {
				ask(a.Name+" (production): "+name+" calls "+w.action, who, policies, w.action, w.resource, denied)
			}
		} else {
			ask(a.Name+": "+name+" stops an instance", who, policies, "ec2:StopInstances", instance, allowed)
		}
		for _, r := range curfewRoles {
			for _, action := range []string{"iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PassRole", "iam:DeleteRole"} {
				ask(a.Name+": "+name+" calls "+action+" on "+r, who, policies, action, a.RoleARN(r), denied)
			}
		}
		ask(a.Name+": "+name+" detaches CurfewGuardrails", who, policies, "iam:DeletePolicy",
			fmt.Sprintf("arn:aws:iam::%s:policy/%s", a.ID, cdk.GuardrailsPolicy), denied)
		ask(a.Name+": "+name+" deletes the account's curfew stack", who, policies, "cloudformation:DeleteStack",
			fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/curfew-%s/1", region, a.ID, a.Name), explicitlyDenied)
		ask(a.Name+": "+name+" creates an IAM user", who, policies, "iam:CreateUser", "arn:aws:iam::"+a.ID+":user/x", explicitlyDenied)
	}
	function := func(f string) string {
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", center.m.HomeRegion, home.ID, f)
	}
	who, devPolicies := permissionSet(accounts.PermissionSetName(home.Environment), home)
	ask("tooling (home): developers replace curfew-shutdown's code", who, devPolicies, "lambda:UpdateFunctionCode", function(accounts.ShutdownFunction), explicitlyDenied)

	operator := center.resource(t, stack, "AWS::SSO::PermissionSet", "Name", accounts.OperatorPermissionSet)
	opPolicies := []namedPolicy{{"CurfewOperator", resolve(operator["InlinePolicy"], home.ID, center.m.HomeRegion)}}
	op := fmt.Sprintf("arn:aws:sts::%s:assumed-role/AWSReservedSSO_CurfewOperator_0123456789abcdef/olga@example.com", home.ID)
	for _, f := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction} {
		ask("operator invokes "+f, op, opPolicies, "lambda:InvokeFunction", function(f), allowed)
		ask("operator updates "+f, op, opPolicies, "lambda:UpdateFunctionCode", function(f), denied)
	}
	ask("operator invokes another function", op, opPolicies, "lambda:InvokeFunction", function("payroll"), denied)
	ask("operator passes curfew-shutdown's role", op, opPolicies, "iam:PassRole", home.RoleARN(accounts.ShutdownFunction), denied)
	ask("operator assumes CurfewScheduler", op, opPolicies, "sts:AssumeRole", home.RoleARN(accounts.SchedulerRole), denied)
	// The cost reports, by the service bucket's generated name (as in TestHomeServiceIsGuarded);
	// an S3 ARN names no account: the bucket is the home account's.
	bucket := "arn:aws:s3:::curfew-service-bucket83908e77-1x2y3z4w5v6u"
	s3ask := func(name, action, resource, want string) {
		qs = append(qs, question{name: name, principal: op, identity: opPolicies, action: action, resource: resource, account: home.ID, want: want})
	}
	s3ask("operator reads a cost report", "s3:GetObject", bucket+"/reports/2026/11/27/cost-20261127T070000Z.html", allowed)
	s3ask("operator reads run history", "s3:GetObject", bucket+"/runs/2026/11/26/20261126T190000Z-shutdown-1a2b.json", denied)
	s3ask("operator writes a cost report", "s3:PutObject", bucket+"/reports/2026/11/27/cost-20261127T070000Z.html", denied)
	s3ask("operator reads another bucket's reports", "s3:GetObject", "arn:aws:s3:::payroll-exports/reports/2026.csv", denied)
	simulate(t, qs)
}

// An assignment is a resource per group and account: a map whose curfew-identity-center
// would pass CloudFormation's 500 resources is refused before any stack is added.
func TestIdentityCenterOverStackQuotaIsRefused(t *testing.T) {
	m, err := accounts.Parse([]byte(largeOrgMap(300)))
	if err != nil {
		t.Fatal(err)
	}
	center, err := accounts.Load(identityCenterMap)
	if err != nil {
		t.Fatal(err)
	}
	m.Access, m.IdentityCenter = accounts.AccessIdentityCenter, center.IdentityCenter
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	// 240 non-production accounts × 2 groups, 60 production × 1, 1 operator group.
	_, err = cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: "testdata/no-lambdas"})
	if want := "curfew-identity-center would declare 545 resources"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("NewCurfew error = %v, want it to say %q", err, want)
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("the app has %d children after a refused map, want 0", n)
	}
}

// Every template of the identity-center model fits IAM's and CloudFormation's quotas.
func TestIdentityCenterFitsQuotas(t *testing.T) {
	center, _ := bothModels(t)
	checkIAMLimits(t, center)
}
