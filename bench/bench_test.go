package main

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

func TestMinimumCalls(t *testing.T) {
	tests := []struct {
		name string
		s    shape
		want int
	}{
		// Per region: 1 describe page each for instances, DB instances, clusters and Auto
		// Scaling groups, and 1 list page each of ECS and EKS clusters.
		{"empty", shape{Accounts: 1, Regions: 1}, 1 + 6},
		// 1 AssumeRole; per region 6 describes and lists, CreateTags and StopInstances.
		{"one instance", shape{Accounts: 1, Regions: 2, EC2: 1}, 1 + 2*(6+2)},
		// 100 instances to stop fit one batch; 101 take two of each call.
		{"a full batch", shape{Accounts: 1, Regions: 1, EC2: 100}, 1 + 6 + 2},
		{"one over a batch", shape{Accounts: 1, Regions: 1, EC2: 101}, 1 + 6 + 4},
		// Skipped instances are described but never tagged or stopped.
		{"skipped", shape{Accounts: 1, Regions: 1, EC2: 101, SkipEvery: 100}, 1 + 6 + 2},
		// 1,001 running instances take two describe pages.
		{"two describe pages", shape{Accounts: 1, Regions: 1, EC2: 1001}, 1 + 7 + 2*11},
		// Per database a mark and a stop; 100 DB instances plus 10 members take two pages.
		{"databases", shape{Accounts: 2, Regions: 1, RDS: 100, Aurora: 10}, 2 * (1 + 7 + 2*110)},
		// The default fleet of make bench: 10 accounts × 2 regions, 160 + 30 + 10.
		{"default", shape{Accounts: 10, Regions: 2, EC2: 160, RDS: 30, Aurora: 10, SkipEvery: 20}, 10 * (1 + 2*(6+2*2+2*40))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := minimumCalls(tt.s); got != tt.want {
				t.Errorf("minimumCalls(%+v) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

func TestShapeSkipped(t *testing.T) {
	for _, tt := range []struct{ ec2, every, want int }{{0, 20, 0}, {1, 20, 1}, {20, 20, 1}, {21, 20, 2}, {160, 20, 8}, {160, 0, 0}} {
		if got := (shape{EC2: tt.ec2, SkipEvery: tt.every}).skipped(); got != tt.want {
			t.Errorf("%d instances, every %d skipped: %d, want %d", tt.ec2, tt.every, got, tt.want)
		}
	}
}

// The fake throttles a key above its rate once the burst is spent, and refills with time.
func TestFakeThrottles(t *testing.T) {
	f := newFakeAWS(0, 10, 3)
	now := time.Now()
	for i := range 3 {
		if !f.take("a/eu-west-1/ec2", now) {
			t.Fatalf("call %d of the burst throttled", i+1)
		}
	}
	if f.take("a/eu-west-1/ec2", now) {
		t.Error("the fourth call at once was not throttled")
	}
	if !f.take("b/eu-west-1/ec2", now) {
		t.Error("another account was throttled")
	}
	if !f.take("a/eu-west-1/ec2", now.Add(100*time.Millisecond)) {
		t.Error("no token after 100 ms at 10/s")
	}
	if f.take("a/eu-west-1/ec2", now.Add(100*time.Millisecond)) {
		t.Error("two tokens after 100 ms at 10/s")
	}
	if !newFakeAWS(0, 0, 0).take("a", now) {
		t.Error("rate 0 throttled")
	}
}

// The real engine over the fake makes exactly the minimum, stops what it should, and
// its middleware count matches the requests the fake saw.
func TestSweepMakesTheMinimum(t *testing.T) {
	s := shape{Accounts: 2, Regions: 2, EC2: 120, RDS: 3, Aurora: 2, SkipEvery: 10}
	sw, err := runSweep(t.Context(), s, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sw.calls.Total(), minimumCalls(s); got != want {
		t.Errorf("%d calls, minimum %d: %s", got, want, sw.calls)
	}
	want := s.Accounts * s.Regions * (s.EC2 - s.skipped() + s.RDS + s.Aurora)
	if sw.report.Totals.Stopped != want || sw.stopped != want {
		t.Errorf("stopped %d (fake: %d), want %d", sw.report.Totals.Stopped, sw.stopped, want)
	}
	requests := sw.totalRequests()
	if requests != sw.calls.Total() || sw.throttle != 0 {
		t.Errorf("the fake saw %d requests (%d throttled), the middleware %d calls", requests, sw.throttle, sw.calls.Total())
	}
}

// Throttled calls are retried by the SDK: the sweep still stops everything, and the fake
// saw more requests than the middleware counted calls. The pair makes 10 RDS calls in a
// row, so with a bucket of 9 the last one is throttled (and retried after the SDK's
// backoff, which is what this test waits for).
func TestSweepRetriesThrottledCalls(t *testing.T) {
	s := shape{Accounts: 1, Regions: 1, EC2: 5, RDS: 4}
	sw, err := runSweep(t.Context(), s, 0, 20, 9)
	if err != nil {
		t.Fatal(err)
	}
	requests := sw.totalRequests()
	if sw.throttle == 0 || requests != sw.calls.Total()+sw.throttle || sw.stopped != 9 {
		t.Errorf("throttled %d, requests %d, calls %d, stopped %d", sw.throttle, requests, sw.calls.Total(), sw.stopped)
	}
	if sw.calls.Of("STS AssumeRole") != 1 {
		t.Errorf("calls: %s", sw.calls)
	}
}

// Part 5's latency has the stated median and 99th percentile, and the same seed draws the
// same delays.
func TestLognormalQuantiles(t *testing.T) {
	l := newLognormal(80*time.Millisecond, 400*time.Millisecond, orgSeed)
	draws := make([]time.Duration, 200_000)
	for i := range draws {
		draws[i] = l.draw()
	}
	again := newLognormal(80*time.Millisecond, 400*time.Millisecond, orgSeed)
	for i := range 100 {
		if d := again.draw(); d != draws[i] {
			t.Fatalf("draw %d: %s, then %s with the same seed", i, draws[i], d)
		}
	}
	slices.Sort(draws)
	for _, q := range []struct {
		p    float64
		want time.Duration
		tol  float64
	}{{0.50, 80 * time.Millisecond, 0.02}, {0.99, 400 * time.Millisecond, 0.05}} {
		got := draws[int(q.p*float64(len(draws)))]
		if math.Abs(got.Seconds()/q.want.Seconds()-1) > q.tol {
			t.Errorf("quantile %.2f: %s, want %s within %.0f%%", q.p, got, q.want, q.tol*100)
		}
	}
}

// The real restart over the fake, after the shutdown, makes exactly its minimum and
// starts every resource the shutdown stopped, and nothing else.
func TestRestartMakesTheMinimum(t *testing.T) {
	s := shape{Accounts: 2, Regions: 2, EC2: 120, RDS: 3, Aurora: 2, SkipEvery: 10}
	fake := newFakeAWS(0, 0, 0)
	m, err := generate(fake, s)
	if err != nil {
		t.Fatal(err)
	}
	down, err := runEngine(t.Context(), fake, m, history.Shutdown)
	if err != nil {
		t.Fatal(err)
	}
	up, err := runEngine(t.Context(), fake, m, history.Restart)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := up.calls.Total(), restartMinimum(s); got != want {
		t.Errorf("%d calls, minimum %d: %s", got, want, up.calls)
	}
	if up.report.Totals.Started != down.report.Totals.Stopped || up.stopped != 0 {
		t.Errorf("started %d of %d stopped; %d still stopped at the fake", up.report.Totals.Started, down.report.Totals.Stopped, up.stopped)
	}
	if up.report.Totals.Skipped != 0 {
		t.Errorf("the restart skipped %d resources: the fake answered unmarked ones", up.report.Totals.Skipped)
	}
}

func TestRestartMinimum(t *testing.T) {
	// 1 AssumeRole; per region 6 describes and lists, 2 EC2 batches (start, unmark), 3 per
	// database.
	s := shape{Accounts: 3, Regions: 2, EC2: 16, RDS: 3, Aurora: 1, SkipEvery: 8}
	if got, want := restartMinimum(s), 3*(1+2*(6+2+3*4)); got != want {
		t.Errorf("restartMinimum = %d, want %d", got, want)
	}
}

// The bench reads the Lambdas' memory from the CDK code.
func TestLambdaMemory(t *testing.T) {
	mb, err := lambdaMemory("../cdk/service.go")
	if err != nil || mb < 128 || mb > 10240 {
		t.Errorf("lambdaMemory = %d, %v", mb, err)
	}
	if _, err := lambdaMemory("testdata/none.go"); err == nil {
		t.Error("no error for a missing file")
	}
}

func TestLambdaEquivalent(t *testing.T) {
	for _, tt := range []struct {
		wall, cpu time.Duration
		mb        int
		want      time.Duration
	}{
		{10 * time.Second, 1 * time.Second, 1769, 10 * time.Second},            // waits on AWS
		{10 * time.Second, 5 * time.Second, 256, 5 * 1769 * time.Second / 256}, // 34.55 s
		{10 * time.Second, 20 * time.Second, 3538, 10 * time.Second},           // two vCPUs: never under the wall
	} {
		if got := lambdaEquivalent(tt.wall, tt.cpu, tt.mb); got != tt.want {
			t.Errorf("lambdaEquivalent(%s, %s, %d) = %s, want %s", tt.wall, tt.cpu, tt.mb, got, tt.want)
		}
	}
}

// The cost report: six requests per account read through its own role (costs, forecast,
// top services, and the discount coverages: Savings Plans, EC2 and RDS reservations);
// grouped in the management account, two queries, a forecast per environment (the home
// account is production, the others non-production) and the organisation's three
// coverage queries, whatever the number of accounts.
func TestCostRequests(t *testing.T) {
	for _, tt := range []struct {
		accounts      int
		each, grouped int
	}{{4, 6 * 5, 2 + 2 + 3}, {500, 6 * 501, 2 + 2 + 3}} {
		each, grouped, err := costRequests(t.Context(), tt.accounts)
		if err != nil {
			t.Fatal(err)
		}
		if each.requests != tt.each || grouped.requests != tt.grouped || grouped.requests > 10 {
			t.Errorf("%d accounts + home: per account %d, grouped %d; want %d and %d (at most 10)", tt.accounts, each.requests, grouped.requests, tt.each, tt.grouped)
		}
		// Paced at cost.DefaultRate: the last of n requests starts (n-1)/rate after the first.
		if want := time.Duration(float64(tt.each-1) / cost.DefaultRate * float64(time.Second)); each.paced != want {
			t.Errorf("%d accounts + home: per-account pacing %s, want %s", tt.accounts, each.paced, want)
		}
	}
}

// Part 6's heads-up sends one message to each owner, with one link per account, over the
// fake without latency.
func TestHeadsUpOneMessagePerOwner(t *testing.T) {
	run, err := runHeadsUp(t.Context(), 12, false)
	if err != nil {
		t.Fatal(err)
	}
	if run.owners != 12+headsUpTeams || len(run.perOwner) != run.owners || run.summary.Messages != run.owners {
		t.Errorf("%d owners, %d told, %d messages", run.owners, len(run.perOwner), run.summary.Messages)
	}
	for owner, n := range run.perOwner {
		if n != 1 {
			t.Errorf("%s got %d messages", owner, n)
		}
	}
	if run.summary.Accounts != 12 || run.summary.Links != 12 {
		t.Errorf("summary %+v: want 12 accounts, 12 links", run.summary)
	}
}
