package fleet_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/assume"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// proxied returns a handler over the fleet whose calls go through a fault-injecting proxy
// in front of moto.
func (f *testFleet) proxied(kind history.Kind) (fleet.Handler, *faultproxy.Proxy) {
	f.t.Helper()
	p, err := faultproxy.New(f.s.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(p.Close)
	h, _, _ := f.handler(kind)
	base := f.config("home", west)
	base.BaseEndpoint = &p.URL
	h.Connect = fleet.AssumeRoles(base, f.m.ExternalID)
	return h, p
}

// shutdownThrough runs a shutdown of the whole map whose calls go through a new
// fault-injecting proxy with rules, and returns its report and the proxy.
func (f *testFleet) shutdownThrough(rules ...faultproxy.Rule) (fleet.Report, *faultproxy.Proxy) {
	f.t.Helper()
	h, p := f.proxied(history.Shutdown)
	p.Add(rules...)
	return runHandler(f.t, h, `{}`), p
}

// hasID reports whether an EC2 query call names the instance (InstanceId.N or ResourceId.N).
func hasID(c faultproxy.Call, id string) bool {
	for k, vs := range c.Params {
		if (strings.HasPrefix(k, "InstanceId.") || strings.HasPrefix(k, "ResourceId.")) && slices.Contains(vs, id) {
			return true
		}
	}
	return false
}

// A StopInstances batch refused because of one instance is split so that the others stop;
// the refused instance loses its mark again. A refused CreateTags means no stop; a
// throttled call is retried.
func TestRefusedBatchIsSplit(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	web, dev, api := f.ids["web"], f.ids["dev"], f.ids["api"]
	rep, p := f.shutdownThrough(
		faultproxy.Rule{Service: "ec2", Action: "StopInstances", Match: func(c faultproxy.Call) bool { return hasID(c, web) },
			Kind: faultproxy.Error, Code: "IncorrectInstanceState"},
		faultproxy.Rule{Service: "ec2", Action: "CreateTags", Match: func(c faultproxy.Call) bool { return hasID(c, dev) },
			Kind: faultproxy.Error, Code: "InvalidInstanceID.NotFound"},
		faultproxy.Rule{Service: "ec2", Action: "StopInstances", Match: func(c faultproxy.Call) bool { return hasID(c, api) },
			Kind: faultproxy.Error, Code: "RequestLimitExceeded", Times: 1},
	)
	got := f.names(rep)
	if want := without(wantStopped, "web", "dev"); !slices.Equal(got[fleet.Stopped], want) {
		t.Errorf("stopped %v, want %v", got[fleet.Stopped], want)
	}
	if r := f.resource(rep, "web"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "IncorrectInstanceState") || !strings.Contains(r.Error, "mark was removed") {
		t.Errorf("web: %+v", r)
	}
	if r := f.resource(rep, "dev"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "not stopped: mark it first") {
		t.Errorf("dev: %+v", r)
	}
	obs := f.observe()
	for _, name := range []string{"web", "dev"} {
		if o := obs[name]; o.state != "running" || o.marked() {
			t.Errorf("%s: %+v, want running and unmarked", name, o)
		}
	}
	if got := markedNames(obs); !slices.Equal(got, without(wantStopped, "web", "dev")) {
		t.Errorf("marked %v: every stopped resource, and only those, must carry the mark", got)
	}
	if !rep.Failed() || rep.Totals.Failed != 2 {
		t.Errorf("totals %+v", rep.Totals)
	}
	// staging/eu-west-1: the batch of two, then each half alone.
	if n := p.Count(f.account("staging").ID, "ec2", "StopInstances"); n != 3+2 {
		t.Errorf("staging StopInstances calls: %d, want 3 in eu-west-1 (split) + 2 in eu-central-1 (one throttled, retried)", n)
	}
	// One AssumeRole per account, named for the run, with the map's ExternalId.
	var assumed []string
	for _, c := range p.Calls() {
		if c.Action != "AssumeRole" {
			continue
		}
		assumed = append(assumed, c.Params.Get("RoleArn"))
		if c.Params.Get("RoleSessionName") != "curfew-"+rep.RunID || c.Params.Get("ExternalId") != f.m.ExternalID {
			t.Errorf("AssumeRole %v", c.Params)
		}
	}
	slices.Sort(assumed)
	want := sorted(f.account("staging").RoleARN(accounts.SchedulerRole), f.account("sandbox").RoleARN(accounts.SchedulerRole))
	if !slices.Equal(assumed, want) {
		t.Errorf("assumed %v, want once each %v", assumed, want)
	}
}

// A failure in one account or region never stops the others.
func TestFailingAccountDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	rep, _ := f.shutdownThrough(
		faultproxy.Rule{Account: f.account("staging").ID, Region: west, Service: "ec2", Action: "DescribeInstances",
			Kind: faultproxy.Error, Code: "UnauthorizedOperation", Status: 403},
		faultproxy.AssumeRoleInto(f.account("sandbox").ID, faultproxy.Rule{Kind: faultproxy.Error, Code: "AccessDenied", Status: 403}),
	)
	status := map[string]fleet.Status{}
	for _, res := range rep.Results {
		status[res.Account+"/"+res.Region] = res.Status
		if res.Status == fleet.Failed && res.Error == "" {
			t.Errorf("%s/%s failed without an error", res.Account, res.Region)
		}
	}
	want := map[string]fleet.Status{"staging/eu-west-1": fleet.Failed, "staging/eu-central-1": fleet.Done, "sandbox/eu-west-1": fleet.Failed}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: %s, want %s", k, status[k], v)
		}
	}
	// staging/eu-west-1 still scales in its group and stops its databases; eu-central-1 is
	// untouched by the fault.
	if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, sorted("app-db", "aurora", "asg-member", "api", "bad-snooze")) {
		t.Errorf("stopped %v", got)
	}
	if !rep.Failed() || rep.Totals.PairsFailed != 2 {
		t.Errorf("totals %+v", rep.Totals)
	}
}

