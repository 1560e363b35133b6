package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// testNow is the clock of every test: a Friday evening in Madrid.
var testNow = time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC)

// result is what one curfew invocation printed and returned.
type result struct {
	stdout, stderr string
	err            error
}

// holds fails t for each of lines that out, what the command named by what printed, lacks.
func holds(t *testing.T, what, out string, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if !strings.Contains(out, line) {
			t.Errorf("%s lacks %q:\n%s", what, line, out)
		}
	}
}

// curfew runs the CLI in-process with args, stdin as its terminal input.
func curfew(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return curfewWith(t, strings.NewReader(stdin), nil, args...)
}

// curfewWith runs the CLI in-process with args and stdin, after setup (when not nil) has
// adjusted the app: CURFEW_MAP, the configuration directory, the build information.
func curfewWith(t *testing.T, stdin io.Reader, setup func(*app), args ...string) result {
	t.Helper()
	return curfewIn(t.Context(), t, stdin, setup, args...)
}

// curfewIn is curfewWith under ctx, which the test may cancel as Ctrl-C would.
func curfewIn(ctx context.Context, t *testing.T, stdin io.Reader, setup func(*app), args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin:      stdin,
		stdout:     &stdout,
		stderr:     &stderr,
		now:        func() time.Time { return testNow },
		configFile: filepath.Join(t.TempDir(), "config"),
		cacheDir:   filepath.Join(t.TempDir(), "cache", "curfew"),
		executable: testExecutable,
		environ:    os.Environ,
	}
	if setup != nil {
		setup(a)
	}
	root := newRootCommand(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// testExecutable is where the tests' profiles say curfew is installed.
func testExecutable() (string, error) { return "/usr/local/bin/curfew", nil }

// example runs the CLI with its output on os.Stdout, for Example tests, and prints the
// error as main would.
func example(args ...string) {
	a := &app{
		stdin:      strings.NewReader(""),
		stdout:     os.Stdout,
		stderr:     os.Stdout,
		now:        func() time.Time { return testNow },
		configFile: "testdata/missing-config",
		executable: testExecutable,
	}
	root := newRootCommand(a)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Println("curfew:", err)
	}
}

// testMap writes an account map with fresh emulator account ids and returns its path and
// the ids by account name.
func testMap(t *testing.T) (string, map[string]string) {
	t.Helper()
	ids := map[string]string{
		"identity":   emulator.NewAccountID(),
		"staging":    emulator.NewAccountID(),
		"sandbox":    emulator.NewAccountID(),
		"production": emulator.NewAccountID(),
	}
	data, err := os.ReadFile("testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for name, real := range map[string]string{"identity": "111111111111", "staging": "222222222222", "sandbox": "333333333333", "production": "444444444444"} {
		text = strings.ReplaceAll(text, `"`+real+`"`, `"`+ids[name]+`"`)
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

// developerWorld is moto, the test map (its path and its accounts' ids), and Alice's
// profiles as curfew profiles writes them, in the environment (developerEnv).
func developerWorld(t *testing.T) (*emulator.Server, string, map[string]string) {
	t.Helper()
	s := emulator.Shared(t)
	mapPath, ids := testMap(t)
	developerEnv(t, mapPath, s.URL)
	return s, mapPath, ids
}

// developerEnv writes curfew's profiles for alice (the mfa_serial style, whose MFA prompt
// reads stdin in-process) and a credentials file with her identity keys, and points the
// AWS SDK at them and at endpoint for the rest of the test.
func developerEnv(t *testing.T, mapPath, endpoint string) (configFile string) {
	t.Helper()
	dir := t.TempDir()
	configFile = filepath.Join(dir, "config")
	if r := curfew(t, "", "--map", mapPath, "profiles", "--user", "alice", "--mfa-per-profile", "--config-file", configFile); r.err != nil {
		t.Fatalf("curfew profiles: %v\n%s", r.err, r.stderr)
	}
	credentials := filepath.Join(dir, "credentials")
	// moto accepts any keys; these land in its default account, like an IAM user's would
	// land in the identity account.
	if err := os.WriteFile(credentials, []byte("[identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = alice-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	isolateAWSEnv(t)
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	// The SDK's shared-config loader builds the STS client of an assume-role profile
	// before it reads AWS_ENDPOINT_URL; the service-specific variable reaches it.
	t.Setenv("AWS_ENDPOINT_URL_STS", endpoint)
	return configFile
}

// isolateAWSEnv clears the AWS settings of whoever runs the tests.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "no-credentials"))
}

// countingEndpoint is an AWS endpoint that answers nothing and counts the requests it
// gets; pointing the SDK at it proves a command made no AWS call.
func countingEndpoint(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "no AWS call expected", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Clean(path), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
