package fleet_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
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
	f := stagingFleet(t, []string{"web", "api"}, "app-db", "report-db", "silent-db")
	f.cluster("staging", west, "aurora", "aurora-postgresql", "provisioned")
	all := sorted("web", "api", "app-db", "report-db", "silent-db", "aurora")

	h, _, _ := f.handler(history.Shutdown)
	if got := f.names(runHandler(t, h, `{"trigger":"schedule"}`))[fleet.Stopped]; !slices.Equal(got, all) {
		t.Fatalf("shutdown stopped %v, want %v", got, all)
	}

	// The person acts in a later second than the mark (both have whole seconds).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	startedAt := clock.Now().UTC()
	for _, name := range []string{"web", "app-db", "aurora"} {
		for _, action := range []string{start, stop} {
			if err := f.act(action, name); err != nil {
				t.Fatalf("the person's start and stop: %v", err)
			}
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

// DescribeEvents answers no event id, only a message: the restart takes a database for
// started after the mark only on a message RDS documents for a start (RDS-EVENT-0088,
// 0154; clusters 0151, 0153). Any other notification that speaks of a start (free text
// such as RDS-EVENT-0044's, or a wording curfew does not know) leaves the database stopped
// and marked, reported as a failure that says why. The mark has whole seconds and event
// dates milliseconds: an event in the mark's second is taken for one before the mark.
func TestRestartReadsRDSNotificationsAsAWSWordsThem(t *testing.T) {
	t.Parallel()
	f := stagingFleet(t, nil, "person-db", "rds-db", "operator-db", "same-second-db")
	for _, name := range []string{"rds-aurora", "reworded-aurora", "same-second-aurora"} {
		f.cluster("staging", west, name, "aurora-postgresql", "provisioned")
	}
	h, _, _ := f.handler(history.Shutdown)
	if got := f.names(runHandler(t, h, `{"trigger":"schedule"}`))[fleet.Stopped]; len(got) != 7 {
		t.Fatalf("shutdown stopped %v, want all 7", got)
	}
	mark, err := time.Parse(time.RFC3339, f.observe()["person-db"].tags[accounts.StoppedAtTag])
	if err != nil {
		t.Fatal(err)
	}
	inMarkSecond, after := mark.Add(300*time.Millisecond), mark.Add(1300*time.Millisecond)
	operator := "Operator-issued notification: the DB instance will be started to apply a required update."
	reworded := "Cluster start requested by a scheduled action"
	h, p := f.faulty(history.Restart, false,
		notified("db-instance", "person-db", notice{after, "The DB instance has been started."}),
		notified("db-instance", "rds-db", notice{after, "The DB instance is being started due to it exceeding the maximum allowed time being stopped."}),
		notified("db-instance", "operator-db", notice{after, operator}),
		notified("db-instance", "same-second-db", notice{inMarkSecond, "The DB instance has been started."},
			notice{after, "Patching of the DB instance has been delayed."}),
		notified("db-cluster", "rds-aurora", notice{after, "The DB cluster is being started due to it exceeding the maximum allowed time being stopped."}),
		notified("db-cluster", "reworded-aurora", notice{after, reworded}),
		notified("db-cluster", "same-second-aurora", notice{inMarkSecond, "The DB cluster has been started."}),
	)
	rep := runHandler(t, h, `{"trigger":"schedule"}`)
	if faulted(p) < 7 {
		t.Errorf("%d answers rewritten, want at least 7: the test did not show AWS's answers", faulted(p))
	}
	got := f.names(rep)
	if want := sorted("person-db", "rds-db", "rds-aurora"); !slices.Equal(got[fleet.LeftStopped], want) {
		t.Errorf("left stopped %v, want %v", got[fleet.LeftStopped], want)
	}
	if want := sorted("same-second-db", "same-second-aurora"); !slices.Equal(got[fleet.Started], want) {
		t.Errorf("started %v, want %v", got[fleet.Started], want)
	}
	for name, message := range map[string]string{"operator-db": operator, "reworded-aurora": reworded} {
		r := f.resource(rep, name)
		if r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "cannot tell") || !strings.Contains(r.Error, fmt.Sprintf("%q", message)) ||
			strings.Contains(r.Error, "\n") {
			t.Errorf("%s: %+v, want a failure on one line that quotes the notification", name, r)
		}
	}
	observed := f.observe()
	for _, name := range []string{"person-db", "rds-db", "rds-aurora"} {
		if o := observed[name]; o.state != "stopped" || o.marked() {
			t.Errorf("%s: %+v, want stopped without a mark", name, o)
		}
	}
	for _, name := range []string{"operator-db", "reworded-aurora"} {
		if o := observed[name]; o.state != "stopped" || !o.marked() {
			t.Errorf("%s: %+v, want stopped and still marked", name, o)
		}
	}
	if got := running(observed); !slices.Equal(got, sorted("same-second-db", "same-second-aurora")) {
		t.Errorf("running %v", got)
	}
}
