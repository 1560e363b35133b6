package cdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/lease"
)

const service = "curfew-service"

// ref and arn are how the template refers to a resource and its ARN.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }
func arn(id string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, "Arn"}} }

// objects is how the template names objects under prefix in the bucket.
func objects(bucket, prefix string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{arn(bucket), "/" + prefix + "*"}}}
}

func TestFunctions(t *testing.T) {
	for _, o := range []*org{seed, oidcOrg} {
		bucket := firstKey(o.resources(t, service, "AWS::S3::Bucket"))
		topic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
		if n := len(o.resources(t, service, "AWS::Lambda::Function")); n != 3 {
			t.Errorf("%d functions, want 3 (and no custom-resource functions)", n)
		}
		for _, fn := range []struct {
			name     string
			reserved any
			slack    bool
			timeout  int
			memory   int
		}{
			// No reservation: a reservation of 1 fails to deploy in accounts whose
			// concurrency quota is 10; the lease keeps runs apart (internal/lease).
			// One whole vCPU (1,769 MB) for the sweeps, which are bound by CPU at hundreds
			// of accounts; the cost report paces its requests for up to Lambda's 15 minutes.
			{accounts.ShutdownFunction, nil, false, 600, 1769},
			{accounts.RestartFunction, nil, false, 600, 1769},
			{accounts.CostReportFunction, nil, true, 900, 1769},
		} {
			f := o.resource(t, service, "AWS::Lambda::Function", "FunctionName", fn.name)
			assertJSON(t, fn.name+" runtime", []any{f["Runtime"], f["Architectures"], f["Handler"]},
				[]any{"provided.al2023", []string{"arm64"}, "bootstrap"})
			assertJSON(t, fn.name+" reserved concurrency", f["ReservedConcurrentExecutions"], fn.reserved)
			assertJSON(t, fn.name+" timeout", f["Timeout"], fn.timeout)
			assertJSON(t, fn.name+" memory", f["MemorySize"], fn.memory)
			env := map[string]any{
				cdk.EnvBucket:   ref(bucket),
				cdk.EnvTopicARN: ref(topic),
			}
			if fn.slack {
				env[cdk.EnvSlackWebhookParameter] = "/curfew/slack-webhook"
			}
			assertJSON(t, fn.name+" environment", f["Environment"], map[string]any{"Variables": env})

			role := o.logicalID(t, service, "AWS::IAM::Role", "RoleName", fn.name)
			assertJSON(t, fn.name+" role", f["Role"], arn(role))
			trust := o.resources(t, service, "AWS::IAM::Role")[role]["AssumeRolePolicyDocument"]
			assertJSON(t, fn.name+" role trust", trust, parseJSON(t, `{
				"Version": "2012-10-17",
				"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]
			}`))

			logs := o.logicalID(t, service, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/"+fn.name)
			assertJSON(t, fn.name+" log group and JSON format", f["LoggingConfig"], map[string]any{"LogFormat": "JSON", "LogGroup": ref(logs)})
			assertJSON(t, fn.name+" log retention", o.resources(t, service, "AWS::Logs::LogGroup")[logs]["RetentionInDays"], 90)
			// The logs are the audit trail: deleting the stack keeps them.
			group := o.templates[service]["Resources"].(map[string]any)[logs].(map[string]any)
			if group["DeletionPolicy"] != "Retain" || group["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s log group: DeletionPolicy %v, UpdateReplacePolicy %v, want Retain", fn.name, group["DeletionPolicy"], group["UpdateReplacePolicy"])
			}
		}
	}
}

