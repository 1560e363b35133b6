package main

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
)

// Wrong input fails with a hint before any AWS call.
func TestInvokeRefusesBeforeAnyAWSCall(t *testing.T) {
	mapPath, _ := testMap(t)
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return []byte(`{}`), "" })
	other, otherCalls := countingEndpoint(t)
	operatorEnv(t, other.URL, lambdaURL.URL, other.URL, nil)
	appendFile(t, os.Getenv("AWS_CONFIG_FILE"), "[profile nokeys]\nregion = eu-west-1\n")
	tests := []struct {
		name string
		args []string
		is   error
		want string
	}{
		{"production", []string{"start", "--account", "production"}, ErrProduction, "choose a non-production account: staging, sandbox"},
		{"unknown account", []string{"stop", "--account", "prod"}, ErrUnknownAccount, "use one of staging, sandbox, production"},
		{"identity account", []string{"plan", "--account", "identity"}, ErrUnknownAccount, "use one of"},
		{"missing profile", []string{"start", "--account", "staging", "--profile", "operator"}, ErrMissingProfile, "--profile"},
		{"default profile missing", []string{"plan", "--prefix", "acme-"}, ErrMissingProfile, `"acme-identity"`},
		{"bad prefix", []string{"plan", "--prefix", "acme/"}, ErrInvalidInput, "--prefix acme-"},
		{"profile without keys", []string{"start", "--account", "staging", "--profile", "nokeys"}, ErrMissingProfile, "aws configure --profile nokeys"},
		{"region not swept", []string{"stop", "--account", "sandbox", "--region", "eu-central-1"}, ErrInvalidInput, "use one of eu-west-1"},
		{"every problem at once", []string{"start", "--account", "production,nope", "--resource", "a b"}, ErrProduction, "3 problems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curfew(t, "", append([]string{"--map", mapPath}, tt.args...)...)
			if !errors.Is(r.err, tt.is) || !strings.Contains(r.err.Error(), tt.want) || !strings.Contains(r.err.Error(), "next: ") {
				t.Errorf("error = %v, want %v saying %q and what to do next", r.err, tt.is, tt.want)
			}
		})
	}
	if n := len(calls()) + int(otherCalls.Load()); n != 0 {
		t.Errorf("%d AWS calls made, want none", n)
	}
}

// Issue 26, item 12: an empty --account, --region or --resource, or an empty item of
// one, is an error, never "everything": with a profile that may invoke the functions and
// --yes, nothing is invoked.
func TestInvokeRefusesAnEmptyFilter(t *testing.T) {
	mapPath, ids := testMap(t)
	lambdaURL, calls := planEndpoint(t)
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, emulator.Shared(t).URL, map[string]string{"ops": ids["identity"]})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty --account", []string{"stop", "--account", "", "--yes"}, "--account is empty\n  next: name an account, or leave the flag out"},
		{"empty --resource", []string{"stop", "--account", "staging", "--resource", ""}, "--resource is empty\n  next: name a resource id, or leave the flag out"},
		{"empty --region", []string{"start", "--account", "staging", "--region", "", "--yes"}, "--region is empty\n  next: name a region, or leave the flag out"},
		{"empty --resource on plan", []string{"plan", "--resource", ""}, "--resource is empty"},
		{"blank --account", []string{"plan", "--account", " "}, "--account is empty"},
		{"empty item of --account", []string{"stop", "--account", "staging,"}, `--account "staging," has an empty item`},
		{"empty item of --resource", []string{"stop", "--account", "staging", "--resource", "i-0aaa", "--resource", ""}, "--resource is empty"},
		{"every empty filter at once", []string{"stop", "--account", "", "--region", "", "--resource", "", "--yes"}, "3 problems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curfew(t, "", append([]string{"--map", mapPath, "--profile", "ops"}, tt.args...)...)
			if !errors.Is(r.err, ErrInvalidInput) || !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("error = %v, want invalid input saying %q", r.err, tt.want)
			}
		})
	}
	if got := calls(); len(got) != 0 {
		t.Errorf("%d invocation(s) reached the function, want none: %+v", len(got), got)
	}
}

// Issue 12, item 7, for the operator's commands: the default profile is the home
// account's name, and an operator whose own "identity" profile reaches another account
// (curfew's profiles carry the prefix acme-) is refused before anything is invoked; with
// --prefix acme- the run goes ahead. The account check runs against the emulator's STS.
func TestInvokeRefusesAProfileOfAnotherAccount(t *testing.T) {
	mapPath, ids := testMap(t)
	lambdaURL, calls := planEndpoint(t)
	other, otherCalls := countingEndpoint(t)
	personal := emulator.NewAccountID()
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, other.URL, map[string]string{
		"identity":      personal,        // the operator's own profile, in an account outside the map
		"acme-identity": ids["identity"], // curfew's, written with --prefix acme-
		"staging-ops":   ids["staging"],
	})
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"the user's own profile of the default name", []string{"plan", "--account", "staging"}, []string{
			`profile "identity" acts in account ` + personal + " (an account that is not in the account map",
			"curfew plan invokes curfew-shutdown in the home account " + ids["identity"] + " (identity)",
			"nothing was changed", "next: ", "--prefix acme- uses profile acme-identity", "--profile"}},
		{"a profile of another account of the map", []string{"stop", "--profile", "staging-ops", "--yes"}, []string{
			`profile "staging-ops" acts in account ` + ids["staging"] + " (account staging of the map",
			"curfew stop invokes curfew-shutdown in the home account " + ids["identity"]}},
		{"start too", []string{"start", "--account", "sandbox"}, []string{`profile "identity" acts in account ` + personal}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curfew(t, "", append([]string{"--map", mapPath}, tt.args...)...)
			if !errors.Is(r.err, ErrWrongAccount) {
				t.Fatalf("error = %v, want ErrWrongAccount", r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q does not say %q", r.err, w)
				}
			}
		})
	}
	if n := len(calls()); n != 0 {
		t.Errorf("%d invocations by a profile of another account, want none", n)
	}

	// --profile "" takes credentials from the environment (aws-vault exec, a pipeline),
	// and they are checked the same way.
	setEnvCredentials(t, personal)
	env := curfew(t, "", "--map", mapPath, "start", "--profile", "", "--yes")
	if !errors.Is(env.err, ErrWrongAccount) || !strings.Contains(env.err.Error(), `the default credentials (--profile "": environment keys`) ||
		!strings.Contains(env.err.Error(), "acts in account "+personal) {
		t.Errorf("start --profile \"\" with another account's keys in the environment: %v", env.err)
	}
	if n := len(calls()); n != 0 {
		t.Errorf("%d invocations with another account's keys in the environment, want none", n)
	}

	r := curfew(t, "", "--map", mapPath, "--prefix", "acme-", "plan", "--account", "staging")
	if r.err != nil {
		t.Fatalf("plan --prefix acme-: %v\n%s", r.err, r.stderr)
	}
	setEnvCredentials(t, ids["identity"])
	if r := curfew(t, "", "--map", mapPath, "plan", "--profile", ""); r.err != nil {
		t.Fatalf("plan --profile \"\" with the home account's keys in the environment: %v\n%s", r.err, r.stderr)
	}
	if got := calls(); len(got) != 2 || got[0].function != "curfew-shutdown" || got[1].function != "curfew-shutdown" {
		t.Errorf("invocations = %+v, want two of curfew-shutdown", got)
	}
	if otherCalls.Load() != 0 {
		t.Errorf("%d calls to services other than Lambda and STS", otherCalls.Load())
	}
}
