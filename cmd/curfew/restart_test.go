package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
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
	w := newFunctionsWorld(t, s, s.URL, true)
	mapPath, router := w.mapPath, w.router

	staging := s.Account(t, w.ids["staging"], "eu-west-1")
	ec2c, rdsc := ec2.NewFromConfig(staging), rds.NewFromConfig(staging)
	web, demo := emulator.RunInstance(t, ec2c), emulator.RunInstance(t, ec2c)
	emulator.CreateDB(t, rdsc, "orders-db")

	// The developer keeps the demo instance up tonight. One clock for the whole test: the
	// functions read the snooze against clock.Now, so the CLI that writes it does too
	// (testNow, a fixed Friday, drifts away from it as the days pass). --tonight is valid
	// on any day; "--until 1d" was refused on weekends, as ending before Monday's stop.
	withFunctionsClock := func(a *app) { a.now = clock.Now }
	if r := curfewWith(t, strings.NewReader("123456\n"), withFunctionsClock, "--map", mapPath, "snooze", "staging", demo, "--tonight"); r.err != nil {
		t.Fatalf("snooze: %v\n%s", r.err, r.stderr)
	}

	plan := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--region", "eu-west-1", "--profile", "ops")
	if plan.err != nil {
		t.Fatalf("plan: %v\n%s%s", plan.err, plan.stdout, plan.stderr)
	}
	holds(t, "plan output", plan.stdout, web+"  t3.micro     would-stop", demo+"  t3.micro     skipped     snoozed until", "orders-db")
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
	holds(t, "start output", start.stdout, "restart run ", "staging  eu-west-1", web, "started", "orders-db", "2 started; 2 account×region pair(s)")
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
