package fleet_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

var (
	// wantStopped is what the shutdown stops in the test fleet.
	wantStopped = sorted("web", "snooze-expired", "api", "bad-snooze", "dev", "app-db", "aurora", "asg-member")
	// wantSkipped is what it leaves running, each with a reason.
	wantSkipped = map[string]string{
		"skip":       "tagged curfew:skip=true",
		"snoozed":    "snoozed until",
		"spot":       "spot instance",
		"primary-db": "has read replicas (replica-db)",
		"replica-db": "read replica",
		"aurora-1":   "member of cluster aurora",
		"serverless": "engine mode serverless",
	}
)

// The whole night and morning over the test fleet: a dry run, the shutdown, a second
// shutdown, RDS starting a database by itself after seven days, and the restart.
func TestShutdownAndRestart(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	before := f.observe()
	upBefore := running(before)

	t.Run("dry run changes nothing", func(t *testing.T) {
		h, c, _ := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{"trigger":"manual","dryRun":true}`)
		got := f.names(rep)
		if !slices.Equal(got[fleet.WouldStop], wantStopped) {
			t.Errorf("would stop %v, want %v", got[fleet.WouldStop], wantStopped)
		}
		if !slices.Equal(got[fleet.Skipped], slices.Sorted(maps.Keys(wantSkipped))) {
			t.Errorf("skipped %v, want %v", got[fleet.Skipped], slices.Sorted(maps.Keys(wantSkipped)))
		}
		if len(got[fleet.Stopped]) > 0 || !rep.DryRun || rep.Failed() {
			t.Errorf("dry run report: %+v", rep.Totals)
		}
		f.unchanged(t, before, "the dry run")
		for op := range c.Counts() {
			if !strings.Contains(op, "Describe") && !strings.Contains(op, " List") && !strings.Contains(op, "AssumeRole") {
				t.Errorf("the dry run called %s", op)
			}
		}
	})

	var runID string
	t.Run("shutdown", func(t *testing.T) {
		h, c, logs := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		runID = rep.RunID
		got := f.names(rep)
		if !slices.Equal(got[fleet.Stopped], wantStopped) {
			t.Errorf("stopped %v, want %v", got[fleet.Stopped], wantStopped)
		}
		for name, reason := range wantSkipped {
			if r := f.resource(rep, name); r.Action != fleet.Skipped || !strings.Contains(r.Reason, reason) {
				t.Errorf("%s: %s %q, want skipped %q", name, r.Action, r.Reason, reason)
			}
		}
		if rep.Failed() || len(got[fleet.ActionFailed]) > 0 {
			t.Errorf("failures: %+v", rep)
		}
		if n := len(rep.Results); n != 3 {
			t.Errorf("%d account×region results, want 3 (staging ×2, sandbox)", n)
		}
		for name, want := range map[string]string{"snooze-expired": "snooze expired", "bad-snooze": "unreadable curfew:snooze-until"} {
			if r := f.resource(rep, name); !strings.Contains(r.Reason, want) {
				t.Errorf("%s reason %q, want it to mention %q", name, r.Reason, want)
			}
		}
		after := f.observe()
		if want := without(upBefore, wantStopped...); !slices.Equal(running(after), want) {
			t.Errorf("running after shutdown %v, want %v", running(after), want)
		}
		if !slices.Equal(markedNames(after), wantStopped) {
			t.Errorf("marked %v, want exactly the stopped %v", markedNames(after), wantStopped)
		}
		for _, name := range wantStopped {
			if by := after[name].tags[accounts.StoppedByRunTag]; by != rep.RunID {
				t.Errorf("%s marked by %q, want run %s", name, by, rep.RunID)
			}
		}
		for _, name := range []string{"prod-web", "prod-db", "prod-api", "home-web", "archive-web"} {
			if o := after[name]; o.state != before[name].state || o.marked() {
				t.Errorf("%s changed: %+v", name, o)
			}
		}
		checkLogs(t, rep, logs)
		// The minimum for this fleet: one AssumeRole per swept account (2); per
		// account×region (3) one DescribeInstances, DescribeAutoScalingGroups,
		// DescribeDBInstances and DescribeDBClusters, and one ECS and one EKS ListClusters
		// (18); one CreateTags and one
		// StopInstances per pair with instances to stop (3×2); per database stopped one
		// AddTagsToResource and one Stop call (2×2); per group scaled in one
		// CreateOrUpdateTags and one UpdateAutoScalingGroup (1×2), and per pair with a group
		// to scale in one DescribeScheduledActions (1).
		const minimum = 2 + 18 + 6 + 4 + 2 + 1
		t.Logf("AWS calls of the shutdown: %d (minimum %d): %s", c.Total(), minimum, c)
		if c.Total() != minimum {
			t.Errorf("the shutdown made %d calls, want the minimum %d: %s", c.Total(), minimum, c)
		}
	})

	t.Run("second shutdown is a no-op", func(t *testing.T) {
		h, c, _ := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{}`)
		if rep.Totals.Stopped != 0 || rep.Failed() {
			t.Errorf("second shutdown: %+v", rep.Totals)
		}
		for op := range c.Counts() {
			if !strings.Contains(op, "Describe") && !strings.Contains(op, " List") && !strings.Contains(op, "AssumeRole") {
				t.Errorf("the second shutdown called %s", op)
			}
		}
		if after := f.observe(); !slices.Equal(markedNames(after), wantStopped) || after["web"].tags[accounts.StoppedByRunTag] != runID {
			t.Errorf("marks changed: %v", markedNames(after))
		}
	})

	t.Run("a database RDS started after seven days is stopped again", func(t *testing.T) {
		f.byHand(t, start, "app-db")
		h, _, _ := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{}`)
		if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, []string{"app-db"}) {
			t.Errorf("stopped %v, want [app-db]", got)
		}
		if r := f.resource(rep, "app-db"); !strings.Contains(r.Reason, "seven days") {
			t.Errorf("app-db reason %q, want it to mention the seven days", r.Reason)
		}
		if o := f.observe()["app-db"]; o.state != "stopped" || o.tags[accounts.StoppedByRunTag] != rep.RunID {
			t.Errorf("app-db: %+v", o)
		}
	})

	t.Run("restart", func(t *testing.T) {
		h, c, _ := f.handler(history.Restart)
		rep := runHandler(t, h, `{"trigger":"manual"}`)
		// As for the shutdown: 2 AssumeRole, 18 describes and lists, StartInstances and DeleteTags in
		// each pair (3×2), per database a DescribeEvents (was it started since the mark?),
		// a Start and a RemoveTagsFromResource (2×3), per group an UpdateAutoScalingGroup
		// and a DeleteTags (1×2).
		const minimum = 2 + 18 + 6 + 6 + 2
		t.Logf("AWS calls of the restart: %d (minimum %d): %s", c.Total(), minimum, c)
		if c.Total() != minimum {
			t.Errorf("the restart made %d calls, want the minimum %d: %s", c.Total(), minimum, c)
		}
		got := f.names(rep)
		if !slices.Equal(got[fleet.Started], wantStopped) || rep.Failed() {
			t.Errorf("started %v, want %v; totals %+v", got[fleet.Started], wantStopped, rep.Totals)
		}
		after := f.observe()
		if !slices.Equal(running(after), upBefore) {
			t.Errorf("running after restart %v, want %v", running(after), upBefore)
		}
		if after["by-person"].state != "stopped" {
			t.Errorf("by-person is %s, want it still stopped", after["by-person"].state)
		}
		if m := markedNames(after); len(m) != 0 {
			t.Errorf("marks left after restart: %v", m)
		}
		// Databases before instances within each account×region.
		for _, res := range rep.Results {
			seenEC2 := false
			for _, r := range res.Resources {
				seenEC2 = seenEC2 || r.Type == history.EC2Instance
				if seenEC2 && r.Type != history.EC2Instance {
					t.Errorf("%s/%s: %s %s started after an instance", res.Account, res.Region, r.Type, r.ID)
				}
			}
		}
	})

	t.Run("second restart is a no-op", func(t *testing.T) {
		h, _, _ := f.handler(history.Restart)
		rep := runHandler(t, h, `{}`)
		if rep.Totals.Started != 0 || rep.Totals.Skipped != 0 || rep.Failed() {
			t.Errorf("second restart: %+v", rep.Totals)
		}
	})
}

// checkLogs wants one JSON log line with the stable keys per resource of the report, and
// an embedded-metric-format line with the counts.
func checkLogs(t *testing.T, rep fleet.Report, logs *syncBuffer) {
	t.Helper()
	perResource := map[string]map[string]any{}
	var emf map[string]any
	for _, l := range logs.lines(t) {
		if l["msg"] == "resource" {
			perResource[l["resource"].(string)] = l
		}
		if _, ok := l["_aws"]; ok {
			emf = l
		}
	}
	for _, res := range rep.Results {
		for _, r := range res.Resources {
			l, ok := perResource[r.ID]
			if !ok {
				t.Errorf("no log line for %s", r.ID)
				continue
			}
			if l["account"] != res.Account || l["region"] != res.Region || l["action"] != "stop" || l["outcome"] != string(r.Action) {
				t.Errorf("log line of %s: %v", r.ID, l)
			}
		}
	}
	if emf == nil || emf["Stopped"] != float64(rep.Totals.Stopped) || emf["Kind"] != "shutdown" {
		t.Errorf("EMF line %v, want Stopped=%d", emf, rep.Totals.Stopped)
	}
}

// Filters narrow the run to accounts, regions and resource ids.
func TestFilters(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	tests := []struct {
		name, payload string
		want          []string
	}{
		{"region", `{"accounts":["staging"],"regions":["eu-central-1"],"dryRun":true}`, sorted("api", "bad-snooze")},
		{"account", `{"accounts":["sandbox"],"dryRun":true}`, sorted("dev")},
		{"resources", fmt.Sprintf(`{"resources":[%q,"app-db",%q],"dryRun":true}`, f.ids["dev"], f.ids["skip"]), sorted("dev", "app-db")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := f.handler(history.Shutdown)
			rep := runHandler(t, h, tc.payload)
			if got := f.names(rep)[fleet.WouldStop]; !slices.Equal(got, tc.want) {
				t.Errorf("would stop %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("shutdown and restart one account", func(t *testing.T) {
		up := running(f.observe())
		h, _, _ := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{"accounts":["staging"],"regions":["eu-central-1"]}`)
		if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, sorted("api", "bad-snooze")) {
			t.Errorf("stopped %v", got)
		}
		if got := running(f.observe()); !slices.Equal(got, without(up, "api", "bad-snooze")) {
			t.Errorf("running %v", got)
		}
		h, _, _ = f.handler(history.Restart)
		rep = runHandler(t, h, fmt.Sprintf(`{"resources":[%q]}`, f.ids["api"]))
		if got := f.names(rep)[fleet.Started]; !slices.Equal(got, []string{"api"}) {
			t.Errorf("started %v, want [api]", got)
		}
		if got := markedNames(f.observe()); !slices.Equal(got, []string{"bad-snooze"}) {
			t.Errorf("marked %v, want [bad-snooze]", got)
		}
	})
}

