package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/runtable"
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
	if len(commands) != 15 {
		t.Errorf("%d commands, want root, profiles, console, snooze, stop, start, plan, preflight, uninstall, version, credentials, exec, env", len(commands))
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
	data, err := os.ReadFile("testdata/report-restart-failed.json")
	if err != nil {
		panic(err)
	}
	var rep fleet.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		panic(err)
	}
	if err := runtable.Write(os.Stdout, rep); err != nil {
		panic(err)
	}
	// Output:
	// restart run 20261127T190000Z-4f2a9e (manual)
	//
	// ACCOUNT  REGION        TYPE          RESOURCE             SIZE         ACTION   DETAIL
	// staging  eu-west-1     ec2-instance  i-0123456789abcdef0  t3.micro     started
	// staging  eu-west-1     rds-cluster   search               -            started
	// staging  eu-central-1  -             -                    -            failed   describe instances: AccessDenied: not authorized
	// sandbox  eu-west-1     rds-instance  orders-db            db.t3.micro  failed   InvalidDBInstanceState: instance is being modified
	//
	// 2 started, 1 failed; 3 account×region pair(s), 1 failed
}