// TestFunctionsCarryTheMap checks each function's code asset as CDK packs it: the folder
// holds the function's bootstrap and the account map, which parses back to the map the
// stacks were built from.
func TestFunctionsCarryTheMap(t *testing.T) {
	for _, o := range []*org{seed, oidcOrg} {
		want, err := o.m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		for fn, folder := range map[string]string{
			accounts.ShutdownFunction: cdk.ShutdownFolder, accounts.RestartFunction: cdk.RestartFolder, accounts.CostReportFunction: cdk.CostReportFolder,
		} {
			code := o.resource(t, service, "AWS::Lambda::Function", "FunctionName", fn)["Code"].(map[string]any)
			asset := filepath.Join(o.outdir, "asset."+strings.TrimSuffix(code["S3Key"].(string), ".zip"))
			bootstrap, err := os.ReadFile(filepath.Join(asset, "bootstrap"))
			if err != nil || string(bootstrap) != "fake "+folder {
				t.Errorf("%s: bootstrap %q (%v), want the build of %s", fn, bootstrap, err, folder)
			}
			m, err := accounts.LoadFunctionMap(asset)
			if err != nil {
				t.Fatalf("%s: %v", fn, err)
			}
			if got, _ := m.Encode(); string(got) != string(want) {
				t.Errorf("%s carries a different map:\n%s", fn, got)
			}
		}
	}
}

// assumed returns the roles the function's role may assume, from its managed policies.
func assumed(t *testing.T, o *org, function string) []string {
	t.Helper()
	role := o.role(t, service, function)
	policies := o.resources(t, service, "AWS::IAM::ManagedPolicy")
	var out []string
	for _, r := range role["ManagedPolicyArns"].([]any) {
		st := statements(t, policies[r.(map[string]any)["Ref"].(string)]["PolicyDocument"])
		s, ok := st["AssumeCurfewRoles"]
		if !ok || len(st) != 1 || s["Action"] != "sts:AssumeRole" || s["Effect"] != "Allow" {
			t.Fatalf("%s: managed policy %v, want only AssumeCurfewRoles", function, st)
		}
		out = append(out, stringOrList(s["Resource"])...)
	}
	return out
}

// rolePolicy returns the named statements of the policy of the function's role.
func rolePolicy(t *testing.T, o *org, function string) map[string]map[string]any {
	t.Helper()
	return statements(t, policyOf(t, o, function))
}

// policyOf returns the policy document of the function's role.
func policyOf(t *testing.T, o *org, function string) map[string]any {
	t.Helper()
	role := o.logicalID(t, service, "AWS::IAM::Role", "RoleName", function)
	var found []map[string]any
	for _, p := range o.resources(t, service, "AWS::IAM::Policy") {
		if equalJSON(p["Roles"], []any{ref(role)}) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d policies for the role of %s, want 1", len(found), function)
	}
	return found[0]["PolicyDocument"].(map[string]any)
}

