package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/curfew/curfew/internal/emulator"
)

// curfew preflight of the organisation's management account when the map names it by id
// only (organization.managementAccount): the profile that reaches it, or --account with
// its id or "management", checks it as the account curfew-organization deploys to. With
// trusted access for StackSets off it fails naming the command; once enabled it passes.
func TestPreflightManagementAccountByID(t *testing.T) {
	s := emulator.Shared(t)
	mapPath, ids := testMap(t)
	org := s.NewOrg(t, "us-east-1")
	mgmt := org.Management
	mgmtCfg := s.Account(t, mgmt, "eu-west-1")
	unit := org.Unit(org.Root, "sandboxes")
	text, err := os.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	text = fmt.Appendf(text, `
organization:
  managementAccount: "%s"
  ous:
    - {id: %s, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`, mgmt, unit)
	if err := os.WriteFile(mapPath, text, 0o644); err != nil {
		t.Fatal(err)
	}
	// What cdk bootstrap leaves that preflight reads, in homeRegion, where
	// curfew-organization goes.
	if _, err := cloudformation.NewFromConfig(mgmtCfg).CreateStack(t.Context(), &cloudformation.CreateStackInput{
		StackName:    aws.String("CDKToolkit"),
		TemplateBody: aws.String(`{"Resources":{"V":{"Type":"AWS::SSM::Parameter","Properties":{"Name":"/cdk-bootstrap/hnb659fds/version","Type":"String","Value":"21"}}}}`),
	}); err != nil {
		t.Fatal(err)
	}

	keyProfiles(t, s.URL, map[string]aws.Config{"management": mgmtCfg, "ops-staging": s.Account(t, ids["staging"], "eu-west-1")})

	t.Run("trusted access off", func(t *testing.T) {
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "management")
		if !errors.Is(r.err, ErrPreflightFailed) || !strings.Contains(r.err.Error(), "1 problem(s) in account management") {
			t.Fatalf("err = %v, want 1 problem\n%s", r.err, r.stdout)
		}
		holds(t, "output", r.stdout,
			fmt.Sprintf("preflight of account management (%s) with profile \"management\"", mgmt),
			"  problem  stacksets access    trusted access for StackSets (member.org.stacksets.cloudformation.amazonaws.com) is not enabled",
			"                               fix: in the management account ("+mgmt+"): aws cloudformation activate-organizations-access --profile management\n",
		)
	})
	if _, err := org.Client().EnableAWSServiceAccess(t.Context(), &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("member.org.stacksets.cloudformation.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--profile", "management"}, {"--profile", "management", "--account", mgmt}, {"--profile", "management", "--account", "management"}} {
		t.Run("ready "+strings.Join(args, " "), func(t *testing.T) {
			r := curfew(t, "", append([]string{"--map", mapPath, "preflight"}, args...)...)
			if r.err != nil {
				t.Fatalf("preflight: %v\n%s", r.err, r.stdout)
			}
			holds(t, "output", r.stdout,
				fmt.Sprintf("preflight of account management (%s)", mgmt),
				"  ok       cdk bootstrap       aws://"+mgmt+"/eu-west-1 bootstrapped",
				"  ok       fixed names         none of curfew's 2 fixed names is taken",
				"  ok       stacksets access    "+mgmt+" is the management account of organisation o-",
				"  ok       stacksets access    trusted access for StackSets",
				"  n/a      lambda concurrency  curfew's functions run in the home account (identity)",
				"no problems: account management is ready",
			)
		})
	}
	t.Run("profile of another account", func(t *testing.T) {
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "ops-staging", "--account", "management")
		if !errors.Is(r.err, ErrWrongAccount) {
			t.Fatalf("err = %v, want ErrWrongAccount", r.err)
		}
	})
	t.Run("unknown account", func(t *testing.T) {
		r := curfew(t, "", "--map", mapPath, "preflight", "--profile", "management", "--account", "nobody")
		if !errors.Is(r.err, ErrUnknownAccount) {
			t.Fatalf("err = %v, want ErrUnknownAccount", r.err)
		}
		if want := "identity, staging, sandbox, production, management (" + mgmt + ")"; !strings.Contains(r.err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, r.err)
		}
	})
}

// The shell offers the management account named by id only for preflight's --account,
// after the map's accounts.
func TestCompletionOffersTheManagementAccount(t *testing.T) {
	text, err := os.ReadFile("testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	text = append(text, `
organization:
  managementAccount: "999999999999"
  ous:
    - {id: ou-ab12-sandbox1, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`...)
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.mapEnv = path }, "__complete", "preflight", "--account", "")
	if want := "identity\nstaging\nsandbox\nproduction\nmanagement\n:4\n"; r.err != nil || r.stdout != want {
		t.Errorf("completion = %q (%v), want %q", r.stdout, r.err, want)
	}
}