// Issue 25, item 4: an account whose CurfewScheduler cannot be assumed is reported once,
// for all its regions, naming the refused AssumeRole and what to check, not as the first
// call that needed the credentials in every region; the raw SDK text stays in the log.
func TestUnreachableAccountIsReportedOnce(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	staging := f.account("staging").ID
	rep, p := f.shutdownThrough(faultproxy.AssumeRoleInto(staging, faultproxy.Rule{Kind: faultproxy.Error, Code: "AccessDenied", Status: 403}))
	var rows []fleet.Result
	for _, res := range rep.Results {
		if res.Account == "staging" {
			rows = append(rows, res)
		}
	}
	want := "cannot assume CurfewScheduler in " + staging + ": AccessDenied; is its stack curfew-staging deployed there? Nothing was done in this account"
	if len(rows) != 1 || rows[0].Region != "eu-west-1, eu-central-1" || rows[0].Status != fleet.Failed || rows[0].Reason != want || rows[0].Error != "AccessDenied" {
		t.Errorf("staging's rows: %+v\nwant one failed row for eu-west-1, eu-central-1: %q", rows, want)
	}
	if n := p.Count(staging, "ec2", "DescribeInstances"); n != 0 {
		t.Errorf("%d DescribeInstances in staging after its role was refused", n)
	}
	if i := slices.IndexFunc(rep.Results, func(r fleet.Result) bool { return r.Account == "sandbox" }); i < 0 || rep.Results[i].Status != fleet.Done {
		t.Errorf("sandbox was not visited as usual: %+v", rep.Results)
	}
}

