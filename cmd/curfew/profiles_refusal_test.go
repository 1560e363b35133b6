package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/profiles"
)

func TestProfilesRefusals(t *testing.T) {
	dir := t.TempDir()
	clash := filepath.Join(dir, "config")
	if err := os.WriteFile(clash, []byte("[profile staging]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The AWS CLI reads this header as profile staging: a second one would break every profile.
	commented := filepath.Join(dir, "commented")
	if err := os.WriteFile(commented, []byte("[profile staging] ; old\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"a profile of the user's has curfew's name", []string{"--config-file", clash, "--user", "alice"},
			[]string{"already defined outside curfew's block: staging", "--prefix"}},
		{"a profile of curfew's name with a comment after its header", []string{"--config-file", commented, "--user", "alice"},
			[]string{"already defined outside curfew's block: staging", "--prefix"}},
		{"a duration DeveloperAccess does not allow", []string{"--config-file", clash, "--prefix", "x-", "--user", "alice", "--duration", "5h"},
			[]string{"--duration 5h0m0s is outside 15m0s to 4h0m0s", "DeveloperAccess allows sessions of at most 4h0m0s"}},
		{"the credentials file", []string{"--config-file", filepath.Join(dir, "credentials"), "--user", "alice"},
			[]string{"curfew never writes credentials", "--config-file"}},
		{"a --source-profile no file defines", []string{"--config-file", clash, "--prefix", "x-", "--user", "alice", "--source-profile", "nosuch"},
			[]string{`--source-profile "nosuch": no such profile`, "aws configure list-profiles"}},
		{"OIDC CI without a token file", []string{"--map", "testdata/accounts-oidc.yaml", "--config-file", clash, "--prefix", "x-", "--user", "alice", "--ci"},
			[]string{"--web-identity-token-file"}},
	}
	isolateAWSEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--map", "testdata/accounts.yaml", "profiles"}, tt.args...)
			r := curfew(t, "", args...)
			if r.err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q does not mention %q", r.err, w)
				}
			}
			var h *hintError
			if !errors.As(r.err, &h) {
				t.Errorf("error %q carries no hint of what to do next", r.err)
			}
		})
	}
	if b, _ := os.ReadFile(clash); string(b) != "[profile staging]\nregion = us-east-1\n" {
		t.Errorf("a refused run changed the file: %q", b)
	}
	if b, _ := os.ReadFile(commented); string(b) != "[profile staging] ; old\nregion = us-east-1\n" {
		t.Errorf("a refused run changed the file: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "credentials")); err == nil {
		t.Error("a credentials file was written")
	}
}

// A value the config file cannot hold as it is (here the path of curfew itself, which
// credential_process names) is refused before anything is written, with what to do.
func TestProfilesRefuseTextTheFileCannotHold(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := curfewWith(t, strings.NewReader(""), func(a *app) {
		a.executable = func() (string, error) { return "/opt/curfew\ncredential_process = /bin/sh -c id", nil }
	}, "--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--config-file", config)
	if !errors.Is(r.err, profiles.ErrUnsafeValue) || !strings.Contains(r.err.Error(), `credential_process "'/opt/curfew\ncredential_process`) || !strings.Contains(r.err.Error(), "nothing was written") {
		t.Errorf("profiles: %v, want the value refused and nothing written", r.err)
	}
	if b, _ := os.ReadFile(config); string(b) != "[default]\nregion = eu-west-1\n" {
		t.Errorf("a refused run changed the file: %q", b)
	}
}