func TestFunctionPermissions(t *testing.T) {
	bucket := firstKey(seed.resources(t, service, "AWS::S3::Bucket"))
	key := seed.logicalID(t, service, "AWS::KMS::Key", "Description", "curfew: encrypts the notification topic")
	topic := seed.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
	for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction} {
		st := rolePolicy(t, seed, fn)
		assertJSON(t, fn+" assume", assumed(t, seed, fn), []string{
			"arn:aws:iam::222222222222:role/CurfewScheduler", "arn:aws:iam::333333333333:role/CurfewScheduler",
		})
		assertJSON(t, fn+" run history", st["WriteRunHistory"], map[string]any{
			"Sid": "WriteRunHistory", "Effect": "Allow", "Action": "s3:PutObject", "Resource": objects(bucket, "runs/"),
		})
		// The leases only: a run takes one per account (conditional put), reads who holds
		// it, and releases it (conditional delete).
		assertJSON(t, fn+" leases", st["HoldRunLeases"], map[string]any{
			"Sid": "HoldRunLeases", "Effect": "Allow", "Action": []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
			"Resource": objects(bucket, lease.Prefix),
		})
		if len(st) != 2 {
			t.Errorf("%s role has %d named statements inline, want 2: %v", fn, len(st), st)
		}
		logs := seed.logicalID(t, service, "AWS::Logs::LogGroup", "LogGroupName", "/aws/lambda/"+fn)
		assertJSON(t, fn+" role policy", policyOf(t, seed, fn)["Statement"].([]any)[0], map[string]any{
			"Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": arn(logs),
		})
		if n := len(policyOf(t, seed, fn)["Statement"].([]any)); n != 3 {
			t.Errorf("%s role has %d statements inline, want 3 (logs, run history, lease)", fn, n)
		}
	}
	// Tooling, the home account, has shutdown: false.
	assertJSON(t, "OIDC shutdown assume", assumed(t, oidcOrg, accounts.ShutdownFunction), []string{
		"arn:aws:iam::000000000004:role/CurfewScheduler", "arn:aws:iam::000000000005:role/CurfewScheduler",
		"arn:aws:iam::000000000006:role/CurfewScheduler",
	})

	st := rolePolicy(t, seed, accounts.CostReportFunction)
	assertJSON(t, "cost report assume", assumed(t, seed, accounts.CostReportFunction), []string{
		"arn:aws:iam::111111111111:role/CurfewCostReader", "arn:aws:iam::222222222222:role/CurfewCostReader",
		"arn:aws:iam::333333333333:role/CurfewCostReader", "arn:aws:iam::444444444444:role/CurfewCostReader",
	})
	assertJSON(t, "list runs", st["ListRunHistory"], map[string]any{
		"Sid": "ListRunHistory", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": arn(bucket),
		"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": []string{"runs/*", "reports/sent/*"}}},
	})
	assertJSON(t, "read runs", st["ReadRunHistory"]["Action"], "s3:GetObject")
	assertJSON(t, "read runs", st["ReadRunHistory"]["Resource"], objects(bucket, "runs/"))
	assertJSON(t, "write reports", st["WriteReports"]["Action"], "s3:PutObject")
	assertJSON(t, "write reports", st["WriteReports"]["Resource"], objects(bucket, "reports/"))
	assertJSON(t, "slack webhook", st["ReadSlackWebhook"], map[string]any{
		"Sid": "ReadSlackWebhook", "Effect": "Allow", "Action": "ssm:GetParameter",
		"Resource": "arn:aws:ssm:eu-west-1:111111111111:parameter/curfew/slack-webhook",
	})
	// The price list has no resource types: "*", for this one read-only action.
	assertJSON(t, "price list", st["ReadPriceList"], map[string]any{
		"Sid": "ReadPriceList", "Effect": "Allow", "Action": "pricing:GetProducts", "Resource": "*",
	})
	// The webhook's own key grants the role Decrypt (TestWebhookKeyOnlyForTheCostReport):
	// no statement of the role may decrypt with other keys, aws/ssm included.
	for sid, statement := range st {
		if contains(statement["Action"], "kms:Decrypt") {
			t.Errorf("cost report role statement %s may decrypt: %v", sid, statement)
		}
	}
	// CDK's grant to publish (statements without Sid): the topic, and its key.
	var publish, encrypt bool
	for _, p := range seed.resources(t, service, "AWS::IAM::Policy") {
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			s := s.(map[string]any)
			if equalJSON(s["Action"], "sns:Publish") && equalJSON(s["Resource"], ref(topic)) {
				publish = equalJSON(p["Roles"], []any{ref(seed.logicalID(t, service, "AWS::IAM::Role", "RoleName", accounts.CostReportFunction))})
			}
			if equalJSON(s["Resource"], arn(key)) {
				encrypt = true
			}
		}
	}
	if !publish || !encrypt {
		t.Errorf("cost report may publish: %v, use the topic key: %v", publish, encrypt)
	}
}

func firstKey[V any](m map[string]V) string {
	for k := range m {
		return k
	}
	return ""
}

// schedule is a Scheduler schedule as the tests compare it.
type schedule struct {
	expression, timeZone, function string
	input                          any
}

