package cdk_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/report"
	"github.com/curfew/curfew/internal/sources"
)

// deployedService is curfew-service as CloudFormation creates it, enough to run its
// functions as deployed: each function's code folder (the asset its template names, with
// the account map in it), its environment with every reference resolved to a resource
// created in moto, and the schedules that invoke it.
type deployedService struct {
	functions     map[string]deployedFunction // by logical id
	schedules     []deployedSchedule
	subscriptions []deployedSubscription
}

// deployedSubscription is one AWS::SNS::Subscription of the template: its topic as
// created in moto, its endpoint and its filter policy (JSON).
type deployedSubscription struct {
	topic, endpoint, filter string
}

// deployedFunction is one AWS::Lambda::Function of the template.
type deployedFunction struct {
	name   string // FunctionName
	folder string // the asset folder CDK ships as its code
	env    map[string]string
}

// deployedSchedule is one AWS::Scheduler::Schedule of the template.
type deployedSchedule struct {
	id, expression, timeZone string
	function                 deployedFunction
	input                    string
}

// deployService reads curfew-service's template from the cloud assembly in outdir and
// creates in moto, in the home account, the buckets and topics its functions' environment
// names. An environment value the test cannot resolve fails it, so that a new variable is
// seen here first.
func deployService(t *testing.T, s *emulator.Server, template map[string]any, outdir, home, region string) deployedService {
	t.Helper()
	ctx := t.Context()
	cfg := s.Account(t, home, region)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	refs := map[string]string{}
	for id, r := range template["Resources"].(map[string]any) {
		r := r.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::S3::Bucket":
			name, ok := props["BucketName"].(string)
			if !ok {
				name = strings.ToLower("curfew-service-" + id[:min(len(id), 20)] + "-" + home)
			}
			if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name),
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}}); err != nil {
				t.Fatalf("create bucket %s (%s): %v", name, id, err)
			}
			refs[id] = name
		case "AWS::SNS::Topic":
			out, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			refs[id] = aws.ToString(out.TopicArn)
		}
	}
	d := deployedService{functions: map[string]deployedFunction{}}
	for id, props := range ofType(template, "AWS::Lambda::Function") {
		code := props["Code"].(map[string]any)
		f := deployedFunction{
			name:   props["FunctionName"].(string),
			folder: filepath.Join(outdir, "asset."+strings.TrimSuffix(code["S3Key"].(string), ".zip")),
			env:    map[string]string{},
		}
		vars, _ := props["Environment"].(map[string]any)["Variables"].(map[string]any)
		for k, v := range vars {
			switch v := v.(type) {
			case string:
				f.env[k] = v
			case map[string]any:
				ref, _ := v["Ref"].(string)
				value, ok := refs[ref]
				if !ok {
					t.Fatalf("%s: environment %s = %v: not a reference to a bucket or topic of the template", f.name, k, v)
				}
				f.env[k] = value
			default:
				t.Fatalf("%s: environment %s = %v", f.name, k, v)
			}
		}
		d.functions[id] = f
	}
	for id, props := range ofType(template, "AWS::Scheduler::Schedule") {
		target := props["Target"].(map[string]any)
		fn := target["Arn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		d.schedules = append(d.schedules, deployedSchedule{
			id: id, expression: props["ScheduleExpression"].(string), timeZone: props["ScheduleExpressionTimezone"].(string),
			function: d.functions[fn], input: target["Input"].(string),
		})
	}
	slices.SortFunc(d.schedules, func(a, b deployedSchedule) int { return strings.Compare(a.id, b.id) })
	for _, props := range ofType(template, "AWS::SNS::Subscription") {
		ref, _ := props["TopicArn"].(map[string]any)["Ref"].(string)
		sub := deployedSubscription{topic: refs[ref], endpoint: fmt.Sprint(props["Endpoint"])}
		if f, ok := props["FilterPolicy"]; ok {
			data, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			sub.filter = string(data)
		}
		d.subscriptions = append(d.subscriptions, sub)
	}
	return d
}

