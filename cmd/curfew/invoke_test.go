package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

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

// planEndpoint is a Lambda endpoint that answers every invocation with the dry run's
// report of testdata/report-plan.json, and what it was sent.
func planEndpoint(t *testing.T) (*httptest.Server, func() []invocation) {
	t.Helper()
	body, err := os.ReadFile("testdata/report-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	return lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
}

// operatorEnv gives the operator the profiles of profileAccounts (name to account id),
// each holding temporary credentials of that account, got from the emulator by a real
// AssumeRole, and sends STS calls to stsURL, Lambda calls to lambdaURL and every other
// call to endpoint.
func operatorEnv(t *testing.T, stsURL, lambdaURL, endpoint string, profileAccounts map[string]string) {
	t.Helper()
	profiles := map[string]aws.Config{}
	for name, account := range profileAccounts {
		profiles[name] = emulator.Shared(t).Account(t, account, "eu-west-1")
	}
	keyProfiles(t, endpoint, profiles)
	t.Setenv("AWS_ENDPOINT_URL_STS", stsURL)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", lambdaURL)
}

func TestInvokeSendsTheRequestAndPrintsTheReport(t *testing.T) {
	mapPath, ids := testMap(t)
	lambdaURL, calls := planEndpoint(t)
	other, otherCalls := countingEndpoint(t)
	operatorEnv(t, emulator.Shared(t).URL, lambdaURL.URL, other.URL, map[string]string{"ops": ids["identity"]})

	// On a terminal (a.progress set) the run's line says what runs where, over which
	// accounts; with --debug, whose log lines would break it, there is none.
	var progress []string
	onTerminal := func(debug bool) func(*app) {
		return func(a *app) {
			a.progress = func(what string) func() {
				progress = append(progress, fmt.Sprintf("debug=%t %s", debug, what))
				return func() {}
			}
		}
	}
	r := curfewWith(t, strings.NewReader(""), onTerminal(false), "--map", mapPath, "plan", "--account", "staging", "--region", "eu-west-1", "--resource", "i-0aaa,orders-db", "--profile", "ops")
	if r.err != nil {
		t.Fatalf("plan: %v\n%s", r.err, r.stderr)
	}
	got := calls()
	want := invocation{function: "curfew-shutdown", request: fleet.Payload{Trigger: fleet.Manual, Accounts: []string{"staging"},
		Regions: []string{"eu-west-1"}, Resources: []string{"i-0aaa", "orders-db"}, DryRun: true}}
	if len(got) != 1 || got[0].function != want.function || !sameRequest(got[0].request, want.request) {
		t.Errorf("invocations = %+v, want %+v", got, want)
	}
	holds(t, "output", r.stdout,
		"shutdown run 20261127T183000Z-1a2b3c (manual), dry run: nothing was changed",
		"staging  eu-west-1     rds-instance  orders-db  db.t3.micro  skipped        snoozed until 2026-11-28T06:30:00Z",
		"staging  eu-central-1  -             -          -            nothing to do",
		"1 would stop, 1 skipped; 2 account×region pair(s)",
		"next holiday of staging: Fri 2026-12-25 (Europe/Madrid), a date of the account map: no scheduled morning start that day",
	)
	if otherCalls.Load() != 0 {
		t.Errorf("%d calls to services other than Lambda and STS", otherCalls.Load())
	}

	j := curfewWith(t, strings.NewReader(""), onTerminal(false), "--map", mapPath, "start", "--profile", "ops", "--json", "--yes")
	if j.err != nil {
		t.Fatalf("start --json: %v", j.err)
	}
	if d := curfewWith(t, strings.NewReader(""), onTerminal(true), "--map", mapPath, "--debug", "stop", "--account", "staging,sandbox", "--profile", "ops"); d.err != nil {
		t.Fatalf("stop --debug: %v", d.err)
	}
	if want := []string{
		"debug=false curfew-shutdown in identity/eu-west-1: a dry run over staging",
		"debug=false curfew-restart in identity/eu-west-1: starting every non-production account",
	}; !slices.Equal(progress, want) {
		t.Errorf("progress lines %q, want %q", progress, want)
	}
	var decoded fleet.Report
	if err := json.Unmarshal([]byte(j.stdout), &decoded); err != nil || decoded.RunID != "20261127T183000Z-1a2b3c" || len(decoded.Results) != 2 {
		t.Errorf("--json printed %q (%v)", j.stdout, err)
	}
	if last := calls()[1]; last.function != "curfew-restart" || !sameRequest(last.request, fleet.Payload{Trigger: fleet.Manual}) {
		t.Errorf("start with no filter sent %+v", last)
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