// A refused payload is an error before any AWS call.
func TestRejectedPayloadsMakeNoCall(t *testing.T) {
	t.Parallel()
	s := emulator.Shared(t)
	m := emulator.FreshMap(t, mapYAML, 5)
	tests := []struct{ name, payload, want string }{
		{"unknown field", `{"account":["staging"]}`, `unknown field "account"`},
		{"trailing data", `{"dryRun":true} {}`, "trailing data"},
		{"not an object", `["staging"]`, "cannot unmarshal"},
		{"unknown account", `{"accounts":["stagin"]}`, `account "stagin" is not in the account map`},
		{"production", `{"accounts":["staging","production"]}`, `account "production" is production`},
		{"home (production)", `{"accounts":["home"]}`, `account "home" is production`},
		{"shutdown off", `{"accounts":["archive"]}`, `account "archive" has the shutdown off`},
		{"region not swept", `{"accounts":["sandbox"],"regions":["eu-central-1"]}`, `region "eu-central-1" is not a region of the selected accounts (sandbox)`},
		{"unknown trigger", `{"trigger":"cron"}`, `trigger "cron"`},
		{"bad resource id", `{"resources":["i-1, i-2"]}`, "not one resource id"},
		{"blank resource id", `{"resources":[" "]}`, "resources[0] is empty: name a resource id"},
		{"accounts not a list", `{"accounts":"staging"}`, "cannot unmarshal string"},
		{"empty account name", `{"accounts":[""]}`, `accounts[0] is empty: name an account`},
		{"production in capitals", `{"accounts":["Production"]}`, `account "Production" is not in the account map`},
		{"truncated", `{"dryRun":tru`, "unexpected EOF"},
	}
	for _, kind := range []history.Kind{history.Shutdown, history.Restart} {
		for _, tc := range tests {
			t.Run(string(kind)+"/"+tc.name, func(t *testing.T) {
				c := &emulator.Calls{}
				base := s.BaseConfig(west)
				base.APIOptions = append(base.APIOptions, c.Count)
				connected := 0
				h := fleet.Handler{Kind: kind, Map: m, Connect: func(runID string) fleet.ClientsFunc {
					connect := fleet.AssumeRoles(base, m.ExternalID)(runID)
					return func(a accounts.Account, region string) fleet.Clients {
						connected++
						return connect(a, region)
					}
				}}
				_, err := h.Handle(t.Context(), []byte(tc.payload))
				if !errors.Is(err, fleet.ErrInvalidPayload) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want ErrInvalidPayload mentioning %q", err, tc.want)
				}
				if c.Total() != 0 || connected != 0 {
					t.Errorf("%d AWS calls (%s) and %d connections before refusing", c.Total(), c, connected)
				}
			})
		}
	}
}