// function is the deployed function named name.
func (d deployedService) function(t *testing.T, name string) deployedFunction {
	t.Helper()
	for _, f := range d.functions {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("curfew-service has no function %s", name)
	return deployedFunction{}
}

// of returns the schedules that invoke the function named name.
func (d deployedService) of(name string) []deployedSchedule {
	var out []deployedSchedule
	for _, sc := range d.schedules {
		if sc.function.name == name {
			out = append(out, sc)
		}
	}
	return out
}

// folders are the lambdas/ folders of the deployed functions, by function name.
var folders = map[string]string{
	accounts.ShutdownFunction:   cdk.ShutdownFolder,
	accounts.RestartFunction:    cdk.RestartFolder,
	accounts.CostReportFunction: cdk.CostReportFolder,
	accounts.HeadsUpFunction:    cdk.HeadsUpFolder,
	accounts.SnoozeLinkFunction: cdk.SnoozeLinkFolder,
}

// synthService synthesises the CDK app for m and deploys its curfew-service into moto's
// home account (deployService).
func synthService(t *testing.T, s *emulator.Server, m *accounts.Map, home, region string) deployedService {
	t.Helper()
	outdir := t.TempDir()
	template := synthStack(t, m, outdir, func(s cdk.Stacks) awscdk.Stack { return s.Service })
	return deployService(t, s, template, outdir, home, region)
}

// buildFunctions builds the named functions for this machine, as the emulator runs them,
// and returns their binaries by function name.
func buildFunctions(t *testing.T, names ...string) map[string]string {
	t.Helper()
	bins := map[string]string{}
	for _, fn := range names {
		bins[fn] = filepath.Join(t.TempDir(), "bootstrap")
		if err := lambdarun.BuildMovable(t.Context(), "..", folders[fn], bins[fn]); err != nil {
			t.Fatal(err)
		}
	}
	return bins
}

// homeCredentials is the environment that reaches moto as the home account.
func homeCredentials(t *testing.T, s *emulator.Server, home, region string) map[string]string {
	t.Helper()
	c, err := s.Account(t, home, region).Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_REGION": region,
		"AWS_ACCESS_KEY_ID": c.AccessKeyID, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey, "AWS_SESSION_TOKEN": c.SessionToken,
	}
}

// run invokes the schedule's function as invoke does, with its environment as deployed
// and creds, the function's role's, and reads its report.
func (sc deployedSchedule) run(t *testing.T, bins map[string]string, creds map[string]string, at time.Time) fleet.Report {
	t.Helper()
	out, _ := sc.invoke(t, bins[sc.function.name], sc.env(creds), at)
	var rep fleet.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%s: %v\n%s", sc.id, err, out)
	}
	return rep
}

// invoke runs the schedule's function with exactly the schedule's input, as Scheduler
// does, under the Lambda emulator, from the function's deployed code folder and binary
// (built from source when ""), with env and its clock set to at; it returns the
// function's answer and what it logged.
func (sc deployedSchedule) invoke(t *testing.T, binary string, env map[string]string, at time.Time) ([]byte, string) {
	t.Helper()
	f, err := lambdarun.Start(t.Context(), lambdarun.Options{
		Name: folders[sc.function.name], TaskRoot: sc.function.folder, Env: env, Dir: t.TempDir(),
		Binary: binary, At: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := f.Invoke(t.Context(), sc.input)
	if err != nil {
		t.Fatalf("%s at %s with %s: %v\n%s", sc.id, at, sc.input, err, f.Output())
	}
	return out, f.Output()
}

// env is the environment the schedule's function runs with: Lambda's own variables, the
// role's credentials, then the function's environment as deployed.
func (sc deployedSchedule) env(creds map[string]string) map[string]string {
	env := map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_FUNCTION_TIMEOUT": "120"}
	for k, v := range creds {
		env[k] = v
	}
	for k, v := range sc.function.env {
		env[k] = v
	}
	return env
}

// nextRun returns the first minute after t at which a Scheduler expression of the form
// curfew writes, cron(M H ? * DAYS *), fires in the time zone tz.
func nextRun(t *testing.T, expression, tz string, after time.Time) time.Time {
	t.Helper()
	fires := minutesOfWeek(t, expression)
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	for d := after.In(loc).Truncate(time.Minute).Add(time.Minute); d.Before(after.Add(8 * 24 * time.Hour)); d = d.Add(time.Minute) {
		if slices.Contains(fires, int(d.Weekday())*24*60+d.Hour()*60+d.Minute()) {
			return d
		}
	}
	t.Fatalf("%s in %s never fires in the week after %s", expression, tz, after)
	return time.Time{}
}

// minutesOfWeek reads "cron(M H ? * DAYS *)" as the minutes of the week (from Sunday 00:00)
// at which it fires.
func minutesOfWeek(t *testing.T, expression string) []int {
	t.Helper()
	f := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(expression, "cron("), ")"))
	if len(f) != 6 || f[2] != "?" || f[3] != "*" || f[5] != "*" {
		t.Fatalf("%s is not a weekly cron expression", expression)
	}
	minute, err1 := strconv.Atoi(f[0])
	hour, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: not a time of day", expression)
	}
	days := []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	var out []int
	for _, d := range strings.Split(f[4], ",") {
		i := slices.Index(days, d)
		if i < 0 {
			t.Fatalf("%s: %q is not a day", expression, d)
		}
		out = append(out, i*24*60+hour*60+minute)
	}
	slices.Sort(out)
	return out
}

