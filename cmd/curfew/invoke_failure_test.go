package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/problem"
)

// Issue 28, item 3: Ctrl-C while the function runs says what is known — the run was
// sent and goes on in AWS, where to see its result — and blames no setup; it exits 130.
func TestInvokeInterruptedSaysTheRunGoesOn(t *testing.T) {
	mapPath, ids := testMap(t)
	arrived, release := make(chan struct{}), make(chan struct{})
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) {
		close(arrived)
		<-release // the function still runs when the person gives up
		return []byte(`{}`), ""
	})
	t.Cleanup(func() { close(release) })
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, emulator.Shared(t).URL, map[string]string{"ops": ids["identity"]})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-arrived
		cancel() // Ctrl-C: main's signal.NotifyContext cancels the command's context
	}()
	r := curfewIn(ctx, t, strings.NewReader(""), nil, "--map", mapPath, "stop", "--account", "staging", "--profile", "ops")
	if len(calls()) != 1 {
		t.Fatalf("%d invocations, want 1", len(calls()))
	}
	if !errors.Is(r.err, invoke.ErrInterrupted) || exitKinds.Exit(r.err) != problem.ExitInterrupted {
		t.Fatalf("error = %v (exit %d), want ErrInterrupted, exit 130", r.err, exitKinds.Exit(r.err))
	}
	for _, want := range []string{"the run was sent; it continues in AWS", "curfew plan shows", "aws logs tail /aws/lambda/curfew-shutdown"} {
		if !strings.Contains(r.err.Error(), want) {
			t.Errorf("error %q does not say %q", r.err, want)
		}
	}
	for _, blame := range []string{"check that curfew-service is deployed", "may invoke it", "context canceled"} {
		if strings.Contains(r.err.Error(), blame) {
			t.Errorf("error %q says %q", r.err, blame)
		}
	}
}

// Issue 28, item 5: a --resource the run found nothing of is an error with its own exit
// status, not "nothing to do" and exit 0.
func TestInvokeUnknownResourceIsAnError(t *testing.T) {
	mapPath, ids := testMap(t)
	lambdaURL, _ := planEndpoint(t)
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, emulator.Shared(t).URL, map[string]string{"ops": ids["identity"]})

	r := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--resource", "i-doesnotexist,orders-db", "--profile", "ops")
	if !errors.Is(r.err, invoke.ErrUnmatched) || exitKinds.Exit(r.err) != problem.ExitUsage {
		t.Fatalf("error = %v (exit %d), want ErrUnmatched, exit 2", r.err, exitKinds.Exit(r.err))
	}
	if !strings.Contains(r.err.Error(), "--resource i-doesnotexist matched nothing") || strings.Contains(r.err.Error(), "orders-db") ||
		!strings.Contains(r.err.Error(), "next: check the id") {
		t.Errorf("error %q does not name only the unmatched id, with what to do", r.err)
	}
	if !strings.Contains(r.stdout, "orders-db") {
		t.Errorf("the report is not printed before the error:\n%s", r.stdout)
	}
	if r := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--resource", "orders-db", "--profile", "ops"); r.err != nil {
		t.Errorf("plan of a resource the run found: %v", r.err)
	}
}

func TestInvokeExitsNonZeroOnFailure(t *testing.T) {
	mapPath, ids := testMap(t)
	failed, err := os.ReadFile("testdata/report-restart-failed.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		body          string
		functionError string
		want          []string
	}{
		{"a resource and a region failed", string(failed), "",
			[]string{"curfew-restart: 1 resource(s) failed, 1 account×region pair(s) failed", "run again with --account/--region/--resource"}},
		{"a unit of the map could not be settled", `{"runId":"20261128T070000Z-9f8e7d","kind":"restart","trigger":"manual","results":[],"accounts":[{"from":"organization.ous[2].id","outcome":"error","reason":"the organisation has no unit ou-ab12-zzzzzzzz"}],"totals":{"accountErrors":1}}`, "",
			[]string{"curfew-restart: 1 account(s) or unit(s) of the map could not be settled (see accounts not visited)"}},
		{"the handler returned an error", `{"errorMessage":"load account map: no accounts","errorType":"errorString"}`,
			"Unhandled", []string{"curfew-restart in identity/eu-west-1", "(Unhandled): errorString: load account map: no accounts", "aws logs tail /aws/lambda/curfew-restart"}},
		// What the restart answers while another run holds a lease (internal/lease.HeldError,
		// as TestLambdasUnderTheEmulator gets it from the built binary): no hint about a
		// missing deployment, just wait and run again.
		{"another run holds the lease", `{"errorMessage":"another run is in progress in account staging (222222222222): shutdown run 20261127T190000Z-1a2b3c (schedule) has held its lease s3://b/lease/222222222222.json since 2026-11-27T19:00:01Z, until 2026-11-27T19:11:01Z at the latest; this run changed nothing: run it again once that one is done","errorType":"HeldError"}`,
			"Unhandled", []string{"another run is in progress in account staging", "this run changed nothing", "wait for that run to finish", "then run the same command again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lambdaURL, _ := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return []byte(tt.body), tt.functionError })
			other, _ := countingEndpoint(t)
			operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, other.URL, map[string]string{"ops": ids["identity"]})
			r := curfew(t, "", "--map", mapPath, "start", "--account", "staging", "--profile", "ops")
			if !errors.Is(r.err, ErrRunFailed) {
				t.Fatalf("error = %v, want ErrRunFailed", r.err)
			}
			status := problem.ExitPartial
			if strings.Contains(tt.body, "HeldError") {
				status = problem.ExitRefused
			}
			if got := exitKinds.Exit(r.err); got != status {
				t.Errorf("exit status %d, want %d", got, status)
			}
			if held := strings.Contains(tt.body, "HeldError"); errors.Is(r.err, ErrRunInProgress) != held ||
				held && strings.Contains(r.err.Error(), "check that curfew-service is deployed") {
				t.Errorf("error %q: ErrRunInProgress is %v, want %v, and no deployment hint for a held lease", r.err, !held, held)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q does not say %q", r.err, w)
				}
			}
		})
	}
}