// A scheduled morning start on a holiday of an account starts nothing there; a manual
// restart does.
func TestScheduledRestartOnHoliday(t *testing.T) {
	t.Parallel()
	f := newHolidayFleet(t)
	h, _, _ := f.handler(history.Shutdown)
	runHandler(t, h, `{"trigger":"schedule"}`)

	// 8 December, 07:30 in Madrid: a holiday of the map's calendar, so of every account.
	h, _, _ = f.handler(history.Restart)
	h.Now = func() time.Time { return time.Date(2026, 12, 8, 6, 30, 0, 0, time.UTC) }
	rep := runHandler(t, h, `{"trigger":"schedule"}`)
	for _, res := range rep.Results {
		if res.Status != fleet.Holiday || !strings.Contains(res.Reason, "2026-12-08 is a holiday of account "+res.Account+" (Europe/Madrid; Inmaculada Concepción, calendar ES (Spain))") {
			t.Errorf("%s/%s on 8 December: %s %q", res.Account, res.Region, res.Status, res.Reason)
		}
	}
	if len(rep.Results) == 0 || rep.Totals.PairsHoliday != len(rep.Results) {
		t.Errorf("8 December: totals %+v", rep.Totals)
	}

	// 24 December, 07:30 in Madrid: a holiday of sandbox only.
	christmasEve := time.Date(2026, 12, 24, 6, 30, 0, 0, time.UTC)
	h, _, _ = f.handler(history.Restart)
	h.Now = func() time.Time { return christmasEve }
	rep = runHandler(t, h, `{"trigger":"schedule"}`)
	for _, res := range rep.Results {
		wantHoliday := res.Account == "sandbox"
		if (res.Status == fleet.Holiday) != wantHoliday || len(res.Resources) > 0 && wantHoliday {
			t.Errorf("%s/%s: %s %q", res.Account, res.Region, res.Status, res.Reason)
		}
		if wantHoliday && !strings.Contains(res.Reason, "2026-12-24 is a holiday of account sandbox (Europe/Madrid; a date of the account map)") {
			t.Errorf("holiday reason %q", res.Reason)
		}
	}
	if got := f.names(rep)[fleet.Started]; !slices.Equal(got, without(wantStopped, "dev")) {
		t.Errorf("started %v, want all but sandbox's dev", got)
	}
	if rep.Totals.PairsHoliday != 1 || rep.Failed() {
		t.Errorf("totals %+v", rep.Totals)
	}
	if o := f.observe()["dev"]; o.state != "stopped" || !o.marked() {
		t.Errorf("dev on the holiday: %+v", o)
	}

	h.Now = func() time.Time { return christmasEve.Add(time.Hour) }
	rep = runHandler(t, h, `{"trigger":"manual","accounts":["sandbox"]}`)
	if got := f.names(rep)[fleet.Started]; !slices.Equal(got, []string{"dev"}) {
		t.Errorf("manual restart on the holiday started %v, want [dev]", got)
	}
}

