package fleet_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// curfew stops the fleet at night; afterwards a person starts web, app-db and the aurora
// cluster, and stops them again by hand. The morning restart must leave those three
// stopped, remove their marks and say why, and start the rest as usual. When it cannot
// tell (RDS does not answer its events), it leaves the database stopped and marked, and
// reports a failure.
func TestRestartLeavesWhatSomeoneStoppedAgain(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t)
	f.instance("staging", west, "web", nil)
	f.instance("staging", west, "api", nil)
	f.db("staging", west, "app-db", "")
	f.db("staging", west, "report-db", "")
	f.db("staging", west, "silent-db", "")
	f.cluster("staging", west, "aurora", "aurora-postgresql", "provisioned")
	all := sorted("web", "api", "app-db", "report-db", "silent-db", "aurora")

	h, _, _ := f.handler(history.Shutdown)
	if got := f.names(runHandler(t, h, `{"trigger":"schedule"}`))[fleet.Stopped]; !slices.Equal(got, all) {
		t.Fatalf("shutdown stopped %v, want %v", got, all)
	}

	// The person acts in a later second than the mark (both have whole seconds).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	startedAt := clock.Now().UTC()
	ctx := t.Context()
	e, d := f.ec2("staging", west), f.rds("staging", west)
	for _, step := range []func() error{
		func() error {
			_, err := e.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{f.ids["web"]}})
			return err
		},
		func() error {
			_, err := e.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{f.ids["web"]}})
			return err
		},
		func() error {
			_, err := d.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String("app-db")})
			return err
		},
		func() error {
			_, err := d.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String("app-db")})
			return err
		},
		func() error {
			_, err := d.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String("aurora")})
			return err
		},
		func() error {
			_, err := d.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String("aurora")})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatalf("the person's start and stop: %v", err)
		}
	}
	// What AWS shows after those starts, and moto does not (awslayer_test.go); and RDS
	// refusing silent-db's events.
	aws := []faultproxy.Rule{
		launchedAt(f.ids["web"], startedAt),
		startedEvent("db-instance", "app-db", startedAt),
		startedEvent("db-cluster", "aurora", startedAt),
		{Service: "rds", Action: "DescribeEvents", Match: func(c faultproxy.Call) bool { return c.Params.Get("SourceIdentifier") == "silent-db" },
			Kind: faultproxy.Error, Code: "AccessDenied", Status: 403},
	}
	before := f.observe()
	restopped := sorted("web", "app-db", "aurora")

	t.Run("dry run", func(t *testing.T) {
		h, _ := f.faulty(history.Restart, false, aws...)
		rep := runHandler(t, h, `{"dryRun":true}`)
		got := f.names(rep)
		if !slices.Equal(got[fleet.LeftStopped], restopped) || !slices.Equal(got[fleet.WouldStart], sorted("api", "report-db")) {
			t.Errorf("dry run: left stopped %v, would start %v", got[fleet.LeftStopped], got[fleet.WouldStart])
		}
		if r := f.resource(rep, "web"); !strings.Contains(r.Reason, "would be left stopped") {
			t.Errorf("web: %+v", r)
		}
		if !equalObserved(before, f.observe()) {
			t.Error("the dry run changed something")
		}
	})

	h, p := f.faulty(history.Restart, false, aws...)
	rep := runHandler(t, h, `{"trigger":"schedule"}`)
	if faulted(p) < 4 {
		t.Errorf("%d answers rewritten, want at least 4: the test did not show AWS's answers", faulted(p))
	}
	got := f.names(rep)
	if !slices.Equal(got[fleet.LeftStopped], restopped) {
		t.Errorf("left stopped %v, want %v", got[fleet.LeftStopped], restopped)
	}
	if !slices.Equal(got[fleet.Started], sorted("api", "report-db")) {
		t.Errorf("started %v, want [api report-db]", got[fleet.Started])
	}
	for _, name := range restopped {
		r := f.resource(rep, name)
		if !strings.Contains(r.Reason, "stopped again by someone else after the shutdown") || !strings.Contains(r.Reason, "mark removed") || r.Error != "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := f.resource(rep, "silent-db"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "cannot tell") || !strings.Contains(r.Error, "AccessDenied") {
		t.Errorf("silent-db: %+v", r)
	}
	if rep.Totals.LeftStopped != 3 || rep.Totals.Started != 2 || rep.Totals.Failed != 1 || !rep.Failed() {
		t.Errorf("totals %+v", rep.Totals)
	}
	after := f.observe()
	for _, name := range restopped {
		if o := after[name]; o.state != "stopped" || o.marked() {
			t.Errorf("%s: %+v, want stopped without a mark", name, o)
		}
	}
	if o := after["silent-db"]; o.state != "stopped" || !o.marked() {
		t.Errorf("silent-db: %+v, want stopped and still marked", o)
	}
	if got := running(after); !slices.Equal(got, sorted("api", "report-db")) {
		t.Errorf("running %v", got)
	}
}
