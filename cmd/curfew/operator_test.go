package main

import (
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// An operator's day, end to end: `curfew profiles --operator` writes the operator profile,
// and `curfew stop` and `curfew start --profile operator` reach the home account through
// it (AssumeRole of curfew-operator with the MFA code, in moto) and invoke the built
// functions, which stop and start staging's instance. Who may assume curfew-operator, and
// that it may only invoke, is proven by simulation in cdk/operators_test.go: moto
// enforces no trust policy.
func TestOperatorProfileStopsAndRestarts(t *testing.T) {
	s := emulator.Shared(t)
	w := newFunctionsWorld(t, s, s.URL, false)
	mapPath, ids, router, configFile := w.mapPath, w.ids, w.router, w.configFile

	if r := curfew(t, "", "--map", mapPath, "profiles", "--user", "alice", "--operator", "--mfa-per-profile", "--config-file", configFile); r.err != nil {
		t.Fatalf("curfew profiles --operator: %v\n%s", r.err, r.stderr)
	} else if !strings.Contains(r.stderr, "--profile operator") {
		t.Errorf("curfew profiles --operator does not say how to use the profile:\n%s", r.stderr)
	}
	written, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	want := "[profile operator]\nrole_arn = arn:aws:iam::" + ids["identity"] + ":role/" + accounts.OperatorRole +
		"\nsource_profile = identity\nmfa_serial = arn:aws:iam::" + ids["identity"] + ":mfa/alice\nrole_session_name = alice\n"
	if !strings.Contains(string(written), want) {
		t.Fatalf("the config file lacks\n%s\nin:\n%s", want, written)
	}

	staging := s.Account(t, ids["staging"], "eu-west-1")
	ec2c := ec2.NewFromConfig(staging)
	web := emulator.RunInstance(t, ec2c)

	// Each command asks for the MFA code once, as the profile's mfa_serial makes it.
	stop := curfew(t, "123456\n", "--map", mapPath, "stop", "--account", "staging", "--region", "eu-west-1", "--profile", "operator")
	if stop.err != nil {
		t.Fatalf("stop: %v\n%s%s", stop.err, stop.stdout, stop.stderr)
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "stopped"})
	start := curfew(t, "123456\n", "--map", mapPath, "start", "--account", "staging", "--profile", "operator")
	if start.err != nil {
		t.Fatalf("start: %v\n%s%s", start.err, start.stdout, start.stderr)
	}
	if !strings.Contains(start.stdout, web) || !strings.Contains(start.stdout, "started") {
		t.Errorf("start output:\n%s", start.stdout)
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "running"})
	var invoked []string
	for _, c := range router.Calls() {
		invoked = append(invoked, c.Function)
	}
	if got := strings.Join(invoked, " "); got != accounts.ShutdownFunction+" "+accounts.RestartFunction {
		t.Errorf("invoked %s", got)
	}
}
