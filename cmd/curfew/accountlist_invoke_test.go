package main

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// stop, start and plan take an account found in a unit by its id, its Organizations name
// or its profile name, read from the list through the invoking profile, and send its id;
// a found production account is refused like a listed one, before any invocation.
func TestInvokeOnAFoundAccount(t *testing.T) {
	d := newOrgDeveloper(t)
	d.publish(t,
		accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true},
		accountlist.Account{ID: "977777777777", Name: "Payments", Environment: accounts.Production, From: "organization.ous[1] (ou-ab12-product1)", Regions: []string{"eu-west-1"}, Reason: "production: never swept"})
	lambdaURL, calls := planEndpoint(t)
	s := emulator.Shared(t)
	operatorEnv(t, s.URL, lambdaURL.URL, s.URL, map[string]string{"ops": d.m.HomeAccount().ID})

	for i, name := range []string{"Feature X", "955555555555", "feature-x-5555"} {
		r := curfew(t, "", "--map", d.mapPath, "plan", "--account", name, "--account", "staging", "--profile", "ops")
		if r.err != nil {
			t.Fatalf("plan --account %s: %v\n%s", name, r.err, r.stderr)
		}
		if got := calls(); len(got) != i+1 || !slices.Equal(got[i].request.Accounts, []string{"955555555555", "staging"}) {
			t.Errorf("plan --account %q sent %+v, want the id and staging", name, got[len(got)-1].request)
		}
	}
	for name, want := range map[string]error{"payments-7777": ErrProduction, "Payments": ErrProduction, "nope": ErrUnknownAccount, "900000000000": ErrUnknownAccount} {
		r := curfew(t, "", "--map", d.mapPath, "stop", "--account", name, "--profile", "ops")
		if !errors.Is(r.err, want) {
			t.Errorf("stop --account %s: %v, want %v", name, r.err, want)
		}
	}
	if n := len(calls()); n != 3 {
		t.Errorf("%d invocations, want the 3 plans only", n)
	}
}

// curfew snooze takes an account found in a unit by its name in the list: it reads the
// list as the developer, then acts through the profile curfew profiles wrote for it.
func TestSnoozeOnAFoundAccount(t *testing.T) {
	d := newOrgDeveloper(t)
	id := emulator.NewAccountID()
	d.publish(t, accountlist.Account{ID: id, Name: "Feature X", Environment: accounts.NonProduction,
		From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true})
	if r := curfew(t, "123456\n", "--map", d.mapPath, "profiles", "--user", "alice", "--mfa-per-profile", "--config-file", d.configFile); r.err != nil {
		t.Fatalf("profiles: %v\n%s", r.err, r.stderr)
	}
	ec2c := ec2.NewFromConfig(emulator.Shared(t).Account(t, id, "eu-west-1"))
	web := emulator.RunInstance(t, ec2c)
	// One MFA code reads the list, one assumes DeveloperAccess in the found account.
	r := curfew(t, "123456\n123456\n", "--map", d.mapPath, "snooze", "Feature X", web, "--tonight")
	if r.err != nil {
		t.Fatalf("snooze: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "snoozed EC2 instance "+web+" in feature-x-"+id[8:]+"/eu-west-1") {
		t.Errorf("snooze output:\n%s", r.stdout)
	}
	_, tags := emulator.InstanceState(t, ec2c, web)
	if _, tagged := tags[accounts.SnoozeUntilTag]; !tagged {
		t.Errorf("the instance in the found account has no %s tag", accounts.SnoozeUntilTag)
	}
}

// A run that could not publish the list says so on stderr; the command still succeeds.
func TestInvokeWarnsOfAnUnpublishedList(t *testing.T) {
	mapPath, ids := testMap(t)
	body := []byte(`{"runId":"20261127T183000Z-1a2b3c","kind":"shutdown","trigger":"manual","dryRun":true,"started":"2026-11-27T18:30:00Z","results":[],"totals":{},` +
		`"accountListError":"put the list of accounts in s3://curfew-accounts-111111111111-eu-west-1/accounts/latest.json: AccessDenied"}`)
	lambdaURL, _ := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
	s := emulator.Shared(t)
	operatorEnv(t, s.URL, lambdaURL.URL, s.URL, map[string]string{"ops": ids["identity"]})
	r := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--profile", "ops")
	if r.err != nil {
		t.Fatalf("plan: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning: the run did not publish the accounts it knew") || !strings.Contains(r.stderr, "AccessDenied") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
