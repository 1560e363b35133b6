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
	body, err := os.ReadFile("testdata/report-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	lambdaURL, _ := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
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
