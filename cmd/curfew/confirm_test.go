package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
)

// stopStartEnv serves the Lambda Invoke API with the plan report, the operator's default
// profile (identity, the home account) from a real AssumeRole in the emulator, and
// returns the map and the invocations so far.
func stopStartEnv(t *testing.T) (string, func() []invocation) {
	t.Helper()
	mapPath, ids := testMap(t)
	lambdaURL, calls := planEndpoint(t)
	other, _ := countingEndpoint(t)
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, other.URL, map[string]string{"identity": ids["identity"]})
	return mapPath, calls
}

// stop and start over every account ask first; without a terminal to ask on they refuse
// unless --yes is given, before any AWS call. One account, a dry run and plan never ask.
func TestStopAndStartOverEveryAccountNeedConfirmation(t *testing.T) {
	mapPath, calls := stopStartEnv(t)
	tests := []struct {
		args    []string
		refused bool
	}{
		{[]string{"stop"}, true},
		{[]string{"start"}, true},
		{[]string{"stop", "--region", "eu-west-1", "--resource", "i-0aaa"}, true},
		{[]string{"stop", "--yes"}, false},
		{[]string{"start", "--yes"}, false},
		{[]string{"stop", "--account", "staging"}, false},
		{[]string{"start", "--account", "staging,sandbox"}, false},
		{[]string{"stop", "--dry-run"}, false},
		{[]string{"plan"}, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			before := len(calls())
			// A "y" in a pipe is no answer: a script cannot have read the question.
			r := curfew(t, "y\n", append([]string{"--map", mapPath}, tt.args...)...)
			invoked := len(calls()) - before
			if !tt.refused {
				if r.err != nil || invoked != 1 {
					t.Errorf("error %v, %d invocations; want it to run once without asking", r.err, invoked)
				}
				return
			}
			if !errors.Is(r.err, ErrNotConfirmed) || invoked != 0 {
				t.Fatalf("error %v, %d invocations; want ErrNotConfirmed and none", r.err, invoked)
			}
			for _, w := range []string{"every non-production account: staging, sandbox", "stdin is not a terminal", "nothing was changed", "next: pass --yes"} {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, r.err)
				}
			}
		})
	}
}
