package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// Issue 26, item 1: whoever can write the published list must not reach a developer's
// ~/.aws/config through it. A list with a value that would add lines (a second
// credential_process runs a command on every use of the profile), a short id or a region
// that is no region is refused whole, naming the entry, and nothing is written.
func TestAMaliciousAccountListWritesNothing(t *testing.T) {
	const inject = "\ncredential_process = /bin/sh -c 'touch /tmp/curfew-pwned'"
	good := accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true}
	edit := func(f func(a *accountlist.Account)) accountlist.Account {
		a := good
		a.Regions = slices.Clone(good.Regions)
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		found accountlist.Account
		want  []string
	}{
		{"a line added through a region", edit(func(a *accountlist.Account) { a.Regions[0] += inject }), []string{"accounts[1].regions[0]", `"eu-west-1\ncredential_process`}},
		{"a line added through the id", edit(func(a *accountlist.Account) { a.ID += inject }), []string{"accounts[1].id", "12 digits"}},
		{"a line added through the environment", edit(func(a *accountlist.Account) { a.Environment += inject }), []string{"accounts[1].environment"}},
		{"a control character in the name", edit(func(a *accountlist.Account) { a.Name = "Feature X" + inject }), []string{"accounts[1].name"}},
		{"a short id", edit(func(a *accountlist.Account) { a.ID = "123" }), []string{`accounts[1].id "123" is not 12 digits`}},
		{"a region that is no region", edit(func(a *accountlist.Account) { a.Regions = []string{"eu-west-1", "moon-base-1"} }), []string{`accounts[1].regions[1] "moon-base-1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newOrgDeveloper(t)
			d.publish(t, tt.found)
			before, err := os.ReadFile(d.configFile)
			if err != nil {
				t.Fatal(err)
			}
			r := curfew(t, "123456\n", "--map", d.mapPath, "profiles", "--user", "alice", "--config-file", d.configFile)
			if !errors.Is(r.err, accountlist.ErrInvalidList) || !strings.Contains(r.err.Error(), "nothing was written") {
				t.Errorf("profiles: %v, want the list refused and nothing written", r.err)
			}
			for _, w := range tt.want {
				if r.err != nil && !strings.Contains(r.err.Error(), w) {
					t.Errorf("the error does not name %s:\n%v", w, r.err)
				}
			}
			if r.err != nil && strings.Contains(strings.SplitN(r.err.Error(), "\n  next: ", 2)[0], "\n") {
				t.Errorf("the error is not one line: %q", r.err)
			}
			if after, _ := os.ReadFile(d.configFile); !bytes.Equal(after, before) {
				t.Errorf("the config file changed:\n%s", after)
			}
			if backups, _ := filepath.Glob(d.configFile + ".curfew-*"); len(backups) > 0 {
				t.Errorf("wrote %v", backups)
			}
		})
	}
}

// stop, start and plan refuse such a list too, and invoke nothing.
func TestInvokeRefusesAMaliciousAccountList(t *testing.T) {
	d := newOrgDeveloper(t)
	d.publish(t, accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)",
		Regions: []string{"eu-west-1\ncredential_process = /bin/sh -c 'touch /tmp/curfew-pwned'"}, Swept: true})
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return []byte(`{}`), "" })
	s := emulator.Shared(t)
	operatorEnv(t, s.URL, lambdaURL.URL, s.URL, map[string]string{"ops": d.m.HomeAccount().ID})
	r := curfew(t, "", "--map", d.mapPath, "stop", "--account", "Feature X", "--profile", "ops")
	if !errors.Is(r.err, accountlist.ErrInvalidList) || !strings.Contains(r.err.Error(), "accounts[1].regions[0]") || !strings.Contains(r.err.Error(), "nothing was invoked") {
		t.Errorf("stop: %v, want the list refused naming accounts[1].regions[0]", r.err)
	}
	if n := len(calls()); n != 0 {
		t.Errorf("%d invocations, want none", n)
	}
}
