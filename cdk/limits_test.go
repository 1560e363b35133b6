package cdk_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/preflight"
)

// largeOrgRegions are the regions the generated organisation's accounts spread over.
var largeOrgRegions = [][]string{
	{"eu-west-1", "eu-central-1"}, {"us-east-1", "us-west-2"}, {"ap-southeast-2"}, {"eu-west-1", "us-east-1", "ap-northeast-1"},
}

// largeOrgMap is a valid account map of n target accounts (every fifth production, the
// rest swept, over a few regions, some on a schedule of their own), with the biggest
// fixed documents curfew writes: a CI user restricted to networks, and holidays.
func largeOrgMap(n int) string {
	var b strings.Builder
	b.WriteString(`identity: people
home: people
homeRegion: eu-west-1
externalId: curfew-large-organisation
ci:
  user: ci-deployer
  sourceIps: [203.0.113.0/24, 198.51.100.0/24]
  sourceVpcs: [vpc-0a1b2c3d4e5f60718]
schedule:
  timezone: Europe/Madrid
  stop: {at: "20:00", days: [MON-FRI]}
  start: {at: "07:30", days: [MON-FRI]}
  holidays: ["2026-12-25", "2027-01-01"]
costReport: {at: "08:00", days: [MON], recipients: [platform@example.com, finance@example.com]}
accounts:
  - {name: people, id: "100000000000", environment: production}
`)
	for i := range n {
		regions := strings.Join(largeOrgRegions[i%len(largeOrgRegions)], ", ")
		id := fmt.Sprintf("%012d", 100000000001+i)
		if i%5 == 4 {
			fmt.Fprintf(&b, "  - {name: prod-%03d, id: %q, environment: production, regions: [%s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess], ciCdkDeploy: true}\n", i, id, regions)
			continue
		}
		schedule := ""
		if i%50 == 1 {
			schedule = `, schedule: {timezone: America/New_York}`
		}
		fmt.Fprintf(&b, "  - {name: team-%03d, id: %q, environment: non-production, regions: [%s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]%s}\n", i, id, regions, schedule)
	}
	return b.String()
}

// largeOrg synthesises the 500-account organisation once per test binary.
var largeOrg = onceOrg(func(t *testing.T) (*org, error) {
	dir := filepath.Join(lambdaDir, "..", "large-org")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "org-500.yaml")
	if err := os.WriteFile(path, []byte(largeOrgMap(500)+largeOrgUnits(10)), 0o644); err != nil {
		return nil, err
	}
	start := time.Now()
	o, err := synthWith(path, lambdaDir, filepath.Join(dir, "cdk.out"), false)
	if err == nil {
		t.Logf("500 target accounts: %d stacks synthesised in %s (without cdk-nag)", len(o.templates), time.Since(start).Round(time.Millisecond))
	}
	return o, err
})

// TestLargeOrganisationAccessBySimulation asks the simulator about accounts at both ends
// of each of the packed policies of the 500-account organisation: developers reach every
// target's DeveloperAccess and nothing outside the map, the CI user every CurfewCI, the
// shutdown every swept account's CurfewScheduler and no production one, the cost report
// every CurfewCostReader.
func TestLargeOrganisationAccessBySimulation(t *testing.T) {
	o := largeOrg(t)
	p := principals{t, o}
	m := o.m
	identity, home := m.IdentityAccount(), m.HomeAccount()
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	ciUser := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
	dev, ci := p.developer(), p.ciUser()
	shutdown, cost := p.role(service, accounts.ShutdownFunction), p.role(service, accounts.CostReportFunction)
	var qs []question
	targets := m.Targets()
	for _, i := range []int{0, 1, 123, 124, 125, 126, 249, 250, 251, 374, 375, 376, 498, 499} {
		a := targets[i]
		stack := "curfew-" + a.Name
		qs = append(qs,
			question{name: a.Name + ": developer with MFA assumes DeveloperAccess", principal: alice,
				context: withPrincipalARN(signedInAs("alice", "alice", mfa(60)), alice), identity: dev, action: "sts:AssumeRole",
				resource: a.RoleARN(accounts.DeveloperAccessRole), trust: p.trust(stack, accounts.DeveloperAccessRole), want: allowed},
			question{name: a.Name + ": CI user assumes CurfewCI from its network", principal: ciUser,
				context: map[string]any{"aws:PrincipalArn": ciUser, "aws:SourceIp": "203.0.113.7"}, identity: ci, action: "sts:AssumeRole",
				resource: a.RoleARN(accounts.CIRole), trust: p.trust(stack, accounts.CIRole), want: allowed},
			question{name: a.Name + ": curfew-cost-report assumes CurfewCostReader", principal: session(home.ID, accounts.CostReportFunction),
				context: map[string]any{"aws:PrincipalArn": m.LambdaRoleARN(accounts.CostReportFunction), "sts:ExternalId": m.ExternalID}, identity: cost,
				action: "sts:AssumeRole", resource: a.RoleARN(accounts.CostReaderRole), trust: p.trust(stack, accounts.CostReaderRole), want: allowed},
		)
		want, trust := denied, any(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + home.ID + ":root"}}}})
		if a.ShutdownEnabled() {
			want, trust = allowed, p.trust(stack, accounts.SchedulerRole)
		}
		qs = append(qs, question{name: a.Name + ": curfew-shutdown assumes CurfewScheduler", principal: session(home.ID, accounts.ShutdownFunction),
			context: map[string]any{"aws:PrincipalArn": m.LambdaRoleARN(accounts.ShutdownFunction), "sts:ExternalId": m.ExternalID}, identity: shutdown,
			action: "sts:AssumeRole", resource: a.RoleARN(accounts.SchedulerRole), trust: trust, want: want})
	}
	open := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + identity.ID + ":root"}}}}
	qs = append(qs, question{name: "outside the map: developer with MFA assumes DeveloperAccess", principal: alice,
		context: withPrincipalARN(signedInAs("alice", "alice", mfa(60)), alice), identity: dev, action: "sts:AssumeRole",
		resource: "arn:aws:iam::999999999999:role/DeveloperAccess", trust: open, want: denied})
	simulate(t, qs)
}