func schedules(t *testing.T, o *org) []schedule {
	t.Helper()
	functions := map[string]string{}
	for id, f := range o.resources(t, service, "AWS::Lambda::Function") {
		functions[id] = f["FunctionName"].(string)
	}
	dlq := firstKey(o.resources(t, service, "AWS::SQS::Queue"))
	role := o.logicalID(t, service, "AWS::IAM::Role", "Description", "curfew: Scheduler invokes the functions")
	var out []schedule
	for id, s := range o.resources(t, service, "AWS::Scheduler::Schedule") {
		target := s["Target"].(map[string]any)
		assertJSON(t, id+" retry policy", target["RetryPolicy"], map[string]any{"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3})
		assertJSON(t, id+" dead-letter queue", target["DeadLetterConfig"], map[string]any{"Arn": arn(dlq)})
		assertJSON(t, id+" role", target["RoleArn"], arn(role))
		var input any
		if err := json.Unmarshal([]byte(target["Input"].(string)), &input); err != nil {
			t.Fatalf("%s input: %v", id, err)
		}
		fn := target["Arn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		out = append(out, schedule{
			expression: s["ScheduleExpression"].(string),
			timeZone:   s["ScheduleExpressionTimezone"].(string),
			function:   functions[fn],
			input:      input,
		})
	}
	return out
}

func assertSchedules(t *testing.T, got []schedule, want []schedule) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d schedules, want %d: %+v", len(got), len(want), got)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if g.expression == w.expression && g.timeZone == w.timeZone && g.function == w.function && equalJSON(g.input, w.input) {
				found = true
			}
		}
		if !found {
			t.Errorf("no schedule %+v in %+v", w, got)
		}
	}
}

func TestSchedules(t *testing.T) {
	both := map[string]any{"trigger": "schedule", "accounts": []string{"staging", "sandbox"}}
	assertSchedules(t, schedules(t, seed), []schedule{
		{"cron(0 20 ? * MON,TUE,WED,THU,FRI *)", "Europe/Madrid", accounts.ShutdownFunction, both},
		{"cron(30 7 ? * MON,TUE,WED,THU,FRI *)", "Europe/Madrid", accounts.RestartFunction, both},
		{"cron(0 8 ? * MON *)", "Europe/Madrid", accounts.CostReportFunction, map[string]any{"trigger": "schedule"}},
	})
}

func TestSchedulesGroupAccountsByTimeZoneAndTime(t *testing.T) {
	// qa and qa2 share the organisation's schedule, which has no morning start; dev stops
	// and starts in Tokyo; tooling is never shut down.
	assertSchedules(t, schedules(t, oidcOrg), []schedule{
		{"cron(0 19 ? * MON,TUE,WED,THU,FRI *)", "America/New_York", accounts.ShutdownFunction,
			map[string]any{"trigger": "schedule", "accounts": []string{"qa", "qa2"}}},
		{"cron(0 19 ? * MON,TUE,WED,THU,FRI *)", "Asia/Tokyo", accounts.ShutdownFunction,
			map[string]any{"trigger": "schedule", "accounts": []string{"dev"}}},
		{"cron(0 8 ? * MON,TUE,WED,THU,FRI *)", "Asia/Tokyo", accounts.RestartFunction,
			map[string]any{"trigger": "schedule", "accounts": []string{"dev"}}},
		{"cron(15 9 ? * MON,TUE,WED,THU,FRI *)", "America/New_York", accounts.CostReportFunction,
			map[string]any{"trigger": "schedule"}},
	})
}

