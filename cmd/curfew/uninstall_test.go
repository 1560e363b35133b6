package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
)

// curfew uninstall, end to end with the built curfew-shutdown and curfew-restart under the
// Lambda RIE (as in TestStartRestartsWhatCurfewStopped). The night stops an instance and
// two databases in staging. Without a terminal and without --yes, uninstall refuses before
// any call; --dry-run lists what it would start and destroy; neither starts or unmarks
// anything. One database then cannot start (RDS answers InsufficientDBInstanceCapacity,
// which StartDBInstance documents, injected in front of moto): uninstall --yes starts the
// others, lists the one it could not start, prints no destroy command and fails. Once
// capacity is back, it starts it, the check finds no mark left, and the destroy sequence
// is printed: service, members, identity, each with the profile its stack was deployed
// with, which curfew does not know (never the developer profiles of curfew profiles,
// whom the guardrails deny curfew's stacks).
func TestUninstallStartsEverythingBeforeTheStacksGo(t *testing.T) {
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	// The functions reach moto through the proxy, which fails one database's start.
	w := newFunctionsWorld(t, s, proxy.URL, true)
	mapPath, ids, router := w.mapPath, w.ids, w.router

	staging := s.Account(t, ids["staging"], "eu-west-1")
	ec2c, rdsc := ec2.NewFromConfig(staging), rds.NewFromConfig(staging)
	web := emulator.RunInstance(t, ec2c)
	for _, db := range []string{"orders-db", "broken-db"} {
		emulator.CreateDB(t, rdsc, db)
	}

	if r := curfew(t, "", "--map", mapPath, "stop", "--account", "staging", "--region", "eu-west-1", "--profile", "ops"); r.err != nil {
		t.Fatalf("stop: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "stopped"})
	assertDBStatus(t, rdsc, "broken-db", "stopped")

	// Still stopped and marked, as the night left them.
	unchanged := func(t *testing.T) {
		t.Helper()
		assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "stopped"})
		assertDBStatus(t, rdsc, "orders-db", "stopped")
		assertDBStatus(t, rdsc, "broken-db", "stopped")
		_, tags := emulator.InstanceState(t, ec2c, web)
		if _, marked := tags[accounts.StoppedAtTag]; !marked {
			t.Errorf("%s lost its mark %s", web, accounts.StoppedAtTag)
		}
	}
	t.Run("no terminal, no --yes", func(t *testing.T) {
		before := len(router.Calls())
		// A "y" in a pipe is no answer: a script cannot have read a question.
		r := curfew(t, "y\n", "--map", mapPath, "uninstall", "--profile", "ops")
		if !errors.Is(r.err, ErrNotConfirmed) {
			t.Fatalf("err = %v, want ErrNotConfirmed\n%s", r.err, r.stdout)
		}
		for _, w := range []string{"curfew uninstall starts everything curfew stopped in every swept account: staging, sandbox", "stdin is not a terminal", "nothing was changed",
			"next: pass --yes to proceed without asking (scripts, pipelines), or --dry-run to see what it would do"} {
			if !strings.Contains(r.err.Error(), w) {
				t.Errorf("error does not say %q:\n%v", w, r.err)
			}
		}
		if n := len(router.Calls()) - before; n != 0 || strings.Contains(r.stdout, "cdk destroy") {
			t.Errorf("%d invocations, stdout:\n%s", n, r.stdout)
		}
		unchanged(t)
	})
	t.Run("dry run", func(t *testing.T) {
		before := len(router.Calls())
		r := curfew(t, "", "--map", mapPath, "uninstall", "--profile", "ops", "--dry-run")
		if r.err != nil {
			t.Fatalf("uninstall --dry-run: %v\n%s", r.err, r.stdout)
		}
		holds(t, "the dry run", r.stdout, web, "orders-db", "broken-db", "would start",
			"cdk destroy curfew-service --profile <the profile you deployed curfew-service with> -c accountMap="+mapPath,
			"cdk destroy curfew-identity --profile <the profile you deployed curfew-identity with>",
			"dry run: nothing was changed")
		calls := router.Calls()[before:]
		if len(calls) != 1 || !strings.Contains(string(calls[0].Payload), `"dryRun":true`) {
			t.Errorf("invocations: %+v", calls)
		}
		unchanged(t)
	})

	proxy.Add(faultproxy.Rule{Service: "rds", Action: "StartDBInstance", Kind: faultproxy.Error, Code: "InsufficientDBInstanceCapacity",
		Match: func(c faultproxy.Call) bool { return c.Params.Get("DBInstanceIdentifier") == "broken-db" }})
	refused := curfew(t, "", "--map", mapPath, "uninstall", "--profile", "ops", "--yes")
	if !errors.Is(refused.err, ErrUninstallRefused) {
		t.Fatalf("uninstall with a database that cannot start: err = %v, want ErrUninstallRefused\n%s", refused.err, refused.stdout)
	}
	if !strings.Contains(refused.stdout, "staging eu-west-1: rds-instance broken-db: failed: start:") || !strings.Contains(refused.stdout, "InsufficientDBInstanceCapacity") {
		t.Errorf("the refusal does not name broken-db and its cause:\n%s", refused.stdout)
	}
	if strings.Contains(refused.stdout, "cdk destroy") {
		t.Errorf("a refused uninstall printed the destroy sequence:\n%s", refused.stdout)
	}
	assertEC2States(t, ec2c, map[string]ec2types.InstanceStateName{web: "running"})
	assertDBStatus(t, rdsc, "orders-db", "available")
	assertDBStatus(t, rdsc, "broken-db", "stopped")

	proxy.Clear()
	done := curfew(t, "", "--map", mapPath, "uninstall", "--profile", "ops", "--yes")
	if done.err != nil {
		t.Fatalf("uninstall: %v\n%s", done.err, done.stdout)
	}
	assertDBStatus(t, rdsc, "broken-db", "available")
	sequence := []string{
		"cdk destroy curfew-service --profile <the profile you deployed curfew-service with> -c accountMap=" + mapPath,
		"cdk destroy curfew-staging --profile <the profile you deployed curfew-staging with>",
		"cdk destroy curfew-sandbox --profile <the profile you deployed curfew-sandbox with>",
		"cdk destroy curfew-production --profile <the profile you deployed curfew-production with>",
		"cdk destroy curfew-identity --profile <the profile you deployed curfew-identity with>",
	}
	at := 0
	for _, want := range sequence {
		i := strings.Index(done.stdout[at:], want)
		if i < 0 {
			t.Fatalf("the destroy sequence lacks %q after position %d:\n%s", want, at, done.stdout)
		}
		at += i + len(want)
	}
	if !strings.Contains(done.stdout, "restart run ") || !strings.Contains(done.stdout, "dry run: nothing was changed") {
		t.Errorf("uninstall did not show the restart and its check:\n%s", done.stdout)
	}

	// No mark is left anywhere, as the restart engine's own describe calls see it.
	_, tags := emulator.InstanceState(t, ec2c, web)
	for _, k := range []string{accounts.StoppedAtTag, accounts.StoppedByRunTag} {
		if _, ok := tags[k]; ok {
			t.Errorf("%s still carries %s", web, k)
		}
	}
	for _, db := range []string{"orders-db", "broken-db"} {
		out, err := rdsc.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(db)})
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range out.DBInstances[0].TagList {
			if k := aws.ToString(tag.Key); k == accounts.StoppedAtTag || k == accounts.StoppedByRunTag {
				t.Errorf("%s still carries %s", db, k)
			}
		}
	}
	var kinds []string
	for _, c := range router.Calls() {
		var req fleet.Payload
		if err := json.Unmarshal(c.Payload, &req); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, fmt.Sprintf("%s dryRun=%t", c.Function, req.DryRun))
	}
	if strings.Contains(done.stdout, "--profile staging") || strings.Contains(done.stdout, "--profile identity") {
		t.Errorf("a destroy command names a developer profile of curfew profiles:\n%s", done.stdout)
	}
	if got := strings.Join(kinds, ", "); got != "curfew-shutdown dryRun=false, curfew-restart dryRun=true, curfew-restart dryRun=false, curfew-restart dryRun=false, curfew-restart dryRun=true" {
		t.Errorf("invocations: %s", got)
	}
}
