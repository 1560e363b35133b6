package profiles_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/profiles"
)

// Issue 26, item 1, the second line of defence: whatever reaches the profiles (a map
// that skipped validation, a list of found accounts, a path), a value that would add a
// line to the config file, or hide or reorder what it shows, is refused before anything
// is written.
func TestPlanRefusesUnsafeValues(t *testing.T) {
	const inject = "\ncredential_process = /bin/sh -c 'touch /tmp/curfew-pwned'"
	tests := []struct {
		name    string
		edit    func(m *accounts.Map, o *profiles.Options)
		mention string
	}{
		{"newline in a region", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].Regions[0] += inject }, `profile "staging": region "eu-west-1\ncredential_process`},
		{"newline in an id", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].ID += inject }, `profile "staging"`},
		{"newline in an environment (a comment)", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].Environment += inject }, `profile "staging": the comment`},
		{"carriage return in the curfew path", func(_ *accounts.Map, o *profiles.Options) { o.CredentialProcess = "/opt/curfew\r/curfew" }, "credential_process"},
		{"terminal escape in a region", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].Regions[0] = "eu-west-1\x1b[8m" }, `region "eu-west-1\x1b[8m"`},
		{"line separator in a region", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].Regions[0] = "eu-west-1\u2028x" }, "region"},
		{"a name that ends the section header", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].Name = "staging]\n[profile x" }, "profile name"},
		{"a space in a name", func(m *accounts.Map, _ *profiles.Options) { m.Accounts[1].Name = "stag ing" }, `profile name "stag ing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadMap(t, "accounts.yaml")
			o := profiles.Options{User: "alice", CredentialProcess: "/usr/local/bin/curfew"}
			tt.edit(m, &o)
			ps, err := profiles.Generate(m, o)
			if err != nil {
				t.Fatal(err)
			}
			path, before := ownConfig(t)
			u, err := profiles.Plan(path, ps)
			if !errors.Is(err, profiles.ErrUnsafeValue) || !strings.Contains(err.Error(), tt.mention) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Plan: %q, want one line wrapping ErrUnsafeValue mentioning %s", err, tt.mention)
			}
			if u != nil {
				t.Errorf("Plan returned an update: %s", u.New)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("the file changed:\n%s", after)
			}
		})
	}
	// Printable text of any script is no problem.
	m := loadMap(t, "accounts.yaml")
	ps, err := profiles.Generate(m, profiles.Options{User: "alice", CredentialProcess: "/home/josé/bin/cur few"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := profiles.Merge(nil, ps); err != nil {
		t.Errorf("a path with an accent and a space: %v", err)
	}
}