// Issue 25: a unit's accounts get the stop and start of the unit's effective schedule.
// A schedule names the listed accounts and the units whose accounts it sweeps; a map
// whose only non-production accounts are found in units gets its schedules, a unit with
// a schedule of its own gets its own, and no schedule names a production unit or one
// with the shutdown off.
func TestSchedulesReachUnits(t *testing.T) {
	assertSchedules(t, schedules(t, organizationOrg(t)), []schedule{
		{"cron(0 20 ? * MON,TUE,WED,THU,FRI *)", "Europe/Madrid", accounts.ShutdownFunction,
			map[string]any{"trigger": "schedule", "accounts": []string{"staging"}, "units": []string{"ou-ab12-11111111"}}},
		{"cron(30 7 ? * MON,TUE,WED,THU,FRI *)", "Europe/Madrid", accounts.RestartFunction,
			map[string]any{"trigger": "schedule", "accounts": []string{"staging"}, "units": []string{"ou-ab12-11111111"}}},
		{"cron(0 8 ? * MON *)", "Europe/Madrid", accounts.CostReportFunction, map[string]any{"trigger": "schedule"}},
	})
	unitsOnly := synthMap(t, "testdata/organization-unit-schedules.yaml")
	assertSchedules(t, schedules(t, unitsOnly), []schedule{
		{"cron(0 20 ? * MON,TUE,WED,THU,FRI *)", "Europe/Madrid", accounts.ShutdownFunction,
			map[string]any{"trigger": "schedule", "units": []string{"ou-ab12-11111111"}}},
		{"cron(30 7 ? * MON,TUE,WED,THU,FRI *)", "Europe/Madrid", accounts.RestartFunction,
			map[string]any{"trigger": "schedule", "units": []string{"ou-ab12-11111111"}}},
		{"cron(0 21 ? * MON,TUE,WED,THU,FRI *)", "Asia/Tokyo", accounts.ShutdownFunction,
			map[string]any{"trigger": "schedule", "units": []string{"ou-ab12-44444444"}}},
		{"cron(0 8 ? * MON,TUE,WED,THU,FRI *)", "Asia/Tokyo", accounts.RestartFunction,
			map[string]any{"trigger": "schedule", "units": []string{"ou-ab12-44444444"}}},
		{"cron(0 8 ? * MON *)", "Europe/Madrid", accounts.CostReportFunction, map[string]any{"trigger": "schedule"}},
	})
}

func TestScheduleRoleInvokesOnlyCurfew(t *testing.T) {
	role := seed.logicalID(t, service, "AWS::IAM::Role", "Description", "curfew: Scheduler invokes the functions")
	trust := seed.resources(t, service, "AWS::IAM::Role")[role]["AssumeRolePolicyDocument"]
	assertJSON(t, "schedule role trust", trust, parseJSON(t, `{
		"Version": "2012-10-17",
		"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "scheduler.amazonaws.com"},
			"Condition": {"StringEquals": {"aws:SourceAccount": "111111111111",
				"aws:SourceArn": "arn:aws:scheduler:eu-west-1:111111111111:schedule-group/curfew"}}}]
	}`))
	// Every schedule is in that group, created by the stack.
	group := seed.logicalID(t, service, "AWS::Scheduler::ScheduleGroup", "Name", cdk.ScheduleGroup)
	for id := range seed.resources(t, service, "AWS::Scheduler::Schedule") {
		schedule := seed.templates[service]["Resources"].(map[string]any)[id].(map[string]any)
		assertJSON(t, id+" group", schedule["Properties"].(map[string]any)["GroupName"], cdk.ScheduleGroup)
		if !contains(schedule["DependsOn"], `"`+group+`"`) {
			t.Errorf("%s does not depend on its group %s: %v", id, group, schedule["DependsOn"])
		}
	}
	for _, p := range seed.resources(t, service, "AWS::IAM::Policy") {
		if !equalJSON(p["Roles"], []any{ref(role)}) {
			continue
		}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			a := s.(map[string]any)["Action"]
			if !equalJSON(a, "lambda:InvokeFunction") && !equalJSON(a, "sqs:SendMessage") {
				t.Errorf("schedule role may %v", a)
			}
		}
	}
}

