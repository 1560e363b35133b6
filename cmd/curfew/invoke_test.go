package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
)

// invocation is one call the fake Lambda endpoint received.
type invocation struct {
	function string
	request  fleet.Payload
}

// lambdaEndpoint serves Lambda's Invoke API, POST /2015-03-31/functions/{name}/invocations,
// with handle, and records every invocation. handle returns the response payload and,
// for a function error, its kind (the X-Amz-Function-Error header).
func lambdaEndpoint(t *testing.T, handle func(function string, payload []byte) ([]byte, string)) (*httptest.Server, func() []invocation) {
	t.Helper()
	var mu sync.Mutex
	var calls []invocation
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", func(w http.ResponseWriter, r *http.Request) {
		payload, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if got := r.Header.Get("X-Amz-Invocation-Type"); got != "RequestResponse" {
			t.Errorf("invocation type %q, want RequestResponse", got)
		}
		var req fleet.Payload
		if err := json.Unmarshal(payload, &req); err != nil {
			t.Errorf("payload %s: %v", payload, err)
		}
		mu.Lock()
		calls = append(calls, invocation{function: r.PathValue("name"), request: req})
		mu.Unlock()
		body, functionError := handle(r.PathValue("name"), payload)
		if functionError != "" {
			w.Header().Set("X-Amz-Function-Error", functionError)
		}
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.Write(body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, func() []invocation {
		mu.Lock()
		defer mu.Unlock()
		return append([]invocation(nil), calls...)
	}
}

// operatorEnv gives the operator the profiles of profileAccounts (name to account id),
// each holding temporary credentials of that account, got from the emulator by a real
// AssumeRole, and sends STS calls to stsURL, Lambda calls to lambdaURL and every other
// call to endpoint.
func operatorEnv(t *testing.T, stsURL, lambdaURL, endpoint string, profileAccounts map[string]string) {
	t.Helper()
	isolateAWSEnv(t)
	dir := t.TempDir()
	config, credentials := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	var configText, credentialsText strings.Builder
	for name, account := range profileAccounts {
		c, err := emulator.Shared(t).Account(t, account, "eu-west-1").Credentials.Retrieve(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&configText, "[profile %s]\nregion = eu-west-1\n", name)
		fmt.Fprintf(&credentialsText, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
			name, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	if err := os.WriteFile(config, []byte(configText.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(credentials, []byte(credentialsText.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	t.Setenv("AWS_ENDPOINT_URL_STS", stsURL)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", lambdaURL)
}

func TestInvokeSendsTheRequestAndPrintsTheReport(t *testing.T) {
	mapPath, ids := testMap(t)
	body, err := os.ReadFile("testdata/report-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
	other, otherCalls := countingEndpoint(t)
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, other.URL, map[string]string{"ops": ids["identity"]})

	r := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--region", "eu-west-1", "--resource", "i-0aaa,orders-db", "--profile", "ops")
	if r.err != nil {
		t.Fatalf("plan: %v\n%s", r.err, r.stderr)
	}
	got := calls()
	want := invocation{function: "curfew-shutdown", request: fleet.Payload{Trigger: fleet.Manual, Accounts: []string{"staging"},
		Regions: []string{"eu-west-1"}, Resources: []string{"i-0aaa", "orders-db"}, DryRun: true}}
	if len(got) != 1 || got[0].function != want.function || !sameRequest(got[0].request, want.request) {
		t.Errorf("invocations = %+v, want %+v", got, want)
	}
	for _, line := range []string{
		"shutdown run 20261127T183000Z-1a2b3c (manual), dry run: nothing was changed",
		"staging  eu-west-1     rds-instance  orders-db  db.t3.micro  skipped        snoozed until 2026-11-28T06:30:00Z",
		"staging  eu-central-1  -             -          -            nothing to do",
		"1 would stop, 1 skipped; 2 account×region pair(s)",
		"next holiday of staging: Fri 2026-12-25 (Europe/Madrid), a date of the account map: no scheduled morning start that day",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("output lacks %q:\n%s", line, r.stdout)
		}
	}
	if otherCalls.Load() != 0 {
		t.Errorf("%d calls to services other than Lambda and STS", otherCalls.Load())
	}

	j := curfew(t, "", "--map", mapPath, "start", "--profile", "ops", "--json", "--yes")
	if j.err != nil {
		t.Fatalf("start --json: %v", j.err)
	}
	var decoded fleet.Report
	if err := json.Unmarshal([]byte(j.stdout), &decoded); err != nil || decoded.RunID != "20261127T183000Z-1a2b3c" || len(decoded.Results) != 2 {
		t.Errorf("--json printed %q (%v)", j.stdout, err)
	}
	if last := calls()[1]; last.function != "curfew-restart" || !sameRequest(last.request, fleet.Payload{Trigger: fleet.Manual}) {
		t.Errorf("start with no filter sent %+v", last)
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
	body, err := os.ReadFile("testdata/report-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
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
	body, err := os.ReadFile("testdata/report-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
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

// setEnvCredentials puts temporary credentials of account in the environment, as
// aws-vault exec or a pipeline would.
func setEnvCredentials(t *testing.T, account string) {
	t.Helper()
	c, err := emulator.Shared(t).Account(t, account, "eu-west-1").Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", c.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", c.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", c.SessionToken)
}

func sameRequest(a, b fleet.Payload) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
