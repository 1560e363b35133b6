package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/mfasession"
)

// fakeTerminal is the person at /dev/tty: it answers every prompt with code and keeps
// what curfew wrote.
type fakeTerminal struct {
	code    string
	prompts []string
}

func (f *fakeTerminal) open() (io.ReadWriteCloser, error) {
	return &terminalSession{f: f, in: strings.NewReader(f.code + "\n")}, nil
}

type terminalSession struct {
	f  *fakeTerminal
	in io.Reader
}

func (s *terminalSession) Read(p []byte) (int, error) { return s.in.Read(p) }
func (s *terminalSession) Write(p []byte) (int, error) {
	s.f.prompts = append(s.f.prompts, string(p))
	return len(p), nil
}
func (s *terminalSession) Close() error { return nil }

// identityKeys points the SDK at endpoint with alice's identity keys in profile identity.
func identityKeys(t *testing.T, endpoint string) {
	t.Helper()
	isolateAWSEnv(t)
	credentials := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(credentials, []byte("[identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = alice-secret\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

func credentialsArgs(account string) []string {
	return []string{"credentials", "staging", "--role-arn", "arn:aws:iam::" + account + ":role/DeveloperAccess",
		"--source-profile", "identity", "--mfa-serial", "arn:aws:iam::111111111111:mfa/alice", "--session-name", "alice"}
}

// curfewProfile writes an AWS config file with profile staging as curfew profiles
// writes it (credential_process = curfew credentials ...) for the role in account, points
// the SDK and the app at it, and returns its path.
func curfewProfile(t *testing.T, args []string) string {
	t.Helper()
	config := filepath.Join(t.TempDir(), "config")
	line := "/usr/local/bin/curfew " + strings.Join(args, " ")
	data := "# BEGIN curfew profiles\n[profile identity]\nregion = eu-west-1\n\n[profile staging]\ncredential_process = " + line + "\nregion = eu-west-1\n# END curfew profiles\n"
	if err := os.WriteFile(config, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	return config
}

// curfew credentials never asks for a code (an SDK kills it after 60 seconds): without a
// session it fails at once, in one line saying to run curfew login, with the exit status
// a calling curfew recognises. curfew login asks once, on the terminal; then every
// credentials run prints what credential_process callers read (Version 1, keys,
// Expiration) with no prompt, and needs no account map.
func TestCredentialsNeverAsksAndLoginOpensTheSession(t *testing.T) {
	s := emulator.Shared(t)
	identityKeys(t, s.URL)
	account := emulator.NewAccountID()
	config := curfewProfile(t, credentialsArgs(account))
	tty := &fakeTerminal{code: "123456"}
	cache := filepath.Join(t.TempDir(), "curfew")
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

// Without a terminal (an IDE, a CI job) login says to run it in one.
func TestLoginWithoutTerminal(t *testing.T) {
	s := emulator.Shared(t)
	identityKeys(t, s.URL)
	config := curfewProfile(t, credentialsArgs(emulator.NewAccountID()))
	r := curfewWith(t, strings.NewReader("123456\n"), func(a *app) {
		a.configFile = config
		a.openTerminal = func() (io.ReadWriteCloser, error) { return nil, errors.New("open /dev/tty: no such device or address") }
	}, "login")
	// It says that login itself needs the terminal: "run curfew login in a terminal first"
	// read as if another command had failed.
	want := "curfew: curfew login needs a terminal to read the MFA code of profile \"staging\", and there is none\n" +
		"  next: run `curfew login` in a terminal window (not from a pipe, cron or CI): it asks for the code there"
	if !errors.Is(r.err, ErrNoMFACode) || "curfew: "+r.err.Error() != want {
		t.Errorf("err = %v, want ErrNoMFACode reading:\n%s", r.err, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
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

// An STS that does not answer is a network problem, and said so: not a bad key or code.
func TestLoginUnreachable(t *testing.T) {
	identityKeys(t, "http://127.0.0.1:1")
	config := curfewProfile(t, credentialsArgs(emulator.NewAccountID()))
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.openTerminal, a.configFile = tty.open, config }, "login")
	if !errors.Is(r.err, ErrUnreachable) || !strings.Contains(r.err.Error(), "check your network connection") {
		t.Errorf("err = %v, want ErrUnreachable with the network hint", r.err)
	}
}

// A role that refuses the user names what its trust asks of them: the group's tag
// besides the group (issue 26, item 9), the operators' for curfew-operator.
func TestCredentialsRefusedNamesTheGroupAndItsTag(t *testing.T) {
	proxy, err := faultproxy.New(emulator.Shared(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
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
	s := emulator.Shared(t)
	identityKeys(t, s.URL)
	account := emulator.NewAccountID()
	config := curfewProfile(t, credentialsArgs(account))
	tty := &fakeTerminal{code: "123456"}
	cache := filepath.Join(t.TempDir(), "curfew")
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

// With access: identity-center, curfew login signs in through the AWS CLI for curfew's
// sso-session (a stand-in aws on PATH records what it was asked), and asks no MFA code.
func TestLoginSignsInToIdentityCenter(t *testing.T) {
	isolateAWSEnv(t)
	config := filepath.Join(t.TempDir(), "config")
	if r := curfew(t, "", "--map", "testdata/accounts-identity-center.yaml", "profiles", "--config-file", config); r.err != nil {
		t.Fatal(r.err)
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	bin := t.TempDir()
	asked := filepath.Join(bin, "asked")
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\necho \"$@\" >> "+asked+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.configFile, a.openTerminal = config, tty.open }, "login")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	got, _ := os.ReadFile(asked)
	if string(got) != "sso login --sso-session curfew\n" || len(tty.prompts) != 0 {
		t.Errorf("aws was asked %q, prompts %q; want one sso login for curfew and no MFA code", got, tty.prompts)
	}
}

// The first morning without keys: curfew login says the identity profile holds none, and
// asks no code it would waste.
func TestLoginWithoutKeysAsksNothing(t *testing.T) {
	isolateAWSEnv(t)
	config := curfewProfile(t, credentialsArgs(emulator.NewAccountID()))
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.configFile, a.openTerminal = config, tty.open }, "login")
	if !errors.Is(r.err, ErrMissingProfile) || !strings.Contains(r.err.Error(), `profile "identity" holds no access keys`) ||
		!strings.Contains(r.err.Error(), "aws configure --profile identity") || len(tty.prompts) != 0 {
		t.Errorf("login without keys: %v, prompts %q; want the keys named and no prompt", r.err, tty.prompts)
	}
	causetest.NoSDKText(t, "login's error", r.err.Error())
}