// unchanged fails t unless the fleet is still as observed in before: what, a run that
// may change nothing (a dry run, a refused or a second run), changed something.
func (f *testFleet) unchanged(t *testing.T, before map[string]observed, what string) {
	t.Helper()
	if after := f.observe(); !equalObserved(before, after) {
		t.Errorf("%s changed something:\nbefore %v\nafter  %v", what, before, after)
	}
}

func equalObserved(a, b map[string]observed) bool {
	return maps.EqualFunc(a, b, func(x, y observed) bool {
		return x.state == y.state && x.capacity == y.capacity && maps.Equal(x.tags, y.tags)
	})
}

func without(names []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return slices.Contains(drop, n) })
}

// An Aurora cluster with a member instance tagged curfew:skip=true, or snoozed, stays up
// whole, with that reason: stopping the cluster would stop the member.
func TestSkippedMemberKeepsClusterUp(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t)
	f.cluster("staging", west, "kept", "aurora-postgresql", "provisioned")
	f.taggedDB("staging", west, "kept-1", "kept", nil)
	f.taggedDB("staging", west, "kept-2", "kept", map[string]string{accounts.SkipTag: "true"})
	f.cluster("staging", west, "snoozy", "aurora-postgresql", "provisioned")
	f.taggedDB("staging", west, "snoozy-1", "snoozy", map[string]string{accounts.SnoozeUntilTag: clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
	f.cluster("staging", west, "plain", "aurora-postgresql", "provisioned")
	f.taggedDB("staging", west, "plain-1", "plain", map[string]string{accounts.SnoozeUntilTag: clock.Now().Add(-time.Hour).Format(time.RFC3339)})

	h, _, _ := f.handler(history.Shutdown)
	rep := runHandler(t, h, `{"trigger":"schedule"}`)
	if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, []string{"plain"}) {
		t.Errorf("stopped %v, want [plain] (its member's snooze expired)", got)
	}
	for name, reason := range map[string]string{
		"kept":     "member kept-2 is tagged curfew:skip=true: the cluster stays up with it",
		"snoozy":   "member snoozy-1 is snoozed until",
		"kept-2":   "tagged curfew:skip=true",
		"snoozy-1": "member of cluster snoozy",
	} {
		if r := f.resource(rep, name); r.Action != fleet.Skipped || !strings.Contains(r.Reason, reason) {
			t.Errorf("%s: %s %q, want skipped %q", name, r.Action, r.Reason, reason)
		}
	}
	obs := f.observe()
	for _, name := range []string{"kept", "snoozy"} {
		if o := obs[name]; o.state != "available" || o.marked() {
			t.Errorf("%s: %+v, want available and unmarked", name, o)
		}
	}
	if o := obs["plain"]; o.state != "stopped" || !o.marked() {
		t.Errorf("plain: %+v, want stopped and marked", o)
	}
}

