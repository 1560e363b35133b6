package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/preflight"
	"github.com/curfew/curfew/internal/problem"
)

// curfew preflight, end to end: the operator's profiles of two accounts, checked with STS
// first. The home account, bootstrapped, passes; staging, never bootstrapped and with a
// DeveloperAccess role of someone else's, fails naming both with their fixes; a profile
// of another account than --account names is refused before any check. internal/preflight
// proves each check on its own.
func TestPreflight(t *testing.T) {
	s := emulator.Shared(t)
	mapPath, ids := testMap(t)
	proxy := faultproxy.For(t, s.URL)
	// moto has no GetAccountSettings: the proxy answers it as the Lambda API reference
	// shows it, for an account raised to the usual limit of 1000.
	proxy.Add(faultproxy.Rule{Service: "lambda", Kind: faultproxy.Answer,
		Match: func(c faultproxy.Call) bool {
			return strings.HasSuffix(strings.TrimSuffix(c.Path, "/"), "/account-settings")
		},
		Body: `{"AccountLimit":{"ConcurrentExecutions":1000,"UnreservedConcurrentExecutions":1000},"AccountUsage":{"FunctionCount":0}}`})
	via := emulator.Connect(proxy.URL)
	identity, staging := via.Account(t, ids["identity"], "eu-west-1"), via.Account(t, ids["staging"], "eu-west-1")

	keyProfiles(t, proxy.URL, map[string]aws.Config{"ops": identity, "ops-staging": staging})

	// What cdk bootstrap leaves that preflight reads: the CDKToolkit stack and its version.
	if _, err := cloudformation.NewFromConfig(identity).CreateStack(t.Context(), &cloudformation.CreateStackInput{
		StackName:    aws.String("CDKToolkit"),
		TemplateBody: aws.String(`{"Resources":{"V":{"Type":"AWS::SSM::Parameter","Properties":{"Name":"/cdk-bootstrap/hnb659fds/version","Type":"String","Value":"21"}}}}`),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(staging).CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("DeveloperAccess"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}

	t.Run("ready account", func(t *testing.T) {
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "ops")
		if r.err != nil {
			t.Fatalf("preflight: %v\n%s", r.err, r.stdout)
		}
		holds(t, "output", r.stdout,
			fmt.Sprintf("preflight of account identity (%s) with profile \"ops\"", ids["identity"]),
			"  ok       cdk bootstrap       aws://"+ids["identity"]+"/eu-west-1 bootstrapped",
			"  ok       lambda concurrency  eu-west-1: concurrency limit 1000",
			"  n/a      ci oidc provider    the CI principal is the IAM user ci-deployer",
			"no problems: account identity is ready",
		)
	})
	t.Run("account with problems", func(t *testing.T) {
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "ops-staging", "--account", "staging")
		if !errors.Is(r.err, ErrPreflightFailed) || !strings.Contains(r.err.Error(), "2 problem(s) in account staging") {
			t.Fatalf("err = %v, want 2 problems\n%s", r.err, r.stdout)
		}
		holds(t, "output", r.stdout,
			"  problem  cdk bootstrap       aws://"+ids["staging"]+"/eu-west-1 is not bootstrapped",
			"                               fix: cdk bootstrap aws://"+ids["staging"]+"/eu-west-1 --profile ops-staging",
			"  problem  fixed names         role DeveloperAccess already exists and no stack of curfew created it",
			"  n/a      lambda concurrency  curfew's functions run in the home account (identity)",
		)
	})
	// Issue 28, item 6: the same findings as JSON, in the schema docs/operations.md gives,
	// with the same exit status (partly failed).
	t.Run("json", func(t *testing.T) {
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "ops-staging", "--account", "staging", "--json")
		if !errors.Is(r.err, ErrPreflightFailed) || exitKinds.Exit(r.err) != problem.ExitPartial {
			t.Fatalf("err = %v, want ErrPreflightFailed, exit 4", r.err)
		}
		var rep preflight.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("--json printed %q: %v", r.stdout, err)
		}
		found := false
		for _, c := range rep.Checks {
			for _, f := range c.Findings {
				found = found || c.Check == "cdk bootstrap" && f.Status == preflight.Problem && strings.HasPrefix(f.Fix, "cdk bootstrap aws://"+ids["staging"])
			}
		}
		if rep.Account != "staging" || rep.AccountID != ids["staging"] || rep.Problems != 2 || !found {
			t.Errorf("--json = %+v", rep)
		}
	})
	t.Run("profile of another account", func(t *testing.T) {
		proxy.Clear()
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "ops", "--account", "staging")
		if !errors.Is(r.err, ErrWrongAccount) {
			t.Fatalf("err = %v, want ErrWrongAccount", r.err)
		}
		for _, c := range proxy.Calls() {
			if c.Service != "sts" {
				t.Errorf("a %s %s call after the account check failed", c.Service, c.Action)
			}
		}
	})
}
