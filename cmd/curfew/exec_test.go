package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/clock"
)

// The shell completes exec's and env's ACCOUNT with the map's target accounts.
func TestExecAndEnvCompleteAccounts(t *testing.T) {
	for _, command := range []string{"exec", "env"} {
		r := curfew(t, "", "--map", "testdata/accounts.yaml", "__complete", command, "")
		if r.err != nil || !strings.HasPrefix(r.stdout, "staging\nsandbox\nproduction\n") {
			t.Errorf("%s: %v, completions %q, want the target accounts", command, r.err, r.stdout)
		}
	}
}

// exec wants an account, then -- and a command; env one account.
func TestExecAndEnvArguments(t *testing.T) {
	for _, args := range [][]string{{"exec", "staging"}, {"exec", "staging", "aws"}, {"exec", "--", "aws"}, {"env"}} {
		r := curfew(t, "", append([]string{"--map", "testdata/accounts.yaml"}, args...)...)
		if r.err == nil {
			t.Errorf("%q: no error", args)
		}
	}
	r := curfew(t, "", "--map", "testdata/accounts.yaml", "env", "identity")
	if !errors.Is(r.err, ErrUnknownAccount) {
		t.Errorf("env identity: %v, want ErrUnknownAccount (the identity account holds only users)", r.err)
	}
}

// --debug logs the SDK's requests, never the secrets in them: after login, curfew --debug
// env prints the session's credentials on stdout (which the person asked for) and its
// request log on stderr, with the session token and signatures redacted.
func TestDebugRedactsSecrets(t *testing.T) {
	_, config, tty, cache := loginSession(t)
	setup := func(a *app) { a.openTerminal, a.cacheDir, a.configFile, a.now = tty.open, cache, config, clock.Now }
	if r := curfewWith(t, strings.NewReader(""), setup, "--debug", "login"); r.err != nil {
		t.Fatal(r.err)
	}
	r := curfewWith(t, strings.NewReader(""), setup, "--debug", "env", "staging")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	secrets := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if ok && (name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_SESSION_TOKEN") {
			secrets[name] = strings.Trim(value, "'")
		}
	}
	if len(secrets) != 2 || !strings.Contains(r.stderr, "X-Amz-Security-Token: [redacted]") {
		t.Fatalf("want both secrets on stdout and the redacted request log on stderr; stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	for name, value := range secrets {
		if strings.Contains(r.stderr, value) {
			t.Errorf("--debug printed %s", name)
		}
	}
	if strings.Contains(r.stderr, "Signature=") && !strings.Contains(r.stderr, "Signature=[redacted]") {
		t.Error("--debug printed a request signature")
	}
}