// TestIAMLimitsOfLargeOrganisation synthesises a 500-account organisation (which also finds
// accounts in 10 units) and checks every IAM document of every template against IAM's
// quotas.
func TestIAMLimitsOfLargeOrganisation(t *testing.T) {
	o := largeOrg(t)
	if n := len(o.m.Targets()); n != 500 || len(o.templates) != 503 {
		t.Fatalf("%d targets, %d templates: want 500 and 503", n, len(o.templates))
	}
	checkIAMLimits(t, o)
	data, err := o.m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the map the functions carry: %d bytes", len(data))

	// The longest schedule input: the stop schedule names its accounts.
	input := 0
	for _, s := range o.resources(t, service, "AWS::Scheduler::Schedule") {
		input = max(input, len(s["Target"].(map[string]any)["Input"].(string)))
	}
	t.Logf("longest schedule input: %d characters", input)

	// The stacks that grow with the map, and one member stack of each kind (the other
	// members have the same shape).
	dir := t.TempDir()
	var files []string
	for _, stack := range []string{"curfew-identity", service, "curfew-team-000", "curfew-team-001", "curfew-prod-004", cdk.OrganizationStackName} {
		data, err := json.Marshal(o.templates[stack])
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, stack+".template.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	cfnLint(t, files...)
}

// TestIAMLimitsOfTestMaps checks every IAM document of the repository's maps.
func TestIAMLimitsOfTestMaps(t *testing.T) {
	t.Run("testdata/ci-user.yaml", func(t *testing.T) { checkIAMLimits(t, seed) })
	t.Run("testdata/oidc.yaml", func(t *testing.T) { checkIAMLimits(t, oidcOrg) })
	t.Run(organizationMap, func(t *testing.T) { checkIAMLimits(t, organizationOrg(t)) })
	for _, path := range []string{"../accounts.yaml", "testdata/ci-networks.yaml", "testdata/guard.yaml", "testdata/management-target.yaml", "testdata/oidc-subjects.yaml"} {
		t.Run(path, func(t *testing.T) {
			o, err := synthWith(path, lambdaDir, t.TempDir(), false)
			if err != nil {
				t.Fatal(err)
			}
			checkIAMLimits(t, o)
		})
	}
}

// TestAccountCeiling finds how many target accounts curfew holds: until a principal would
// need more managed policies than IAM attaches (checked before anything else, so the
// search needs no Lambda builds), or the map the functions carry would pass what
// accounts.Parse accepts; a map past either is refused, naming why, before any stack is
// added. The maps are built in Go, past what a map file may hold.
func TestAccountCeiling(t *testing.T) {
	base, err := accounts.Parse([]byte(largeOrgMap(100)))
	if err != nil {
		t.Fatal(err)
	}
	build := func(n int) *accounts.Map {
		m := *base
		m.Accounts = slices.Clone(base.Accounts[:1])
		for i := range n {
			a := base.Accounts[1+i%100]
			a.Name = fmt.Sprintf("%s-%d", a.Name, i)
			a.ID = fmt.Sprintf("%012d", 200000000000+i)
			m.Accounts = append(m.Accounts, a)
		}
		return &m
	}
	curfew := func(m *accounts.Map, lambdas string) error {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		_, err := cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: lambdas})
		if n := len(*app.Node().Children()); err != nil && n != 0 {
			t.Errorf("%d accounts: refused, yet the app has %d stacks", len(m.Accounts)-1, n)
		}
		return err
	}
	fitsIAM := func(n int) bool {
		err := curfew(build(n), "testdata/no-lambdas")
		return err != nil && strings.Contains(err.Error(), "make lambdas")
	}
	fitsMap := func(n int) bool {
		data, err := build(n).Encode()
		return err == nil && len(data) <= accounts.MaxMapSize
	}
	ceiling := func(fits func(int) bool) int {
		lo, hi := 500, 4000
		if !fits(lo) || fits(hi) {
			t.Fatalf("the ceiling is not between %d and %d", lo, hi)
		}
		for hi-lo > 1 {
			if mid := (lo + hi) / 2; fits(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		return lo
	}
	iam, size := ceiling(fitsIAM), ceiling(fitsMap)
	t.Logf("IAM's default quotas hold %d target accounts; the functions' map holds %d", iam, size)
	for _, c := range []struct {
		n    int
		want string
	}{
		{iam + 1, "the developers group (" + fmt.Sprint(iam+1) + " target accounts) would have 11 managed policies attached; IAM allows 10"},
		{size + 1, "bytes for the Lambda functions, more than the 262144 (256 KiB) they accept"},
	} {
		lambdas := lambdaDir
		if c.n > iam {
			lambdas = "testdata/no-lambdas" // refused before the builds are looked at
		}
		if err := curfew(build(c.n), lambdas); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d accounts: %v, want %q", c.n, err, c.want)
		}
	}
}

