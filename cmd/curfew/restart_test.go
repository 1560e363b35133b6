package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/lambdatest"
)

// The operator's on-demand restart, end to end: a developer snoozes one instance,
// `curfew stop --account staging` stops the rest, and `curfew start --account staging`
// starts exactly what curfew stopped. The built curfew-shutdown and curfew-restart
// binaries run under the Lambda Runtime Interface Emulator with the home account's
// credentials and reach staging in moto through AssumeRole of CurfewScheduler; the CLI
// reaches them with the SDK's Lambda client through lambdarun's Lambda-API-shaped router,
// which sends POST /2015-03-31/functions/{name}/invocations to the emulator of that name.
func TestStartRestartsWhatCurfewStopped(t *testing.T) {
	s := emulator.Shared(t)
	mapPath, ids := testMap(t)
	m, err := accounts.Load(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	home, router := homeFunctions(t, s, m, ids, s.URL)
	configFile := developerEnv(t, mapPath, s.URL)
	opsProfile(t, configFile, home)

	staging := s.Account(t, ids["staging"], "eu-west-1")
	ec2c, rdsc := ec2.NewFromConfig(staging), rds.NewFromConfig(staging)
	run, err := ec2c.RunInstances(t.Context(), &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2),
		InstanceType: ec2types.InstanceTypeT3Micro,
	})
	if err != nil {
		t.Fatal(err)
	}
	web, demo := aws.ToString(run.Instances[0].InstanceId), aws.ToString(run.Instances[1].InstanceId)
	if _, err := rdsc.CreateDBInstance(t.Context(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders-db"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-secret-1"),
	}); err != nil {
		t.Fatal(err)
	}

	// The developer keeps the demo instance up tonight, for a day. One clock for the whole
	// test: the functions read the snooze against clock.Now, so the CLI that writes it
	// does too (testNow, a fixed Friday, drifts away from it as the days pass).
	withFunctionsClock := func(a *app) { a.now = clock.Now }
	if r := curfewWith(t, strings.NewReader("123456\n"), withFunctionsClock, "--map", mapPath, "snooze", "staging", demo, "--until", "1d"); r.err != nil {
		t.Fatalf("snooze: %v\n%s", r.err, r.stderr)
	}

	plan := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--region", "eu-west-1", "--profile", "ops")
	if plan.err != nil {
		t.Fatalf("plan: %v\n%s%s", plan.err, plan.stdout, plan.stderr)
	}
	for _, want := range []string{web + "  t3.micro     would-stop", demo + "  t3.micro     skipped     snoozed until", "orders-db"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "running", demo: "running"})

	stop := curfew(t, "", "--map", mapPath, "stop", "--account", "staging", "--region", "eu-west-1", "--profile", "ops")
	if stop.err != nil {
		t.Fatalf("stop: %v\n%s%s", stop.err, stop.stdout, stop.stderr)
	}
	if !strings.Contains(stop.stdout, "2 stopped, 1 skipped") {
		t.Errorf("stop output:\n%s", stop.stdout)
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "stopped", demo: "running"})
	assertDBStatus(t, rdsc, "orders-db", "stopped")

	start := curfew(t, "", "--map", mapPath, "start", "--account", "staging", "--profile", "ops")
	if start.err != nil {
		t.Fatalf("start: %v\n%s%s", start.err, start.stdout, start.stderr)
	}
	for _, want := range []string{"restart run ", "staging  eu-west-1", web, "started", "orders-db", "2 started; 2 account×region pair(s)"} {
		if !strings.Contains(start.stdout, want) {
			t.Errorf("start output lacks %q:\n%s", want, start.stdout)
		}
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "running", demo: "running"})
	assertDBStatus(t, rdsc, "orders-db", "available")

	var invoked []string
	for _, c := range router.Calls() {
		invoked = append(invoked, c.Function)
		var req fleet.Payload
		if err := json.Unmarshal(c.Payload, &req); err != nil {
			t.Errorf("payload %s: %v", c.Payload, err)
		}
		if req.Trigger != fleet.Manual || len(req.Accounts) != 1 || req.Accounts[0] != "staging" {
			t.Errorf("request %+v, want a manual run of staging", req)
		}
	}
	if got := strings.Join(invoked, " "); got != "curfew-shutdown curfew-shutdown curfew-restart" {
		t.Errorf("invoked %s", got)
	}
}

func assertEC2States(t *testing.T, c *ec2.Client, want map[string]ec2types.InstanceStateName) {
	t.Helper()
	var ids []string
	for id := range want {
		ids = append(ids, id)
	}
	out, err := c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			id := aws.ToString(i.InstanceId)
			if got := i.State.Name; got != want[id] {
				t.Errorf("instance %s is %s, want %s", id, got, want[id])
			}
		}
	}
}

func assertDBStatus(t *testing.T, c *rds.Client, id, want string) {
	t.Helper()
	out, err := c.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.DBInstances[0].DBInstanceStatus); got != want {
		t.Errorf("DB instance %s is %s, want %s", id, got, want)
	}
}

// homeFunctions runs the built curfew-shutdown and curfew-restart under the Lambda RIE
// with the home account's credentials, reaching AWS at endpoint, behind lambdarun's
// Lambda-API-shaped router, and points the CLI's Lambda client at that router
// (AWS_ENDPOINT_URL_LAMBDA). It returns the home account's credentials and the router,
// which records the invocations.
func homeFunctions(t *testing.T, s *emulator.Server, m *accounts.Map, ids map[string]string, endpoint string) (aws.Credentials, *lambdarun.Router) {
	t.Helper()
	home, err := s.Account(t, ids["identity"], m.HomeRegion).Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL":            endpoint,
		"AWS_REGION":                  m.HomeRegion,
		"AWS_ACCESS_KEY_ID":           home.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       home.SecretAccessKey,
		"AWS_SESSION_TOKEN":           home.SessionToken,
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "120",
	}
	shutdown, restart := lambdatest.Start(t, "shutdown", m, env), lambdatest.Start(t, "restart", m, env)
	router := lambdarun.NewRouter(map[string]lambdarun.Invoker{
		accounts.ShutdownFunction: shutdown,
		accounts.RestartFunction:  restart,
	})
	lambdaURL := httptest.NewServer(router)
	t.Cleanup(lambdaURL.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("curfew-shutdown:\n%s\ncurfew-restart:\n%s", shutdown.Output(), restart.Output())
		}
	})
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", lambdaURL.URL)
	return home, router
}

// opsProfile adds the operator's own profile "ops" next to the developer's profiles of
// configFile: credentials of the home account, which curfew checks with STS before it
// invokes anything.
func opsProfile(t *testing.T, configFile string, home aws.Credentials) {
	t.Helper()
	appendFile(t, configFile, "\n[profile ops]\nregion = eu-west-1\n")
	appendFile(t, os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), fmt.Sprintf("\n[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		home.AccessKeyID, home.SecretAccessKey, home.SessionToken))
}
