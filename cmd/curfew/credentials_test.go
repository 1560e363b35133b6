package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/mfasession"
)

// curfew credentials never asks for a code (an SDK kills it after 60 seconds): without a
// session it fails at once, in one line saying to run curfew login, with the exit status
// a calling curfew recognises. curfew login asks once, on the terminal; then every
// credentials run prints what credential_process callers read (Version 1, keys,
// Expiration) with no prompt, and needs no account map.
func TestCredentialsNeverAsksAndLoginOpensTheSession(t *testing.T) {
	account, config, tty, cache := loginSession(t)
	setup := func(a *app) {
		a.openTerminal = tty.open
		a.cacheDir = cache
		a.now = time.Now
		a.configFile = config
	}
	start := time.Now()
	r := curfewWith(t, strings.NewReader(""), setup, credentialsArgs(account)...)
	var exit exitError
	if !errors.Is(r.err, credcause.ErrLogin) || !errors.As(r.err, &exit) || exit.ExitCode() != credcause.CredentialProcessExit {
		t.Fatalf("credentials without a session: %v, want ErrLogin and exit status %d", r.err, credcause.CredentialProcessExit)
	}
	if !strings.HasPrefix(r.stderr, "curfew: ") || !strings.Contains(r.stderr, "no MFA session is open today") ||
		!strings.Contains(r.stderr, "next: run `curfew login") || r.stdout != "" || len(tty.prompts) != 0 {
		t.Errorf("stderr %q, stdout %q, prompts %q: want the login line on stderr, nothing else", r.stderr, r.stdout, tty.prompts)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("failing took %s, want at once", took)
	}

	login := curfewWith(t, strings.NewReader(""), setup, "login")
	if login.err != nil {
		t.Fatalf("login: %v\n%s", login.err, login.stderr)
	}
	if len(tty.prompts) != 1 || !strings.Contains(tty.prompts[0], "MFA code of arn:aws:iam::111111111111:mfa/alice") ||
		!strings.Contains(login.stderr, "open until") {
		t.Errorf("login: prompts %q, stderr %q; want one prompt naming the device, and until when the session is open", tty.prompts, login.stderr)
	}
	again := curfewWith(t, strings.NewReader(""), setup, "login")
	if again.err != nil || len(tty.prompts) != 1 || !strings.Contains(again.stderr, "already open until") {
		t.Errorf("a second login: %v, prompts %q, stderr %q; want no new code", again.err, tty.prompts, again.stderr)
	}
	for range 2 {
		r := curfewWith(t, strings.NewReader(""), setup, credentialsArgs(account)...)
		if r.err != nil {
			t.Fatalf("%v\n%s", r.err, r.stderr)
		}
		var out struct {
			Version                                                int
			AccessKeyId, SecretAccessKey, SessionToken, Expiration string
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("stdout %q: %v", r.stdout, err)
		}
		expires, err := time.Parse(time.RFC3339, out.Expiration)
		if out.Version != 1 || out.AccessKeyId == "" || out.SecretAccessKey == "" || out.SessionToken == "" || err != nil ||
			expires.Before(clock.Now().Add(50*time.Minute)) {
			t.Errorf("credential_process output %+v (%v), want Version 1, keys and an expiry an hour away", out, err)
		}
		if r.stderr != "" {
			t.Errorf("stderr %q, want nothing", r.stderr)
		}
	}
	if len(tty.prompts) != 1 {
		t.Errorf("terminal prompts = %q, want only login's", tty.prompts)
	}

	// logout drops the session: credentials fails fast again.
	out := curfewWith(t, strings.NewReader(""), setup, "logout")
	if out.err != nil || !strings.Contains(out.stderr, "removed 2 cached session file(s)") {
		t.Errorf("logout: %v, stderr %q; want the session and the role's credentials removed", out.err, out.stderr)
	}
	r = curfewWith(t, strings.NewReader(""), setup, credentialsArgs(account)...)
	if !errors.Is(r.err, credcause.ErrLogin) {
		t.Errorf("credentials after logout: %v, want ErrLogin", r.err)
	}
}

// An unsafe cache stops curfew credentials with a hint, before anything else.
func TestCredentialsRefusesAnOpenCache(t *testing.T) {
	s := emulator.Shared(t)
	identityKeys(t, s.URL)
	cache := filepath.Join(t.TempDir(), "curfew")
	if err := os.Mkdir(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.openTerminal, a.cacheDir = tty.open, cache }, credentialsArgs(emulator.NewAccountID())...)
	if !errors.Is(r.err, mfasession.ErrUnsafeCache) || !strings.Contains(r.err.Error(), "next: remove the file or directory") || !strings.Contains(r.err.Error(), cache) {
		t.Errorf("err = %v, want ErrUnsafeCache naming %s with a hint", r.err, cache)
	}
	if len(tty.prompts) != 0 || r.stdout != "" {
		t.Errorf("prompts %q, stdout %q: want neither", tty.prompts, r.stdout)
	}
}

// A malformed credential_process line fails naming every bad flag.
func TestCredentialsRejectsBadFlags(t *testing.T) {
	r := curfew(t, "", "credentials", "staging", "--role-arn", "DeveloperAccess", "--duration", "5h")
	for _, want := range []string{"--role-arn \"DeveloperAccess\"", "--source-profile is empty", "--mfa-serial is empty", "--session-name is empty", "--duration 5h0m0s", "curfew profiles"} {
		if r.err == nil || !strings.Contains(r.err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", r.err, want)
		}
	}
}

// A role that refuses the user names what its trust asks of them: the group's tag
// besides the group (issue 26, item 9), the operators' for curfew-operator.
func TestCredentialsRefusedNamesTheGroupAndItsTag(t *testing.T) {
	proxy := faultproxy.For(t, emulator.Shared(t).URL)
	proxy.Add(faultproxy.Rule{Service: "sts", Action: "AssumeRole", Kind: faultproxy.Error, Code: "AccessDenied", Status: 403})
	identityKeys(t, proxy.URL)
	account := emulator.NewAccountID()
	for role, want := range map[string]string{
		accounts.DeveloperAccessRole: "in the identity account's developers group and tagged curfew:developer=true",
		accounts.OperatorRole:        "in the identity account's operators group and tagged curfew:operator=true",
	} {
		t.Run(role, func(t *testing.T) {
			tty := &fakeTerminal{code: "123456"}
			args := credentialsArgs(account)
			args[3] = "arn:aws:iam::" + account + ":role/" + role
			config := curfewProfile(t, args)
			cache := filepath.Join(t.TempDir(), "curfew")
			setup := func(a *app) { a.openTerminal, a.cacheDir, a.configFile, a.now = tty.open, cache, config, clock.Now }
			if r := curfewWith(t, strings.NewReader(""), setup, "login"); r.err != nil {
				t.Fatal(r.err)
			}
			r := curfewWith(t, strings.NewReader(""), setup, args...)
			if r.err == nil || !strings.Contains(r.err.Error(), want) || !strings.Contains(r.err.Error(), "refused to let you assume "+args[3]) {
				t.Errorf("err = %v, want it to say %q", r.err, want)
			}
		})
	}
}
