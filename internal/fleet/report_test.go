package fleet

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/sources"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The report's JSON shape is a contract with the CLI: testdata/report.json documents it.
func TestReportJSON(t *testing.T) {
	r := Report{
		RunID: "20261127T190000Z-1a2b3c", Kind: history.Shutdown, Trigger: Schedule, Started: now,
		Results: []Result{
			{Account: "staging", Region: "eu-west-1", Status: Done, Resources: []Resource{
				{Type: history.EC2Instance, ID: "i-0123456789abcdef0", Size: "t3.micro", Action: Stopped, Reason: "snooze expired at 2026-11-27T08:00:00Z, ignored"},
				{Type: history.EC2Instance, ID: "i-0fedcba9876543210", Size: "t3.micro", Action: Skipped, Reason: "snoozed until 2026-11-28T09:00:00+01:00"},
				{Type: history.RDSInstance, ID: "app-db", Size: "db.t3.micro", Action: ActionFailed, Error: "stop: InvalidDBInstanceState (its mark was removed again)"},
				{Type: history.AuroraCluster, ID: "aurora", Action: Stopped},
				{Type: history.EC2Instance, ID: "i-0a1b2c3d4e5f60718", Size: "t3.micro", Action: NotStopped, Reason: "pending; the next run will try again"},
			}},
			{Account: "staging", Region: "eu-central-1", Status: Failed, Error: "describe EC2 instances in staging/eu-central-1: UnauthorizedOperation", Resources: []Resource{}},
			{Account: "sandbox", Region: "eu-west-1", Status: NotReached, Reason: "not started: less than 20s was left before the deadline", Resources: []Resource{}},
		},
		Accounts: []sources.Note{
			{Account: "555555555555", From: "organization.ous[1] (ou-ab12-cd34ef56)", Outcome: sources.Skipped, Reason: "production: never swept"},
			{From: "organization.ous[2].id", Outcome: sources.Error, Reason: "the organisation has no unit ou-ab12-zzzzzzzz (ParentNotFoundException): nothing is swept there; correct the id"},
		},
	}
	r.count()
	got, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "report.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReportJSON -update ./internal/fleet/ to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report JSON changed (the CLI reads it; update with -update if intended):\n%s", got)
	}
	var back Report
	dec := json.NewDecoder(bytes.NewReader(want))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil || back.Totals != r.Totals || !back.Failed() {
		t.Errorf("round trip: %v %+v", err, back.Totals)
	}
}
