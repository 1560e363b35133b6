package main

import (
	"os"
	"strings"
	"testing"
)

// Every command explains itself with --help, even without an account map at hand.
func TestHelpOnEveryCommand(t *testing.T) {
	root := newRootCommand(&app{})
	commands := [][]string{{}}
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		commands = append(commands, []string{c.Name()})
		if c.Short == "" || c.Long == "" {
			t.Errorf("command %s lacks a short or long description", c.Name())
		}
	}
	if len(commands) != 7 {
		t.Errorf("%d commands, want root, profiles, console, snooze, stop, start, plan", len(commands))
	}
	for _, args := range commands {
		t.Run(strings.Join(append([]string{"curfew"}, args...), " "), func(t *testing.T) {
			r := curfew(t, "", append(append([]string{"--map", "does-not-exist.yaml"}, args...), "--help")...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "--map") {
				t.Errorf("help output:\n%s", r.stdout)
			}
		})
	}
}

func TestMissingAccountMap(t *testing.T) {
	r := curfew(t, "", "--map", "does-not-exist.yaml", "console")
	if r.err == nil || !strings.Contains(r.err.Error(), "next: pass the account map with --map PATH") {
		t.Errorf("error = %v", r.err)
	}
}

func Example_report() {
	rep := &report{RunID: "2026-11-27T19-00-00Z-4f2a", Kind: "restart", Results: []outcome{
		{Account: "staging", Region: "eu-west-1", Type: "ec2-instance", ID: "i-0123456789abcdef0", Outcome: "started"},
		{Account: "staging", Region: "eu-central-1", Type: "rds-cluster", ID: "search", Outcome: "started"},
		{Account: "sandbox", Region: "eu-west-1", Type: "rds-instance", ID: "orders-db", Outcome: "failed",
			Error: "InvalidDBInstanceState: instance is being modified"},
	}}
	if err := rep.print(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// restart run 2026-11-27T19-00-00Z-4f2a
	//
	// ACCOUNT  REGION        TYPE          RESOURCE             OUTCOME  DETAIL
	// staging  eu-west-1     ec2-instance  i-0123456789abcdef0  started
	// staging  eu-central-1  rds-cluster   search               started
	// sandbox  eu-west-1     rds-instance  orders-db            failed   InvalidDBInstanceState: instance is being modified
	//
	// 1 failed, 2 started
}