func TestQueueAndTopicAreEncryptedAndTLSOnly(t *testing.T) {
	queues := seed.resources(t, service, "AWS::SQS::Queue")
	if len(queues) != 1 {
		t.Fatalf("%d queues, want the dead-letter queue only", len(queues))
	}
	dlq := firstKey(queues)
	assertJSON(t, "queue encryption", queues[dlq]["SqsManagedSseEnabled"], true)
	queuePolicy := seed.resource(t, service, "AWS::SQS::QueuePolicy", "Queues", []any{ref(dlq)})
	if !contains(queuePolicy, `"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"`) {
		t.Errorf("the queue accepts plain HTTP: %v", queuePolicy)
	}

	key := seed.logicalID(t, service, "AWS::KMS::Key", "Description", "curfew: encrypts the notification topic")
	assertJSON(t, "key rotation", seed.resources(t, service, "AWS::KMS::Key")[key]["EnableKeyRotation"], true)
	topic := seed.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
	assertJSON(t, "topic key", seed.resources(t, service, "AWS::SNS::Topic")[topic]["KmsMasterKeyId"], arn(key))
	st := statements(t, seed.resource(t, service, "AWS::SNS::TopicPolicy", "Topics", []any{ref(topic)})["PolicyDocument"])
	assertJSON(t, "topic TLS only", st["AllowPublishThroughSSLOnly"], map[string]any{
		"Sid": "AllowPublishThroughSSLOnly", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": ref(topic),
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	})
	if !contains(st["AllowThisAccountsAlarms"], `"aws:SourceAccount":"111111111111"`) {
		t.Errorf("alarms may not publish: %v", st)
	}
	keyPolicy := statements(t, seed.resources(t, service, "AWS::KMS::Key")[key]["KeyPolicy"])
	assertJSON(t, "alarms use the key", keyPolicy["AllowCloudWatchAlarms"]["Principal"], map[string]any{"Service": "cloudwatch.amazonaws.com"})

	for _, o := range []*org{seed, oidcOrg} {
		var got []string
		topic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
		for _, s := range o.resources(t, service, "AWS::SNS::Subscription") {
			if s["Protocol"] != "email" {
				t.Errorf("subscription %v", s)
			}
			if equalJSON(s["TopicArn"], ref(topic)) { // the delivery alarm's topic has its own
				got = append(got, s["Endpoint"].(string))
			}
		}
		if len(got) != len(o.m.CostReport.Recipients) {
			t.Errorf("subscriptions %v, want %v", got, o.m.CostReport.Recipients)
		}
		for _, r := range o.m.CostReport.Recipients {
			if !contains(got, r) {
				t.Errorf("no subscription for %s in %v", r, got)
			}
		}
	}
}

func TestAlarmsNotifyTheTopic(t *testing.T) {
	topic := seed.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
	dlq := firstKey(seed.resources(t, service, "AWS::SQS::Queue"))
	want := map[string]bool{"ApproximateNumberOfMessagesVisible " + dlq: false}
	for id := range seed.resources(t, service, "AWS::Lambda::Function") {
		want["Errors "+id] = false
	}
	// The cost report's failed deliveries by Slack and by its HTML page (a failed email is
	// the topic failing: its alarm has a topic of its own, TestDeliveryAlarmAvoidsTheReportTopic).
	for _, channel := range []string{"slack", "page"} {
		want["DeliveryFailed curfew/"+channel] = false
	}
	for id, a := range seed.resources(t, service, "AWS::CloudWatch::Alarm") {
		if a["Namespace"] == "curfew" && contains(a["Dimensions"], `"Value":"email"`) {
			continue
		}
		assertJSON(t, id+" actions", a["AlarmActions"], []any{ref(topic)})
		assertJSON(t, id+" threshold", []any{a["Threshold"], a["ComparisonOperator"], a["EvaluationPeriods"], a["TreatMissingData"]},
			[]any{1, "GreaterThanOrEqualToThreshold", 1, "notBreaching"})
		dims := a["Dimensions"].([]any)
		if a["Namespace"] == "curfew" {
			got := map[string]any{}
			for _, d := range dims {
				d := d.(map[string]any)
				got[d["Name"].(string)] = d["Value"]
			}
			if got["Function"] != accounts.CostReportFunction {
				t.Errorf("%s watches %v, want the cost report", id, got)
			}
			key := fmt.Sprintf("%s curfew/%v", a["MetricName"], got["Channel"])
			if _, ok := want[key]; !ok {
				t.Errorf("unexpected alarm %s", key)
			}
			want[key] = true
			continue
		}
		if len(dims) != 1 {
			t.Fatalf("%s dimensions %v", id, dims)
		}
		value := dims[0].(map[string]any)["Value"].(map[string]any)
		watched, _ := value["Ref"].(string) // a function
		if att, ok := value["Fn::GetAtt"].([]any); ok {
			watched = att[0].(string) // the queue, by name
		}
		key := a["MetricName"].(string) + " " + watched
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected alarm %s", key)
		}
		want[key] = true
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no alarm on %s", k)
		}
	}
}

