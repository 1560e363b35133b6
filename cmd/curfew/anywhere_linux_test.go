package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The built binary works from an empty directory: help, version and completion with no
// map at all, and every command with the map from CURFEW_MAP or the user's configuration
// directory ($XDG_CONFIG_HOME/curfew/accounts.yaml on Linux). It runs the real main, so
// it also proves main reads CURFEW_MAP and the configuration directory.
func TestBinaryWorksFromAnEmptyDirectory(t *testing.T) {
	bin := buildCurfew(t)
	mapPath, err := filepath.Abs("testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	xdg := filepath.Join(home, "xdg")
	userMap := filepath.Join(xdg, "curfew", "accounts.yaml")
	empty := t.TempDir()
	run := func(env []string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = empty
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + xdg}, env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	withEnv := []string{"CURFEW_MAP=" + mapPath}
	tests := []struct {
		name       string
		env        []string
		userMap    bool
		args       []string
		wantOut    string
		wantErrOut []string // non-empty: the command fails saying these
	}{
		{"completion without a map", nil, false, []string{"completion", "bash"}, "bash completion V2 for curfew", nil},
		{"help without a map", nil, false, []string{"help", "profiles"}, "--duration", nil},
		{"version without a map", nil, false, []string{"version"}, "curfew ", nil},
		{"a command without a map says where it looked", nil, false, []string{"console"}, "",
			[]string{"no account map found", "CURFEW_MAP: not set", filepath.Join(empty, "accounts.yaml") + ": no such file", userMap + ": no such file"}},
		{"console with CURFEW_MAP", withEnv, false, []string{"console"}, "switchrole?account=222222222222", nil},
		{"account names completed from CURFEW_MAP", withEnv, false, []string{"__complete", "stop", "--account", ""}, "staging\nsandbox\n:4\n", nil},
		{"console with the map in the configuration directory", nil, true, []string{"console"}, "switchrole?account=222222222222", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.RemoveAll(xdg)
			if tt.userMap {
				data, err := os.ReadFile(mapPath)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Dir(userMap), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(userMap, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			stdout, stderr, err := run(tt.env, tt.args...)
			if tt.wantErrOut != nil {
				if err == nil {
					t.Fatalf("no error; stdout:\n%s", stdout)
				}
				for _, w := range tt.wantErrOut {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr lacks %q:\n%s", w, stderr)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\nstderr: %s", err, stderr)
			}
			if !strings.Contains(stdout, tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, stdout)
			}
		})
	}
}
