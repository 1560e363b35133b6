package cdk_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// headsUpMap turns the heads-up on (issue 30): owners on a listed account and on a swept
// unit, 45 minutes ahead, one account stopping at 00:10 in another time zone, one
// non-production account with the shutdown off.
const headsUpMap = "testdata/heads-up.yaml"

// headsUpOrg synthesises headsUpMap once per test binary, with cdk-nag.
var headsUpOrg = synthOnce(headsUpMap, "heads-up")

// The heads-up's stacks pass what every stack passes: cdk-nag with every finding fixed or
// suppressed with its reason (the units' member templates too), IAM's and
// CloudFormation's quotas, cfn-lint and checkov.
func TestHeadsUpTemplatesPassTheChecks(t *testing.T) {
	o := headsUpOrg(t)
	if _, err := cdk.CheckTemplates(o.templates); err != nil {
		t.Error(err)
	}
	o.noNagFindings(t)
	o.unitsNoNagFindings(t)
	o.lintWithUnits(t, slices.Collect(maps.Keys(o.templates))...)
}

// deployedCron is a schedule of the template as the heads-up tests compare it.
type deployedCron struct {
	id, expression, timeZone, function, input string
	target                                    map[string]any
}

// serviceSchedules reads curfew-service's schedules from the template, with the name of
// the function each invokes.
func serviceSchedules(t *testing.T, o *org) []deployedCron {
	t.Helper()
	functions := map[string]string{}
	for id, f := range o.resources(t, service, "AWS::Lambda::Function") {
		functions[id] = f["FunctionName"].(string)
	}
	var out []deployedCron
	for id, s := range o.resources(t, service, "AWS::Scheduler::Schedule") {
		target := s["Target"].(map[string]any)
		out = append(out, deployedCron{
			id: id, expression: s["ScheduleExpression"].(string), timeZone: s["ScheduleExpressionTimezone"].(string),
			function: functions[target["Arn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)],
			input:    target["Input"].(string), target: target,
		})
	}
	return out
}

// Each stop schedule has one heads-up schedule (HeadsUp-<id> beside Stop-<id>): the same
// input, byte for byte, so the heads-up plans exactly the accounts and units that stop;
// the same time zone, invocation role, dead-letter queue and retries; and its times of
// the week are the stop's, headsUp.before earlier, across midnight onto the day before.
func TestHeadsUpSchedulesRunAheadOfTheStops(t *testing.T) {
	o := headsUpOrg(t)
	before, on := o.m.HeadsUpBefore()
	if !on || before != 45*time.Minute {
		t.Fatalf("the map's heads-up: %s, %v; want 45m, on", before, on)
	}
	byKey := func(prefix string) map[string]deployedCron {
		out := map[string]deployedCron{}
		for _, s := range serviceSchedules(t, o) {
			if strings.HasPrefix(s.id, prefix) {
				out[strings.TrimPrefix(s.id, prefix)[:len(s.id)-len(prefix)-8]] = s // less CDK's hash
			}
		}
		return out
	}
	stops, heads := byKey("Stop"), byKey("HeadsUp")
	if len(stops) != 2 || len(heads) != len(stops) {
		t.Fatalf("%d stop schedules and %d heads-up schedules, want 2 and 2", len(stops), len(heads))
	}
	want := map[string]string{ // written out, not computed by the code under test
		"staging": "cron(15 19 ? * MON,TUE,WED,THU,FRI *)",
		"sandbox": "cron(25 23 ? * SUN,MON,TUE,WED,THU *)",
	}
	week := 7 * 24 * 60
	for key, stop := range stops {
		h, ok := heads[key]
		if !ok {
			t.Errorf("stop %s has no heads-up schedule", stop.id)
			continue
		}
		if stop.function != accounts.ShutdownFunction || h.function != accounts.HeadsUpFunction {
			t.Errorf("%s invokes %s and %s invokes %s", stop.id, stop.function, h.id, h.function)
		}
		if h.input != stop.input {
			t.Errorf("%s input %s, want the stop's %s", h.id, h.input, stop.input)
		}
		if h.timeZone != stop.timeZone {
			t.Errorf("%s in %s, want the stop's %s", h.id, h.timeZone, stop.timeZone)
		}
		for _, k := range []string{"RoleArn", "DeadLetterConfig", "RetryPolicy"} {
			assertJSON(t, h.id+" "+k, h.target[k], stop.target[k])
		}
		if h.expression != want[key] {
			t.Errorf("%s: %s, want %s", h.id, h.expression, want[key])
		}
		var shifted []int
		for _, m := range minutesOfWeek(t, stop.expression) {
			shifted = append(shifted, (m-int(before.Minutes())+week)%week)
		}
		slices.Sort(shifted)
		if got := minutesOfWeek(t, h.expression); !slices.Equal(got, shifted) {
			t.Errorf("%s fires at minutes %v of the week, want the stop's %s less %s: %v", h.id, got, stop.expression, before, shifted)
		}
	}
	var input map[string]any
	if err := json.Unmarshal([]byte(heads["staging"].input), &input); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "the staging heads-up's input", input, map[string]any{"trigger": "schedule", "accounts": []string{"staging"}, "units": []string{"ou-ab12-nonprod1"}})
}

// The two functions are built as the others (provided.al2023 on arm64, the map in their
// code, a log group of their own, an Errors alarm to the topic), with the environment the
// heads-up reads; the link function alone has a function URL, AuthType NONE, which anyone
// may invoke through the URL only; the heads-up may decrypt the owners' webhooks (not the
// report's own) through SSM.
func TestHeadsUpFunctions(t *testing.T) {
	o := headsUpOrg(t)
	bucket := historyBucket(t, o)
	topic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
	env := map[string]any{
		accounts.HeadsUpFunction: map[string]any{
			cdk.EnvBucket: ref(bucket), cdk.EnvTopicARN: ref(topic),
			cdk.EnvShutdownFunction: accounts.ShutdownFunction, cdk.EnvLinkFunction: accounts.SnoozeLinkFunction,
		},
		accounts.SnoozeLinkFunction: map[string]any{cdk.EnvBucket: ref(bucket)},
	}
	ids := map[string]string{}
	for name, folder := range map[string]string{accounts.HeadsUpFunction: cdk.HeadsUpFolder, accounts.SnoozeLinkFunction: cdk.SnoozeLinkFolder} {
		id := o.logicalID(t, service, "AWS::Lambda::Function", "FunctionName", name)
		ids[name] = id
		fn := o.resources(t, service, "AWS::Lambda::Function")[id]
		assertJSON(t, name+" runtime", []any{fn["Runtime"], fn["Architectures"], fn["Handler"]}, []any{"provided.al2023", []string{"arm64"}, "bootstrap"})
		assertJSON(t, name+" environment", fn["Environment"], map[string]any{"Variables": env[name]})
		logs := o.logicalID(t, service, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/"+name)
		assertJSON(t, name+" log group", fn["LoggingConfig"].(map[string]any)["LogGroup"], ref(logs))
		code := filepath.Join(o.outdir, "asset."+strings.TrimSuffix(fn["Code"].(map[string]any)["S3Key"].(string), ".zip"))
		if b, err := os.ReadFile(filepath.Join(code, "bootstrap")); err != nil || string(b) != "fake "+folder {
			t.Errorf("%s's code: bootstrap %q (%v), want the %s build", name, b, err, folder)
		}
		if _, err := os.Stat(filepath.Join(code, accounts.FunctionMapFile)); err != nil {
			t.Errorf("%s's code has no account map: %v", name, err)
		}
		o.resource(t, service, "AWS::CloudWatch::Alarm", "Dimensions", []any{map[string]any{"Name": "FunctionName", "Value": ref(id)}})
	}
	urls := o.resources(t, service, "AWS::Lambda::Url")
	assertJSON(t, "function URLs", urls, map[string]any{firstKey(urls): map[string]any{"AuthType": "NONE", "TargetFunctionArn": arn(ids[accounts.SnoozeLinkFunction])}})
	var permissions []any
	for _, p := range o.resources(t, service, "AWS::Lambda::Permission") {
		if p["Principal"] == "*" {
			permissions = append(permissions, p)
		}
	}
	slices.SortFunc(permissions, func(a, b any) int {
		return strings.Compare(a.(map[string]any)["Action"].(string), b.(map[string]any)["Action"].(string))
	})
	assertJSON(t, "the public permissions", permissions, []any{
		map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": arn(ids[accounts.SnoozeLinkFunction]), "InvokedViaFunctionUrl": true, "Principal": "*"},
		map[string]any{"Action": "lambda:InvokeFunctionUrl", "FunctionName": arn(ids[accounts.SnoozeLinkFunction]), "FunctionUrlAuthType": "NONE", "Principal": "*"},
	})

	key := o.resource(t, service, "AWS::KMS::Key", "Description", "curfew: encrypts the Slack webhook parameter /curfew/slack-webhook")
	assertJSON(t, "the heads-up's use of the webhook key", statements(t, key["KeyPolicy"])["TheHeadsUpReadsTheOwnersWebhooks"], map[string]any{
		"Sid": "TheHeadsUpReadsTheOwnersWebhooks", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
		"Principal": map[string]any{"AWS": o.m.LambdaRoleARN(accounts.HeadsUpFunction)},
		"Condition": map[string]any{"StringEquals": map[string]any{
			"kms:ViaService":                      "ssm.eu-west-1.amazonaws.com",
			"kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:555555555555:parameter/curfew/owners/team-b",
		}},
	})
}

// CurfewSnoozeLink is in every swept account, listed (staging, sandbox) or found in a
// swept unit, and nowhere else: not in production accounts or a production unit, not in
// an account with the shutdown off, not in the identity account. It trusts the link
// function's role alone, with the map's ExternalId, and the guardrails keep it as deployed.
func TestSnoozeLinkRoleWhereSwept(t *testing.T) {
	o := headsUpOrg(t)
	p := principals{t, o}
	trust := parseJSON(t, `{"Version": "2012-10-17", "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
		"Principal": {"AWS": "arn:aws:iam::555555555555:root"},
		"Condition": {"StringEquals": {"sts:ExternalId": "`+o.m.ExternalID+`"},
			"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::555555555555:role/curfew-snooze-link"}}}]}`)
	for _, a := range o.m.Targets() {
		stack := "curfew-" + a.Name
		has := p.hasRole(stack, accounts.SnoozeLinkRole)
		if has != slices.Contains([]string{"staging", "sandbox"}, a.Name) {
			t.Errorf("%s has %s: %v", a.Name, accounts.SnoozeLinkRole, has)
		}
		if !has {
			continue
		}
		assertJSON(t, a.Name+" trust", p.trust(stack, accounts.SnoozeLinkRole), trust)
		guards := o.resource(t, stack, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", cdk.GuardrailsPolicy)
		if !contains(statements(t, guards["PolicyDocument"])["KeepCurfewIAM"]["Resource"], a.RoleARN(accounts.SnoozeLinkRole)) {
			t.Errorf("%s: the guardrails do not keep %s", a.Name, accounts.SnoozeLinkRole)
		}
	}
	if contains(o.templates["curfew-identity"], accounts.SnoozeLinkRole) {
		t.Error("the identity account's stack names " + accounts.SnoozeLinkRole)
	}
	sets := stackSets(t, o)
	for _, u := range o.m.Organization.OUs {
		role, ok := bodyRoles(body(t, sets[u.ID]))[accounts.SnoozeLinkRole]
		if ok != (u.ID == "ou-ab12-nonprod1") {
			t.Errorf("unit %s has %s: %v", u.ID, accounts.SnoozeLinkRole, ok)
		}
		if ok {
			assertJSON(t, u.ID+" trust", role["AssumeRolePolicyDocument"], trust)
		}
	}
}

// Without an owner in the map, or with headsUp.off (even naming the Slack app's signing
// secret), nothing of the heads-up is deployed: no function, schedule, URL, permission to
// read the secret, or CurfewSnoozeLink in any stack or unit template. (The
// templates of such maps are byte for byte those before the heads-up: see issue 30's note.)
func TestNoHeadsUpWithoutOwnersOrWhenOff(t *testing.T) {
	data, err := os.ReadFile("testdata/owners.yaml")
	if err != nil {
		t.Fatal(err)
	}
	off := filepath.Join(t.TempDir(), "owners-off.yaml")
	if err := os.WriteFile(off, append(data, []byte("headsUp:\n  off: true\n  slackSigningSecret: /curfew/heads-up/slack-signing-secret\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	offOrg := synthMap(t, off)
	if _, on := offOrg.m.HeadsUpBefore(); on || len(offOrg.m.AllOwners()) == 0 {
		t.Fatalf("%s: the heads-up is on, or the map names no owner", off)
	}
	for name, o := range map[string]*org{"testdata/ci-user.yaml": seed, "testdata/oidc.yaml": oidcOrg, organizationMap: organizationOrg(t), "owners.yaml with headsUp.off": offOrg} {
		for stack, tmpl := range o.templates {
			for _, s := range []string{accounts.HeadsUpFunction, accounts.SnoozeLinkFunction, accounts.SnoozeLinkRole, "AWS::Lambda::Url", "heads-up", "HeadsUp", "SlackSigningSecret"} {
				if contains(tmpl, s) {
					t.Errorf("%s: %s names %s", name, stack, s)
				}
			}
		}
	}
}

// historyBucket is the logical id of the service's bucket of run history (and heads-up
// links); the other is the published list of accounts.
func historyBucket(t *testing.T, o *org) string {
	t.Helper()
	for id, b := range o.resources(t, service, "AWS::S3::Bucket") {
		if contains(b["LifecycleConfiguration"], "ExpireRuns") {
			return id
		}
	}
	t.Fatal("no bucket of run history")
	return ""
}

// At 500 accounts (the limits tests' organisation, with one owner), the heads-up's stacks
// still fit IAM's and CloudFormation's quotas, and the link function may assume the
// CurfewSnoozeLink of every swept account, packed into managed policies as the shutdown's
// roles are, and no other.
func TestHeadsUpAtScale(t *testing.T) {
	m := largeOrgMap(500) + largeOrgUnits(10) + "headsUp: {before: 30m}\n"
	withOwner := strings.Replace(m, "ciPolicies: [PowerUserAccess]}", "ciPolicies: [PowerUserAccess], owners: {emails: [team-000@example.com]}}", 1)
	if withOwner == m {
		t.Fatal("the large map has no account to give an owner")
	}
	o := synthText(t, "org-500-heads-up.yaml", withOwner)
	if _, on := o.m.HeadsUpBefore(); !on {
		t.Fatal("the heads-up is off")
	}
	checkIAMLimits(t, o)
	t.Logf("curfew-service: %d resources", len(o.templates[service]["Resources"].(map[string]any)))
	var want, got []string
	for _, a := range o.m.Swept() {
		want = append(want, a.RoleARN(accounts.SnoozeLinkRole))
	}
	p := principals{t, o}
	for _, np := range p.role(service, accounts.SnoozeLinkFunction) {
		for _, s := range np.Policy.(map[string]any)["Statement"].([]any) {
			s := s.(map[string]any)
			if s["Sid"] != "AssumeCurfewRoles" {
				continue
			}
			for _, r := range s["Resource"].([]any) {
				got = append(got, r.(string))
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the link function may assume %d roles, want the %d swept accounts' CurfewSnoozeLink", len(got), len(want))
	}
	t.Logf("the link function's role: %d swept accounts' CurfewSnoozeLink", len(got))
}
