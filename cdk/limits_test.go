package cdk_test

import (
	"encoding/json"
	"fmt"
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

// writeLargeOrgMap writes largeOrgMap(n) into a file of the test and returns its path.
func writeLargeOrgMap(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("org-%d.yaml", n))
	if err := os.WriteFile(path, []byte(largeOrgMap(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestIAMLimitsOfLargeOrganisation synthesises a 500-account organisation and checks every
// IAM document of every template against IAM's quotas.
func TestIAMLimitsOfLargeOrganisation(t *testing.T) {
	path := writeLargeOrgMap(t, 500)
	start := time.Now()
	o, err := synthWith(path, lambdaDir, t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("500 target accounts: %d stacks synthesised in %s (without cdk-nag)", len(o.templates), time.Since(start).Round(time.Millisecond))
	if n := len(o.m.Targets()); n != 500 || len(o.templates) != 502 {
		t.Fatalf("%d targets, %d templates: want 500 and 502", n, len(o.templates))
	}
	checkIAMLimits(t, o)
	data, err := o.m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the map the functions carry: %d bytes", len(data))

	// CloudFormation's quotas, and the longest schedule input (the accounts it names).
	var biggest, most, input int
	for stack, tmpl := range o.templates {
		resources := tmpl["Resources"].(map[string]any)
		data, err := json.Marshal(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if len(resources) > cdk.MaxStackResources || len(data) > cdk.MaxTemplateSize {
			t.Errorf("%s: %d resources, %d bytes; CloudFormation allows %d and %d", stack, len(resources), len(data), cdk.MaxStackResources, cdk.MaxTemplateSize)
		}
		biggest, most = max(biggest, len(data)), max(most, len(resources))
	}
	for _, s := range o.resources(t, service, "AWS::Scheduler::Schedule") {
		input = max(input, len(s["Target"].(map[string]any)["Input"].(string)))
	}
	t.Logf("largest template: %d bytes; most resources in a stack: %d; longest schedule input: %d characters", biggest, most, input)

	// The stacks that grow with the map, and one member stack of each kind (the other
	// members have the same shape).
	dir := t.TempDir()
	var files []string
	for _, stack := range []string{"curfew-identity", service, "curfew-team-000", "curfew-team-001", "curfew-prod-004"} {
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
	for _, path := range []string{"../accounts.yaml", "testdata/ci-networks.yaml", "testdata/guard.yaml", "testdata/oidc-subjects.yaml"} {
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

// largest records the largest document of each kind, for the log.
type largest map[string]struct {
	size  int
	where string
}

func (l largest) note(kind, where string, size int) {
	if size > l[kind].size {
		l[kind] = struct {
			size  int
			where string
		}{size, where}
	}
}

// checkIAMLimits checks every IAM document of every template of o against cdk's limits:
// managed policy sizes, trust policy sizes, each user's, group's and role's inline
// policies together, and the managed policies attached to each (by the principal's
// ManagedPolicyArns or the policy's Roles, Groups or Users). Every policy must be
// attached to a principal of its own stack.
func checkIAMLimits(t *testing.T, o *org) {
	t.Helper()
	max := largest{}
	check := func(kind, where string, size, limit int) {
		max.note(kind, where, size)
		if size > limit {
			t.Errorf("%s %s: %d characters, IAM allows %d", kind, where, size, limit)
		}
	}
	for stack, tmpl := range o.templates {
		resources := tmpl["Resources"].(map[string]any)
		type principal struct {
			kind            string
			inline, managed int
		}
		principals := map[string]*principal{}
		for id, r := range resources {
			r := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			var kind string
			switch r["Type"] {
			case "AWS::IAM::Role":
				kind = "role"
				check("trust policy", stack+"/"+id, cdk.PolicySize(sized(props["AssumeRolePolicyDocument"])), cdk.MaxTrustPolicySize)
			case "AWS::IAM::Group":
				kind = "group"
			case "AWS::IAM::User":
				kind = "user"
				if groups, _ := props["Groups"].([]any); len(groups) > 10 {
					t.Errorf("user %s/%s is in %d groups, IAM allows 10", stack, id, len(groups))
				}
			default:
				continue
			}
			p := &principal{kind: kind}
			for _, x := range asList(props["Policies"]) {
				p.inline += cdk.PolicySize(sized(x.(map[string]any)["PolicyDocument"]))
			}
			p.managed = len(asList(props["ManagedPolicyArns"]))
			principals[id] = p
		}
		for id, r := range resources {
			r := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			var size int
			switch r["Type"] {
			case "AWS::IAM::ManagedPolicy":
				size = cdk.PolicySize(sized(props["PolicyDocument"]))
				check("managed policy", stack+"/"+id, size, cdk.MaxManagedPolicySize)
			case "AWS::IAM::Policy":
				size = cdk.PolicySize(sized(props["PolicyDocument"]))
			default:
				continue
			}
			targets := 0
			for _, key := range []string{"Roles", "Groups", "Users"} {
				for _, x := range asList(props[key]) {
					ref, _ := x.(map[string]any)["Ref"].(string)
					p := principals[ref]
					if p == nil {
						t.Errorf("%s/%s is attached to %v, which is not a principal of the stack", stack, id, x)
						continue
					}
					targets++
					if r["Type"] == "AWS::IAM::Policy" {
						p.inline += size
					} else {
						p.managed++
					}
				}
			}
			attachedByRef := 0
			for _, p := range resources {
				if contains(p.(map[string]any)["Properties"], `{"Ref":"`+id+`"}`) {
					attachedByRef++
				}
			}
			// CurfewCDKExecution is a permissions boundary for the operator's bootstrap.
			if targets == 0 && attachedByRef == 0 && props["ManagedPolicyName"] != cdk.CDKExecutionPolicy {
				t.Errorf("%s/%s is attached to nothing", stack, id)
			}
		}
		for id, p := range principals {
			limit := map[string]int{"role": cdk.MaxRoleInlinePolicySize, "group": cdk.MaxGroupInlinePolicySize, "user": cdk.MaxUserInlinePolicySize}[p.kind]
			check(p.kind+"'s inline policies", stack+"/"+id, p.inline, limit)
			max.note(p.kind+"'s managed policies", stack+"/"+id, p.managed)
			if p.managed > cdk.MaxAttachedPolicies {
				t.Errorf("%s %s/%s has %d managed policies attached, IAM allows %d", p.kind, stack, id, p.managed, cdk.MaxAttachedPolicies)
			}
		}
	}
	for _, kind := range slices.Sorted(func(yield func(string) bool) {
		for k := range max {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Logf("largest %s: %d (%s)", kind, max[kind].size, max[kind].where)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// sized replaces a template value's CloudFormation functions by the longest strings they
// can stand for here, so that a document is measured no smaller than IAM will see it: a
// partition of 10 characters (aws-us-gov), a region of 14, an account id, and 128
// characters for a resource's name or ARN.
func sized(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = sized(x)
		}
		return out
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			switch ref {
			case "AWS::Partition":
				return "aws-us-gov"
			case "AWS::Region":
				return "ap-southeast-5"
			case "AWS::AccountId":
				return "123456789012"
			case "AWS::URLSuffix":
				return "amazonaws.com.cn"
			}
			return strings.Repeat("r", 128)
		}
		if _, ok := v["Fn::GetAtt"]; ok && len(v) == 1 {
			return strings.Repeat("a", 128)
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(v) == 1 {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, fmt.Sprint(sized(p)))
			}
			return strings.Join(parts, join[0].(string))
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = sized(x)
		}
		return out
	}
	return v
}