// Resources the shutdown finds in a transitional state (an instance pending, databases
// backing-up or modifying) are reported as not stopped, and the next run stops them;
// resources already down are not reported. moto never shows those states: the proxy
// answers them as AWS does (awslayer_test.go).
func TestTransitionalStatesAreReported(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t)
	f.instance("staging", west, "booting", nil)
	f.instance("staging", west, "web", nil)
	f.instance("staging", west, "down", nil)
	f.instance("staging", west, "gone", nil)
	f.instance("staging", west, "booting-skip", map[string]string{accounts.SkipTag: "true"})
	f.db("staging", west, "backing-up-db", "")
	f.db("staging", west, "modifying-db", "")
	f.db("staging", west, "down-db", "")
	f.cluster("staging", west, "busy-cluster", "aurora-postgresql", "provisioned")
	f.byHand(t, stop, "down")
	f.byHand(t, terminate, "gone")
	f.byHand(t, stop, "down-db")

	h, p := f.faulty(history.Shutdown, false,
		chain(pending(f.ids["booting"]), pending(f.ids["booting-skip"])),
		chain(dbStatus("backing-up-db", "backing-up"), dbStatus("modifying-db", "modifying")),
		clusterStatus("busy-cluster", "starting"))
	rep := runHandler(t, h, `{"trigger":"schedule"}`)
	got := f.names(rep)
	notStopped := sorted("booting", "backing-up-db", "modifying-db", "busy-cluster")
	if !slices.Equal(got[fleet.NotStopped], notStopped) || !slices.Equal(got[fleet.Stopped], []string{"web"}) {
		t.Errorf("not stopped %v, stopped %v; want %v and [web]", got[fleet.NotStopped], got[fleet.Stopped], notStopped)
	}
	for name, state := range map[string]string{"booting": "pending", "backing-up-db": "backing-up", "modifying-db": "modifying", "busy-cluster": "starting"} {
		if r := f.resource(rep, name); r.Reason != state+"; the next run will try again" || r.Error != "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := f.resource(rep, "booting-skip"); r.Action != fleet.Skipped {
		t.Errorf("booting-skip: %+v, want skipped for its tag", r)
	}
	for _, name := range []string{"down", "gone", "down-db"} {
		if slices.ContainsFunc(slices.Concat(slices.Collect(maps.Values(got))...), func(n string) bool { return n == name }) {
			t.Errorf("%s is down, yet in the report", name)
		}
	}
	if rep.Totals.NotStopped != 4 || rep.Failed() {
		t.Errorf("totals %+v: not stopped is no failure", rep.Totals)
	}
	if m := markedNames(f.observe()); !slices.Equal(m, []string{"web"}) {
		t.Errorf("marked %v, want [web]", m)
	}

	// Once they are up, the next run stops them.
	p.Clear()
	rep = runHandler(t, h, `{}`)
	if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, notStopped) {
		t.Errorf("the next run stopped %v, want %v", got, notStopped)
	}
}