// The run watches its deadline: work is cut off before it, pairs not started in time are
// reported as not reached, and the report comes back before the deadline.
func TestDeadline(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	h, p := f.proxied(history.Shutdown)
	h.Concurrency, h.StopLaunching, h.Reserve = 1, time.Second, 500*time.Millisecond
	p.Add(faultproxy.Rule{Account: f.account("staging").ID, Region: west, Service: "ec2", Action: "DescribeInstances",
		Kind: faultproxy.Delay, Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := h.Handle(ctx, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2200*time.Millisecond {
		t.Errorf("answered after %s, want before the deadline less the reserve", elapsed)
	}
	for _, res := range rep.Results {
		if res.Status != fleet.NotReached || res.Reason == "" {
			t.Errorf("%s/%s: %s %q", res.Account, res.Region, res.Status, res.Reason)
		}
	}
	if rep.Totals.PairsNotReached != 3 || !rep.Failed() {
		t.Errorf("totals %+v", rep.Totals)
	}
	if got := markedNames(f.observe()); len(got) != 0 {
		t.Errorf("marked %v", got)
	}
}

// fault is one row of TestFaults: the faults of the shutdown (and of the restart after it)
// and what the report must say.
type fault struct {
	name string
	// shutdown are the faults of the shutdown; restart those of the first restart after it.
	shutdown, restart func(f *testFleet) []faultproxy.Rule
	// deadline, when set, is the shutdown's Lambda deadline.
	deadline time.Duration
	// quickRetries reaches the accounts with 3 attempts a call and short back-offs, for
	// faults that last through every attempt of a server error.
	quickRetries bool
	// pairs are the account×region statuses other than done, each with a word its error
	// or reason must contain.
	pairs map[string]pairWant
	// failed are the resources whose stop fails, each with a word its error must contain.
	failed map[string]string
	// notStopped are the resources of wantStopped left running without a resource error
	// (their account×region failed before them).
	notStopped []string
	// restartFailed are the resources the first restart reports with an error, each with a
	// word of it.
	restartFailed map[string]string
	// lostAnswer are the databases reported stopped because a retried stop found them
	// stopped after its first answer was lost.
	lostAnswer []string
}

type pairWant struct {
	status fleet.Status
	word   string
}

// Faults the night must survive. For each: every other account×region finishes; transient
// faults are retried away; the report names each failure; every resource curfew stopped
// carries its mark and no mark is left on a resource it did not stop unless the report
// says so; the restarts bring back exactly what curfew stopped.
func TestFaults(t *testing.T) {
	t.Parallel()
	staging := func(f *testFleet) string { return f.account("staging").ID }
	sandbox := func(f *testFleet) string { return f.account("sandbox").ID }
	only := func(f *testFleet, name string) func(faultproxy.Call) bool {
		return func(c faultproxy.Call) bool {
			return hasID(c, f.ids[name]) || c.Params.Get("DBInstanceIdentifier") == name ||
				c.Params.Get("DBClusterIdentifier") == name || strings.HasSuffix(c.Params.Get("ResourceName"), ":"+name)
		}
	}
	// carriedOut matches calls naming one resource, and stops the resource in moto the
	// first time: AWS carried the stop out, whatever answer reaches curfew.
	carriedOut := func(f *testFleet, name string) func(faultproxy.Call) bool {
		var once sync.Once
		match := only(f, name)
		return func(c faultproxy.Call) bool {
			if !match(c) {
				return false
			}
			once.Do(func() { f.stopBehindCurfew(name) })
			return true
		}
	}
	tests := []fault{
		{
			name: "EC2 throttled",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Account: staging(f), Region: west, Service: "ec2", Action: "StopInstances", Kind: faultproxy.Error, Code: "RequestLimitExceeded", Times: 2},
					{Account: sandbox(f), Region: west, Service: "ec2", Action: "DescribeInstances", Kind: faultproxy.Error, Code: "RequestLimitExceeded", Status: 503, Times: 2},
				}
			},
			restart: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{{Account: staging(f), Service: "ec2", Action: "StartInstances", Kind: faultproxy.Error, Code: "RequestLimitExceeded", Times: 2}}
			},
		},
		{
			name: "RDS throttled",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Account: staging(f), Region: west, Service: "rds", Action: "StopDBInstance", Kind: faultproxy.Error, Code: "Throttling", Times: 2},
					{Account: staging(f), Region: west, Service: "rds", Action: "DescribeDBClusters", Kind: faultproxy.Error, Code: "Throttling", Times: 1},
				}
			},
			restart: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{{Account: staging(f), Service: "rds", Action: "StartDBCluster", Kind: faultproxy.Error, Code: "Throttling", Times: 2}}
			},
		},
		{
			name: "server errors (500)",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Account: staging(f), Region: central, Service: "ec2", Action: "DescribeInstances", Kind: faultproxy.Error, Code: "InternalError", Status: 500, Times: 2},
					{Account: staging(f), Region: west, Service: "rds", Action: "AddTagsToResource", Kind: faultproxy.Error, Code: "InternalFailure", Status: 500, Times: 1},
					{Account: sandbox(f), Service: "ec2", Action: "CreateTags", Kind: faultproxy.Error, Code: "InternalError", Status: 500, Times: 1},
				}
			},
		},
		{
			name: "connection resets",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Account: staging(f), Region: west, Service: "ec2", Action: "CreateTags", Kind: faultproxy.Reset, Times: 1},
					{Account: sandbox(f), Service: "rds", Action: "DescribeDBInstances", Kind: faultproxy.Reset, Times: 1},
				}
			},
			restart: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{{Account: staging(f), Region: central, Service: "ec2", Action: "DeleteTags", Kind: faultproxy.Reset, Times: 1}}
			},
		},
		{
			name: "a reset answer to a stop AWS carried out",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Service: "ec2", Action: "StopInstances", Match: carriedOut(f, "dev"), Kind: faultproxy.Reset, Times: 1},
					{Service: "rds", Action: "StopDBInstance", Match: carriedOut(f, "app-db"), Kind: faultproxy.Reset, Times: 1},
					{Service: "rds", Action: "StopDBCluster", Match: carriedOut(f, "aurora"), Kind: faultproxy.Reset, Times: 1},
				}
			},
			// EC2 answers the retried stop of a stopped instance with success; RDS refuses
			// it because the database is stopped already, and curfew, looking again, finds
			// it stopped: stopped, with its mark.
			lostAnswer: []string{"app-db", "aurora"},
		},
		{
			name: "RDS refuses a first stop for the database's state",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Service: "rds", Action: "StopDBInstance", Match: only(f, "app-db"), Kind: faultproxy.Error, Code: "InvalidDBInstanceState"},
					{Service: "rds", Action: "StopDBCluster", Match: only(f, "aurora"), Kind: faultproxy.Error, Code: "InvalidDBClusterStateFault"},
				}
			},
			// Not a retry: nothing of curfew's was carried out, so the mark goes again.
			failed: map[string]string{"app-db": "mark was removed again", "aurora": "mark was removed again"},
		},
		{
			name: "slow answers",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Account: staging(f), Region: central, Service: "ec2", Action: "StopInstances", Kind: faultproxy.Delay, Delay: 1500 * time.Millisecond},
					{Account: sandbox(f), Service: "rds", Action: "DescribeDBClusters", Kind: faultproxy.Delay, Delay: 1500 * time.Millisecond},
				}
			},
		},
		{
			name: "no CurfewScheduler role in sandbox",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{{Service: "sts", Action: "AssumeRole", Kind: faultproxy.Error, Code: "AccessDenied", Status: 403,
					Match: func(c faultproxy.Call) bool {
						return c.Params.Get("RoleArn") == f.account("sandbox").RoleARN(accounts.SchedulerRole)
					}}}
			},
			pairs:      map[string]pairWant{"sandbox/eu-west-1": {fleet.Failed, "AccessDenied"}},
			notStopped: []string{"dev"},
		},
		{
			name: "eu-central-1 not enabled",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Region: central, Service: "ec2", Kind: faultproxy.Error, Code: "OptInRequired", Status: 401},
					{Region: central, Service: "rds", Kind: faultproxy.Error, Code: "InvalidClientTokenId", Status: 403},
				}
			},
			pairs:      map[string]pairWant{"staging/eu-central-1": {fleet.Failed, "OptInRequired"}},
			notStopped: []string{"api", "bad-snooze"},
		},
		{
			name: "Lambda deadline during a stop AWS carried out",
			// Long enough for the other pairs to finish on a loaded machine.
			deadline: 8 * time.Second,
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{{Account: staging(f), Region: west, Service: "ec2", Action: "StopInstances",
					Match: carriedOut(f, "web"), Kind: faultproxy.Delay, Delay: time.Minute}}
			},
			pairs:      map[string]pairWant{"staging/eu-west-1": {fleet.NotReached, "deadline"}},
			failed:     map[string]string{"web": "mark was kept", "snooze-expired": "mark was kept"},
			notStopped: []string{"app-db", "aurora", "asg-member"},
		},
		{
			name:         "a server error answer to a stop AWS carried out, through every retry",
			quickRetries: true,
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Service: "ec2", Action: "StopInstances", Match: carriedOut(f, "dev"), Kind: faultproxy.Error, Code: "InternalError", Status: 500},
					{Service: "rds", Action: "StopDBInstance", Match: carriedOut(f, "app-db"), Kind: faultproxy.Error, Code: "InternalFailure", Status: 500},
				}
			},
			failed: map[string]string{"dev": "mark was kept", "app-db": "mark was kept"},
		},
		{
			name: "mark ok, stop refused, unmark refused",
			shutdown: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Service: "ec2", Action: "StopInstances", Match: only(f, "web"), Kind: faultproxy.Error, Code: "IncorrectInstanceState"},
					{Service: "ec2", Action: "DeleteTags", Match: only(f, "web"), Kind: faultproxy.Error, Code: "UnauthorizedOperation", Status: 403},
					{Service: "rds", Action: "StopDBInstance", Match: only(f, "app-db"), Kind: faultproxy.Error, Code: "AccessDenied", Status: 403},
					{Service: "rds", Action: "RemoveTagsFromResource", Match: only(f, "app-db"), Kind: faultproxy.Error, Code: "AccessDenied", Status: 403},
				}
			},
			failed: map[string]string{"web": "by hand", "app-db": "by hand"},
		},
		{
			name: "restart: start ok, unmark refused",
			restart: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Service: "ec2", Action: "DeleteTags", Match: only(f, "api"), Kind: faultproxy.Error, Code: "UnauthorizedOperation", Status: 403},
					{Service: "rds", Action: "RemoveTagsFromResource", Match: only(f, "app-db"), Kind: faultproxy.Error, Code: "AccessDenied", Status: 403},
				}
			},
			restartFailed: map[string]string{"api": "mark could not be removed", "app-db": "mark could not be removed"},
		},
		{
			name: "restart: start refused",
			restart: func(f *testFleet) []faultproxy.Rule {
				return []faultproxy.Rule{
					{Service: "ec2", Action: "StartInstances", Match: only(f, "dev"), Kind: faultproxy.Error, Code: "InsufficientInstanceCapacity"},
					{Service: "rds", Action: "StartDBCluster", Kind: faultproxy.Error, Code: "InvalidDBClusterStateFault"},
				}
			},
			restartFailed: map[string]string{"dev": "stays stopped and marked", "aurora": "stays stopped and marked"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

func (tc fault) check(t *testing.T) {
	f := newTestFleet(t)
	before := f.observe()
	rules := func(fn func(*testFleet) []faultproxy.Rule) []faultproxy.Rule {
		if fn == nil {
			return nil
		}
		return fn(f)
	}

	// The shutdown.
	h, p := f.faulty(history.Shutdown, tc.quickRetries, rules(tc.shutdown)...)
	h.StopLaunching, h.Reserve = 100*time.Millisecond, 500*time.Millisecond
	ctx := t.Context()
	if tc.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tc.deadline)
		defer cancel()
	}
	rep, err := h.Handle(ctx, []byte(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatal(err)
	}
	if tc.shutdown != nil && faulted(p) == 0 {
		t.Errorf("no fault was injected into the shutdown")
	}
	for _, res := range rep.Results {
		pair := res.Account + "/" + res.Region
		want, ok := tc.pairs[pair]
		if !ok {
			want = pairWant{status: fleet.Done}
		}
		if res.Status != want.status || !strings.Contains(res.Error+res.Reason, want.word) {
			t.Errorf("%s: %s (%s; %s), want %s naming %q", pair, res.Status, res.Reason, res.Error, want.status, want.word)
		}
	}
	got := f.names(rep)
	wantStop := without(wantStopped, tc.notStopped...)
	for name := range tc.failed {
		wantStop = without(wantStop, name)
	}
	if !slices.Equal(got[fleet.Stopped], wantStop) {
		t.Errorf("stopped %v, want %v", got[fleet.Stopped], wantStop)
	}
	if want := slices.Sorted(maps.Keys(tc.failed)); !slices.Equal(got[fleet.ActionFailed], want) {
		t.Errorf("failed %v, want %v", got[fleet.ActionFailed], want)
	}
	for name, word := range tc.failed {
		if r := f.resource(rep, name); !strings.Contains(r.Error, word) {
			t.Errorf("%s: error %q, want it to say %q", name, r.Error, word)
		}
	}
	for _, name := range tc.lostAnswer {
		if r := f.resource(rep, name); r.Action != fleet.Stopped || !strings.Contains(r.Reason, "answer to the stop was lost") {
			t.Errorf("%s: %+v, want stopped, saying its answer was lost", name, r)
		}
	}
	if want := len(tc.failed) > 0 || len(tc.pairs) > 0; rep.Failed() != want {
		t.Errorf("report failed = %v, want %v: %+v", rep.Failed(), want, rep.Totals)
	}
	after := f.observe()
	curfewStopped := checkMarks(t, f, before, after, rep)

	// The restart brings back what curfew stopped, and only that; after a faulty restart,
	// a second one finishes the job.
	h, p = f.faulty(history.Restart, false, rules(tc.restart)...)
	rep = runHandler(t, h, `{"trigger":"manual"}`)
	if tc.restart != nil && faulted(p) == 0 {
		t.Errorf("no fault was injected into the restart")
	}
	got = f.names(rep)
	if want := without(curfewStopped, slices.Sorted(maps.Keys(tc.restartFailed))...); !slices.Equal(without(got[fleet.Started], slices.Sorted(maps.Keys(tc.restartFailed))...), want) {
		t.Errorf("restart started %v, want %v", got[fleet.Started], want)
	}
	for name, word := range tc.restartFailed {
		if r := f.resource(rep, name); !strings.Contains(r.Error, word) {
			t.Errorf("restart: %s: %s %q, want an error saying %q", name, r.Action, r.Error, word)
		}
	}
	if rep.Failed() != (len(tc.restartFailed) > 0 && len(got[fleet.ActionFailed]) > 0) {
		t.Errorf("restart report failed = %v: %+v", rep.Failed(), rep.Totals)
	}
	if len(tc.restartFailed) > 0 {
		h, _ = f.faulty(history.Restart, false)
		if rep := runHandler(t, h, `{}`); rep.Failed() {
			t.Errorf("second restart: %+v", rep.Totals)
		}
	}
	final := f.observe()
	if !slices.Equal(running(final), running(before)) {
		t.Errorf("running at the end %v, want as before %v", running(final), running(before))
	}
	if m := markedNames(final); len(m) != 0 {
		t.Errorf("marks left at the end: %v", m)
	}
}

// checkMarks checks the marks invariant after a shutdown and returns what curfew stopped:
// every resource stopped since before carries the mark of the run, and every marked
// resource was reported stopped, or reported with an error.
func checkMarks(t *testing.T, f *testFleet, before, after map[string]observed, rep fleet.Report) []string {
	t.Helper()
	reported := map[string]fleet.Resource{}
	byID := map[string]string{}
	for name, id := range f.ids {
		byID[id] = name
	}
	for _, res := range rep.Results {
		for _, r := range res.Resources {
			reported[byID[r.ID]] = r
		}
	}
	var stopped []string
	for name, o := range after {
		up := func(s string) bool { return s == "running" || s == "available" }
		if up(before[name].state) && !up(o.state) {
			stopped = append(stopped, name)
			if o.tags[accounts.StoppedByRunTag] != rep.RunID {
				t.Errorf("%s was stopped but carries no mark of run %s: %v", name, rep.RunID, o.tags)
			}
		}
		if o.marked() && up(o.state) {
			if r, ok := reported[name]; !ok || r.Error == "" {
				t.Errorf("%s is running with a mark the report does not mention: %+v", name, r)
			}
		}
	}
	slices.Sort(stopped)
	return stopped
}

// stopBehindCurfew stops a resource of the fleet directly in moto, as AWS carrying out a
// call whose answer curfew never gets.
func (f *testFleet) stopBehindCurfew(name string) {
	if err := f.act(stop, name); err != nil {
		f.t.Errorf("stop %s behind curfew: %v", name, err)
	}
}

// faulty returns a handler whose calls go through a new fault-injecting proxy with rules.
// quickRetries gives each call 3 attempts with short back-offs instead of the standard
// retryer, for faults that last through every attempt.
func (f *testFleet) faulty(kind history.Kind, quickRetries bool, rules ...faultproxy.Rule) (fleet.Handler, *faultproxy.Proxy) {
	h, p := f.proxied(kind)
	p.Add(rules...)
	if quickRetries {
		base := f.config("home", west)
		base.BaseEndpoint = &p.URL
		h.Connect = func(runID string) fleet.ClientsFunc {
			return func(a accounts.Account, region string) fleet.Clients {
				cfg := assume.Role(base, a.RoleARN(accounts.SchedulerRole), "curfew-"+runID, f.m.ExternalID)
				cfg.Region, cfg.RetryMaxAttempts = region, 3
				cfg.Retryer = func() aws.Retryer {
					return retry.NewStandard(func(o *retry.StandardOptions) {
						o.MaxAttempts = 3
						o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil })
					})
				}
				return fleet.Clients{EC2: ec2.NewFromConfig(cfg), RDS: rds.NewFromConfig(cfg), AutoScaling: autoscaling.NewFromConfig(cfg),
					ECS: ecs.NewFromConfig(cfg), Scaling: applicationautoscaling.NewFromConfig(cfg), EKS: eks.NewFromConfig(cfg)}
			}
		}
	}
	return h, p
}

// faulted counts the calls the proxy injected a fault into.
func faulted(p *faultproxy.Proxy) int {
	n := 0
	for _, c := range p.Calls() {
		if c.Fault != 0 {
			n++
		}
	}
	return n
}