// Issue 25: the night as deployed. An organisation whose non-production accounts are all
// found in a unit (the listed accounts are production); the CDK app synthesised; every
// AWS::Scheduler::Schedule of curfew-service read from the template and its function run
// under the Lambda emulator, from its deployed code folder (with the map CDK put there)
// and environment, with exactly the schedule's input, its clock at the instant the
// schedule's cron fires in its time zone. The found account is stopped at night and back
// in the morning; production (listed and found), an account of a child unit the map does
// not name, and the management account are left alone; an account created in the unit
// between two nights is swept on the second, without an edit of the map.
//
// moto does not check that CurfewScheduler exists in an account (an assumed role takes
// its account from the ARN): TestOrganizationDeploysRolesToFoundAccounts proves the
// StackSets give found accounts their roles.
func TestDeployedSchedulesSweepTheNight(t *testing.T) {
	s := emulator.Own(t)
	const region = "eu-west-1"
	org := s.NewOrg(t, region)
	nonProd, prod := org.Unit(org.Root, "non-production"), org.Unit(org.Root, "production")
	child := org.Unit(nonProd, "experiments")
	found, foundProd, inChild := org.Account("feature-x", nonProd), org.Account("payments", prod), org.Account("lab", child)
	people, shop := emulator.NewAccountID(), emulator.NewAccountID()

	m, err := accounts.Parse(emulator.OrgMap{Region: region, ExternalID: "curfew-night-test", People: people, Shop: shop,
		Management: org.Management, NonProduction: nonProd, Production: prod,
		// Night and morning in Madrid.
		Schedule: `{timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}, start: {at: "07:30", days: [MON-FRI]}}`}.YAML())
	if err != nil {
		t.Fatal(err)
	}
	d := synthService(t, s, m, people, region)
	stops, starts := d.of(accounts.ShutdownFunction), d.of(accounts.RestartFunction)
	if len(stops) == 0 || len(starts) == 0 {
		t.Fatalf("curfew-service has %d stop and %d start schedules: the accounts found in %s are never stopped or started", len(stops), len(starts), nonProd)
	}

	bins := buildFunctions(t, accounts.ShutdownFunction, accounts.RestartFunction)
	creds := homeCredentials(t, s, people, region)

	instances := map[string]string{}
	launch := func(account string) {
		t.Helper()
		instances[account] = emulator.RunInstance(t, ec2.NewFromConfig(s.Account(t, account, region)))
	}
	for _, a := range []string{found, foundProd, inChild, shop, org.Management} {
		launch(a)
	}
	assertStates := func(when string, want map[string]ec2types.InstanceStateName) {
		t.Helper()
		for account, state := range want {
			if got, _ := emulator.InstanceState(t, ec2.NewFromConfig(s.Account(t, account, region)), instances[account]); got != state {
				t.Errorf("%s: the instance of %s is %s, want %s", when, account, got, state)
			}
		}
	}
	runAll := func(when string, scheds []deployedSchedule, after time.Time) (time.Time, []fleet.Report) {
		t.Helper()
		var last time.Time
		var reps []fleet.Report
		for _, sc := range scheds {
			at := nextRun(t, sc.expression, sc.timeZone, after)
			rep := sc.run(t, bins, creds, at)
			if rep.Failed() {
				t.Errorf("%s: %s at %s failed: %+v", when, sc.id, at, rep)
			}
			reps = append(reps, rep)
			if at.After(last) {
				last = at
			}
		}
		return last, reps
	}
	untouched := map[string]ec2types.InstanceStateName{foundProd: "running", inChild: "running", shop: "running", org.Management: "running"}
	with := func(extra map[string]ec2types.InstanceStateName) map[string]ec2types.InstanceStateName {
		out := map[string]ec2types.InstanceStateName{}
		for k, v := range untouched {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	// A fixed week, whatever day the test runs: Monday 30 November 2026.
	monday := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	night, reps := runAll("the first night", stops, monday)
	assertStates("after the first night", with(map[string]ec2types.InstanceStateName{found: "stopped"}))
	var notes []sources.Note
	for _, r := range reps {
		notes = append(notes, r.Accounts...)
	}
	for _, want := range []string{foundProd} {
		if !slices.ContainsFunc(notes, func(n sources.Note) bool { return n.Account == want }) {
			t.Errorf("the first night's reports do not say why %s was left alone: %+v", want, notes)
		}
	}

	morning, _ := runAll("the first morning", starts, night)
	assertStates("after the first morning", with(map[string]ec2types.InstanceStateName{found: "running"}))

	// A new account in the unit, between two nights; nobody edits the map.
	newcomer := org.Account("feature-y", nonProd)
	launch(newcomer)
	secondNight, _ := runAll("the second night", stops, morning)
	assertStates("after the second night", with(map[string]ec2types.InstanceStateName{found: "stopped", newcomer: "stopped"}))

	// The cost report's schedule, likewise: its input and its function's environment as
	// deployed; the summary goes to the topic the template names.
	reports := d.of(accounts.CostReportFunction)
	if len(reports) != 1 {
		t.Fatalf("%d cost report schedules, want 1", len(reports))
	}
	sc := reports[0]
	out, _ := sc.invoke(t, "", sc.env(creds), nextRun(t, sc.expression, sc.timeZone, secondNight))
	var res report.Result
	if err := json.Unmarshal(out, &res); err != nil || !slices.Contains(res.Delivered, report.Email) {
		t.Errorf("the scheduled cost report: %s (%v), want it delivered by email", out, err)
	}
}
