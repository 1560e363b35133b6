package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
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

// loginSession is the world of a login: the identity account's keys in moto, the profile
// of a new account whose credential_process is curfew credentials (config), a terminal
// that answers the code 123456, and an empty session cache.
func loginSession(t *testing.T) (account, config string, tty *fakeTerminal, cache string) {
	t.Helper()
	identityKeys(t, emulator.Shared(t).URL)
	account = emulator.NewAccountID()
	config = curfewProfile(t, credentialsArgs(account))
	return account, config, &fakeTerminal{code: "123456"}, filepath.Join(t.TempDir(), "curfew")
}
