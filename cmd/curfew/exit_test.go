package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/problem"
)

// Issue 28, item 6: each kind of failure has its own exit status, and a wrong command
// line points to the command's --help.
func TestExitStatusByKind(t *testing.T) {
	mapPath, _ := testMap(t)
	other, _ := countingEndpoint(t)
	operatorEnv(t, other.URL, other.URL, other.URL, nil)
	tests := []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"unknown flag", []string{"plan", "--bogus"}, problem.ExitUsage, "next: see `curfew plan --help`"},
		{"unknown flag of a nested place", []string{"snooze", "staging", "--untill", "19:00"}, problem.ExitUsage, "next: see `curfew snooze --help`"},
		{"missing argument", []string{"snooze"}, problem.ExitUsage, "next: see `curfew snooze --help`"},
		{"extra argument", []string{"plan", "staging"}, problem.ExitUsage, "next: see `curfew plan --help`"},
		{"unknown account", []string{"plan", "--account", "nope"}, problem.ExitUsage, "unknown account"},
		{"not confirmed", []string{"stop"}, problem.ExitUsage, "pass --yes"},
		{"missing profile", []string{"plan", "--profile", "nosuch"}, problem.ExitAuth, "missing AWS profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curfew(t, "", append([]string{"--map", mapPath}, tt.args...)...)
			if got := exitKinds.Exit(r.err); got != tt.status || !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("error %v: exit %d, want %d and %q", r.err, got, tt.status, tt.want)
			}
		})
	}
	root := newRootCommand(&app{})
	root.SetArgs([]string{"nosuch"})
	err := unknownCommand(root, root.Execute())
	if exitKinds.Exit(err) != problem.ExitUsage || !strings.Contains(err.Error(), "next: see `curfew --help`") {
		t.Errorf("unknown command: %v", err)
	}
	if got := exitKinds.Exit(nil); got != problem.ExitOK {
		t.Errorf("exit status of success %d", got)
	}
}

// --version prints what `curfew version` prints, and --help lists the exit statuses.
func TestVersionFlagAndExitStatusesInHelp(t *testing.T) {
	info := func(a *app) {
		a.buildInfo = func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}}, true
		}
	}
	flag, cmd := curfewWith(t, strings.NewReader(""), info, "--version"), curfewWith(t, strings.NewReader(""), info, "version")
	if flag.err != nil || cmd.err != nil || flag.stdout != "curfew v1.4.0\nbuilt with go1.26.8\n" || flag.stdout != cmd.stdout {
		t.Errorf("--version printed %q (%v), version %q (%v)", flag.stdout, flag.err, cmd.stdout, cmd.err)
	}
	j := curfewWith(t, strings.NewReader(""), info, "version", "--json")
	if j.err != nil || j.stdout != "{\n  \"version\": \"v1.4.0\",\n  \"modified\": false,\n  \"go\": \"go1.26.8\"\n}\n" {
		t.Errorf("version --json printed %q (%v)", j.stdout, j.err)
	}
	help := curfew(t, "", "--help")
	holds(t, "curfew --help", help.stdout, "Exit status:", "2    usage", "3    credentials", "4    partly failed", "5    refused", "75   curfew credentials", "130  interrupted")
	// Every status curfew exits with is listed, each once, in the help and in
	// docs/operations.md: a script that reads one can tell it from the others.
	ops, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []int{problem.ExitOK, problem.ExitFailed, problem.ExitUsage, problem.ExitAuth, problem.ExitPartial,
		problem.ExitRefused, problem.ExitLogin, problem.ExitInterrupted} {
		if n := strings.Count(help.stdout, fmt.Sprintf("\n  %-4d ", status)); n != 1 {
			t.Errorf("curfew --help lists exit status %d %d times, want once", status, n)
		}
		if n := strings.Count(string(ops), fmt.Sprintf("\n| %d | ", status)); n != 1 {
			t.Errorf("docs/operations.md lists exit status %d %d times, want once", status, n)
		}
	}
}