func TestBucket(t *testing.T) {
	buckets := seed.resources(t, service, "AWS::S3::Bucket")
	if len(buckets) != 1 {
		t.Fatalf("%d buckets, want 1", len(buckets))
	}
	id := firstKey(buckets)
	b := buckets[id]
	assertJSON(t, "public access", b["PublicAccessBlockConfiguration"], map[string]any{
		"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
	})
	assertJSON(t, "lifecycle", b["LifecycleConfiguration"], parseJSON(t, `{"Rules": [
		{"Id": "ExpireRuns", "Prefix": "runs/", "ExpirationInDays": 400, "Status": "Enabled"},
		{"Id": "ExpireReports", "Prefix": "reports/", "ExpirationInDays": 90, "Status": "Enabled"},
		{"Id": "AbortUploads", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}, "Status": "Enabled"}
	]}`))
	resource := seed.templates[service]["Resources"].(map[string]any)[id].(map[string]any)
	if resource["DeletionPolicy"] != "Retain" {
		t.Errorf("bucket deletion policy = %v, want Retain", resource["DeletionPolicy"])
	}
	policy := seed.resource(t, service, "AWS::S3::BucketPolicy", "Bucket", ref(id))
	if !contains(policy, `"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"`) {
		t.Errorf("the bucket accepts plain HTTP: %v", policy)
	}
	for _, o := range []*org{seed, oidcOrg} {
		for _, s := range o.all() {
			for _, r := range o.templates[*s.StackName()]["Resources"].(map[string]any) {
				typ := r.(map[string]any)["Type"].(string)
				if strings.HasPrefix(typ, "Custom::") {
					t.Errorf("%s has custom resource %s", *s.StackName(), typ)
				}
			}
		}
	}
}

// TestServiceResourceNamesStartWithTheStackName: the home account's guardrails
// (guardrails.go) match the bucket, topic, queue and generated roles by the names
// CloudFormation gives them, "<stack>-<logical id>-<suffix>": none may have a name of its
// own, and the stack must be curfew-service.
func TestServiceResourceNamesStartWithTheStackName(t *testing.T) {
	for _, o := range []*org{seed, oidcOrg} {
		if got := *o.stacks.Service.StackName(); got != cdk.ServiceStackName {
			t.Errorf("service stack %s, want %s", got, cdk.ServiceStackName)
		}
		for typ, name := range map[string]string{
			"AWS::S3::Bucket": "BucketName", "AWS::SNS::Topic": "TopicName", "AWS::SQS::Queue": "QueueName",
		} {
			for id, r := range o.resources(t, service, typ) {
				if r[name] != nil {
					t.Errorf("%s %s has the fixed name %v", typ, id, r[name])
				}
			}
		}
		for id, r := range o.resources(t, service, "AWS::IAM::Role") {
			if n, ok := r["RoleName"].(string); ok && !strings.HasPrefix(n, "curfew-") {
				t.Errorf("role %s is named %s, outside the guardrails' role/curfew-*", id, n)
			}
		}
		for id, r := range o.resources(t, service, "AWS::KMS::Alias") {
			if n, _ := r["AliasName"].(string); !strings.HasPrefix(n, "alias/curfew/") {
				t.Errorf("key alias %s is %v, outside the guardrails' alias/curfew/*", id, r["AliasName"])
			}
		}
	}
}
