package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// writeMap writes the map data with identity account id to dir/name and returns its
// path; the id shows in `curfew console`, so a test can tell which map was read.
func writeMap(t *testing.T, data []byte, dir, name, id string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), `"111111111111"`, `"`+id+`"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The map comes from --map, then CURFEW_MAP, then ./accounts.yaml, then the user's
// configuration directory; with none, the error lists every place curfew looked.
func TestMapIsFoundWhereCurfewLooks(t *testing.T) {
	const (
		flagID, envID, cwdID, userID = "100000000001", "100000000002", "100000000003", "100000000004"
	)
	tests := []struct {
		name                     string
		flag, env, cwd, userConf bool
		envMissing               bool
		want                     string   // the identity id console shows
		wantErr                  []string // else: the error mentions these
	}{
		{name: "--map first", flag: true, env: true, cwd: true, userConf: true, want: flagID},
		{name: "then CURFEW_MAP", env: true, cwd: true, userConf: true, want: envID},
		{name: "then the working directory", cwd: true, userConf: true, want: cwdID},
		{name: "then the configuration directory", userConf: true, want: userID},
		{name: "none: every place listed", wantErr: []string{"no account map found",
			"--map: not given", "CURFEW_MAP: not set", "accounts.yaml: no such file", filepath.Join("curfew", "accounts.yaml") + ": no such file",
			"next: pass --map PATH, set CURFEW_MAP=PATH"}},
		// A CURFEW_MAP naming no file is an error, not a reason to read another map.
		{name: "CURFEW_MAP naming no file", envMissing: true, cwd: true, wantErr: []string{"from CURFEW_MAP", "no such file"}},
	}
	data, err := os.ReadFile("testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work, elsewhere, confDir := t.TempDir(), t.TempDir(), t.TempDir()
			t.Chdir(work)
			var args []string
			if tt.flag {
				args = append(args, "--map", writeMap(t, data, elsewhere, "flag.yaml", flagID))
			}
			var env string
			if tt.env {
				env = writeMap(t, data, elsewhere, "env.yaml", envID)
			}
			if tt.envMissing {
				env = filepath.Join(elsewhere, "typo.yaml")
			}
			if tt.cwd {
				writeMap(t, data, work, "accounts.yaml", cwdID)
			}
			if tt.userConf {
				writeMap(t, data, confDir, filepath.Join("curfew", "accounts.yaml"), userID)
			}
			r := curfewWith(t, strings.NewReader(""), func(a *app) { a.mapEnv, a.userConfigDir = env, confDir },
				append(args, "console")...)
			if tt.wantErr != nil {
				if r.err == nil {
					t.Fatalf("no error; stdout:\n%s", r.stdout)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(r.err.Error(), w) {
						t.Errorf("error does not mention %q:\n%v", w, r.err)
					}
				}
				return
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !strings.Contains(r.stdout, "account "+tt.want+",") {
				t.Errorf("console read another map than the one with identity %s:\n%s", tt.want, r.stdout)
			}
		})
	}
}

// help, version and completion work with no map anywhere: a .bashrc sourcing
// `curfew completion bash` must not break outside a clone.
func TestCommandsThatNeedNoMap(t *testing.T) {
	t.Chdir(t.TempDir())
	noMap := func(a *app) {
		a.userConfigDir = t.TempDir()
		a.buildInfo = func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{GoVersion: "go1.26.8"}, true }
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "Usage:"},
		{[]string{"help", "snooze"}, "Usage:"},
		{[]string{"completion", "bash"}, "bash completion V2 for curfew"},
		{[]string{"completion", "zsh"}, "#compdef curfew"},
		{[]string{"completion", "fish"}, "complete -c curfew"},
		{[]string{"version"}, "curfew (devel)"},
		// Completion requests without a map offer nothing, quietly.
		{[]string{"__complete", "stop", "--account", ""}, ":4"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := curfewWith(t, strings.NewReader(""), noMap, tt.args...)
			if r.err != nil {
				t.Fatalf("%v\nstderr: %s", r.err, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.want) {
				t.Errorf("stdout lacks %q:\n%s", tt.want, r.stdout)
			}
		})
	}
	r := curfewWith(t, strings.NewReader(""), noMap, "console")
	if !errors.Is(r.err, ErrNoMap) {
		t.Errorf("console without a map: %v, want ErrNoMap", r.err)
	}
}

// The shell completes account names: those each command accepts.
func TestCompletionOffersAccountNames(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"stop", "--account", ""}, "staging\nsandbox\n:4\n"},
		{[]string{"start", "--account", "s"}, "staging\nsandbox\n:4\n"},
		{[]string{"plan", "--account", ""}, "staging\nsandbox\n:4\n"},
		{[]string{"snooze", ""}, "staging\nsandbox\n:4\n"},
		{[]string{"snooze", "staging", ""}, ":4\n"},
		{[]string{"preflight", "--account", ""}, "identity\nstaging\nsandbox\nproduction\n:4\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := curfewWith(t, strings.NewReader(""), func(a *app) { a.mapEnv = "testdata/accounts.yaml" },
				append([]string{"__complete"}, tt.args...)...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.stdout != tt.want {
				t.Errorf("completion = %q, want %q", r.stdout, tt.want)
			}
		})
	}
}

func Example_version() {
	_ = writeVersion(os.Stdout, readVersion(func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/curfew/curfew", Version: "v1.4.0"},
			Settings: []debug.BuildSetting{
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: "4e754f2a9c1d0b7e6f5a4b3c2d1e0f9a8b7c6d5e"},
				{Key: "vcs.time", Value: "2026-11-27T18:30:00Z"},
				{Key: "vcs.modified", Value: "true"},
			},
		}, true
	}))
	// Output:
	// curfew v1.4.0
	// revision 4e754f2a9c1d0b7e6f5a4b3c2d1e0f9a8b7c6d5e (2026-11-27T18:30:00Z), with uncommitted changes
	// built with go1.26.8
}

func Example_versionWithoutVCS() {
	_ = writeVersion(os.Stdout, readVersion(func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/curfew/curfew", Version: "(devel)"}}, true
	}))
	_ = writeVersion(os.Stdout, readVersion(func() (*debug.BuildInfo, bool) { return nil, false }))
	// Output:
	// curfew (devel)
	// built with go1.26.8
	// curfew (unknown version: the binary carries no build information)
}