// checkIAMLimits checks every IAM document of every template of o with
// cdk.CheckTemplates and logs the largest of each kind.
func checkIAMLimits(t *testing.T, o *org) {
	t.Helper()
	largest, err := cdk.CheckTemplates(o.templates)
	if err != nil {
		t.Error(err)
	}
	for _, kind := range slices.Sorted(maps.Keys(largest)) {
		t.Logf("largest %s: %d (%s)", kind, largest[kind].Size, largest[kind].Where)
	}
}

// TestTemplatesOverQuotaAreNamed: an account swept in every region makes CurfewScheduler's
// inline policy larger than IAM allows a role; CheckTemplates names it.
func TestTemplatesOverQuotaAreNamed(t *testing.T) {
	o, err := synthWith("testdata/many-regions.yaml", lambdaDir, t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cdk.CheckTemplates(o.templates)
	scheduler := o.logicalID(t, "curfew-everywhere", "AWS::IAM::Role", "RoleName", accounts.SchedulerRole)
	want := "role's inline policies curfew-everywhere/" + scheduler + ": "
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "the quota is 10240") {
		t.Fatalf("CheckTemplates = %v, want it to name %s", err, want)
	}
	t.Log(err)
}

// TestCheckTemplatesNamesEveryBreach checks CheckTemplates on a template written here
// that breaks each quota once.
func TestCheckTemplatesNamesEveryBreach(t *testing.T) {
	doc := func(chars int) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + strings.Repeat("b", chars)}}}
	}
	ref := func(id string) map[string]any { return map[string]any{"Ref": id} }
	var eleven []any
	resources := map[string]any{
		"Group": map[string]any{"Type": "AWS::IAM::Group", "Properties": map[string]any{
			"Policies": []any{map[string]any{"PolicyName": "big", "PolicyDocument": doc(5200)}}}},
		"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{"AssumeRolePolicyDocument": doc(2100)}},
		"User": map[string]any{"Type": "AWS::IAM::User"},
		"BigManaged": map[string]any{"Type": "AWS::IAM::ManagedPolicy", "Properties": map[string]any{
			"PolicyDocument": doc(6200), "Roles": []any{ref("Role")}}},
		"UserPolicy": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
			"PolicyDocument": doc(2100), "Users": []any{ref("User")}}},
		"Stray": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{
			"PolicyDocument": doc(10), "Roles": []any{"imported-role"}}},
	}
	for i := range 11 {
		eleven = append(eleven, "arn:aws:iam::aws:policy/P"+fmt.Sprint(i))
	}
	resources["Group"].(map[string]any)["Properties"].(map[string]any)["ManagedPolicyArns"] = eleven
	_, err := cdk.CheckTemplates(map[string]map[string]any{"s": {"Resources": resources}})
	for _, want := range []string{
		"managed policy s/BigManaged: 6308 characters, the quota is 6144", "trust policy s/Role: 2208 characters, the quota is 2048",
		"group's inline policies s/Group: 5308 characters, the quota is 5120",
		"group's managed policies s/Group: 11 policies, the quota is 10", "user's inline policies s/User: 2208 characters, the quota is 2048",
		"policy s/Stray: attached to imported-role, which is not a principal of its stack",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckTemplates does not say %q:\n%v", want, err)
		}
	}
	if _, err := cdk.CheckTemplates(seed.templates); err != nil {
		t.Errorf("the seed map's templates: %v", err)
	}
}

// curfew preflight counts the managed policies the developers group gets without the CDK
// app (internal/ cannot import cdk/): its count must be the one the app packs, for the
// repository's maps and the 500-account organisation.
func TestPreflightCountsThePackedPolicies(t *testing.T) {
	for name, o := range map[string]*org{"ci-user": seed, "oidc": oidcOrg, "500 accounts": largeOrg(t), "organization": organizationOrg(t)} {
		group := o.resource(t, "curfew-identity", "AWS::IAM::Group", "GroupName", cdk.DevelopersGroup)
		got := len(group["ManagedPolicyArns"].([]any))
		if want := 1 + preflight.AssumePolicies(len(o.m.Targets())) + preflight.UnitPolicies(o.m) + preflight.AccountListPolicies(o.m); got != want {
			t.Errorf("%s: the developers group has %d managed policies, preflight counts %d", name, got, want)
		}
	}
}
