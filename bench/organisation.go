package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/history"
)

// The latency of part 5's fake: lognormal, median 80 ms, 99th percentile 400 ms, drawn
// from a generator of fixed seed so that two runs draw the same delays (in the order
// calls happen to reach the fake).
const (
	orgLatencyP50 = 80 * time.Millisecond
	orgLatencyP99 = 400 * time.Millisecond
	orgSeed       = 5
)

// z99 is the standard normal's 99th percentile.
const z99 = 2.3263478740408408

// lognormal draws delays whose logarithm is normal: median p50, 99th percentile p99.
type lognormal struct {
	mu, sigma float64 // of the delay's logarithm, in seconds
	mx        sync.Mutex
	rng       *rand.Rand
}

func newLognormal(p50, p99 time.Duration, seed uint64) *lognormal {
	return &lognormal{
		mu:    math.Log(p50.Seconds()),
		sigma: math.Log(p99.Seconds()/p50.Seconds()) / z99,
		rng:   rand.New(rand.NewPCG(seed, seed)),
	}
}

func (l *lognormal) draw() time.Duration {
	l.mx.Lock()
	z := l.rng.NormFloat64()
	l.mx.Unlock()
	return time.Duration(math.Exp(l.mu+l.sigma*z) * float64(time.Second))
}

// mean is the distribution's mean: exp(mu + sigma²/2).
func (l *lognormal) mean() time.Duration {
	return time.Duration(math.Exp(l.mu+l.sigma*l.sigma/2) * float64(time.Second))
}

// orgShape is one account×region of part 5: 20 resources, as in part 2.
var orgShape = parallelShape

// restartMinimum is the fewest AWS calls a restart of fleet s after its shutdown can make:
// per account one AssumeRole; per account×region one describe page of clusters, of DB
// instances, of Auto Scaling groups, of ECS and EKS clusters and of marked instances; per
// 100 instances stopped one StartInstances and one
// DeleteTags (the mark); per database stopped one DescribeEvents (was it started, and
// stopped again, by someone else since the mark?), a start and a RemoveTagsFromResource.
func restartMinimum(s shape) int {
	stopEC2 := s.EC2 - s.skipped()
	perRegion := pages(s.Aurora, 100) + pages(s.RDS+s.Aurora, 100) + 3*pages(0, 100) + pages(stopEC2, 1000) +
		2*batches(stopEC2, 100) + 3*(s.RDS+s.Aurora)
	return s.Accounts * (1 + s.Regions*perRegion)
}

// invocation is what part 5's child reports of one invocation (the shutdown or the
// restart of the whole organisation).
type invocation struct {
	Kind            history.Kind
	Wall, CPU       time.Duration
	Calls, Minimum  int
	ByOperation     string // calls per service:operation
	Requests        int
	Throttled       int
	Changed         int     // resources stopped or started
	BaseHeapMB      float64 // heap in use before the invocation: the fake's state, mostly
	PeakHeapMB      float64
	PeakRSSMB       float64 // VmHWM since the invocation started
	RSSSinceStarted bool    // false when the kernel would not reset VmHWM: the process's peak
}

// runOrgChild runs the shutdown, then the restart, of accounts × 4 regions in this
// process, which does nothing else, and prints both invocations as JSON.
func runOrgChild(ctx context.Context, nAccounts int) error {
	s := orgShape
	s.Accounts = nAccounts
	fake := newFakeAWS(0, fakeRate, fakeBurst)
	fake.draw = newLognormal(orgLatencyP50, orgLatencyP99, orgSeed).draw
	m, err := generate(fake, s)
	if err != nil {
		return err
	}
	var out []invocation
	requests0, throttled0 := 0, 0
	for _, kind := range []history.Kind{history.Shutdown, history.Restart} {
		runtime.GC()
		inv := invocation{Kind: kind, BaseHeapMB: float64(heapInUse()) / (1 << 20), RSSSinceStarted: resetVmHWM() == nil}
		var sw sweep
		peak, cpu, err := measure(func() error {
			var err error
			sw, err = runEngine(ctx, fake, m, kind)
			return err
		})
		if err != nil {
			return err
		}
		requests := sw.totalRequests()
		inv.Wall, inv.CPU, inv.Calls, inv.ByOperation = sw.wall, cpu, sw.calls.Total(), countsString(sw.calls.Counts())
		inv.Requests, inv.Throttled = requests-requests0, sw.throttle-throttled0
		inv.PeakHeapMB, inv.PeakRSSMB = float64(peak)/(1<<20), vmHWM()
		requests0, throttled0 = requests, sw.throttle
		if kind == history.Shutdown {
			inv.Minimum, inv.Changed = minimumCalls(s), sw.report.Totals.Stopped
		} else {
			inv.Minimum, inv.Changed = restartMinimum(s), sw.report.Totals.Started
		}
		out = append(out, inv)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// resetVmHWM sets the process's peak resident set size back to its current one (Linux
// 4.0 and later), so that the restart's peak is its own.
func resetVmHWM() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// lambdaMemory is the memory of the shutdown and restart Lambdas, read from the CDK code
// that configures it, so that the bench follows it.
func lambdaMemory(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("the Lambdas' memory: %w (run the bench from the repository's root)", err)
	}
	m := regexp.MustCompile(`(?m)^const functionMemoryMB = (\d+)$`).FindAllSubmatch(data, -1)
	if len(m) != 1 {
		return 0, fmt.Errorf("the Lambdas' memory: %s sets functionMemoryMB %d times, not once", path, len(m))
	}
	return strconv.Atoi(string(m[0][1]))
}

// fullVCPUMB is the memory at which Lambda gives a function one whole vCPU; below it, a
// share in proportion.
const fullVCPUMB = 1769

// lambdaEquivalent is how long an invocation would take in a Lambda of memoryMB: it waits
// on AWS at least as long as here, and its CPU seconds run on the share of a vCPU its
// memory buys.
func lambdaEquivalent(wall, cpu time.Duration, memoryMB int) time.Duration {
	return max(wall, time.Duration(float64(cpu)*fullVCPUMB/float64(memoryMB)))
}

// partOrganisation is part 5: a shutdown and a restart of an organisation of nAccounts × 4
// regions × 20 resources, one invocation each, and the cost report's Cost Explorer
// requests at that size.
func partOrganisation(ctx context.Context, t *table, nAccounts int) ([]string, error) {
	memoryMB, err := lambdaMemory("cdk/service.go")
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-org-child", strconv.Itoa(nAccounts))
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("organisation of %d accounts: %w", nAccounts, err)
	}
	var invs []invocation
	if err := json.Unmarshal(data, &invs); err != nil {
		return nil, fmt.Errorf("organisation of %d accounts: %w: %s", nAccounts, err, data)
	}
	size := fmt.Sprintf("%d × %d regions × %d", nAccounts, orgShape.Regions, orgShape.resources())
	for _, inv := range invs {
		eq := lambdaEquivalent(inv.Wall, inv.CPU, memoryMB)
		ratio := float64(inv.Calls) / float64(inv.Minimum)
		rss := "VmHWM"
		if !inv.RSSSinceStarted {
			rss = "VmHWM of the process so far"
		}
		t.row("5", fmt.Sprintf("%s %s: wall time", inv.Kind, size),
			fmt.Sprintf("%.1f s; 1 invocation, CPU %.1f s; %d changed", inv.Wall.Seconds(), inv.CPU.Seconds(), inv.Changed),
			"< 2 min", yes(inv.Wall < 2*time.Minute))
		t.row("5", fmt.Sprintf("%s: Lambda-equivalent at %d MB", inv.Kind, memoryMB),
			fmt.Sprintf("%.1f s = max(wall, CPU × %d/%d)", eq.Seconds(), fullVCPUMB, memoryMB),
			"< 2 min", yes(eq < 2*time.Minute))
		t.row("5", fmt.Sprintf("%s: AWS calls", inv.Kind),
			fmt.Sprintf("%d, minimum %d (%.2f×); %d requests, %d throttled", inv.Calls, inv.Minimum, ratio, inv.Requests, inv.Throttled),
			"≤ 1.2× minimum", yes(ratio <= 1.2))
		t.row("5", fmt.Sprintf("%s: peak memory", inv.Kind),
			fmt.Sprintf("heap in use %.1f MB (%.1f MB before), %s %.1f MB", inv.PeakHeapMB, inv.BaseHeapMB, rss, inv.PeakRSSMB),
			fmt.Sprintf("< %d MB", memoryMB), yes(inv.PeakRSSMB < float64(memoryMB)))
	}
	each, grouped, err := costRequests(ctx, nAccounts)
	if err != nil {
		return nil, err
	}
	t.row("5", fmt.Sprintf("cost report, %d accounts + home: per-account mode", nAccounts),
		fmt.Sprintf("%d Cost Explorer requests, paced at %g/s: %s", each.requests, cost.DefaultRate, each.paced.Round(time.Second)), "", "")
	t.row("5", fmt.Sprintf("cost report, %d accounts + home: grouped (management account)", nAccounts),
		fmt.Sprintf("%d Cost Explorer requests", grouped.requests), "≤ 10", yes(grouped.requests <= 10))
	lat := newLognormal(orgLatencyP50, orgLatencyP99, orgSeed)
	var notes []string
	for _, inv := range invs {
		notes = append(notes, fmt.Sprintf("part 5: %s calls: %s.", inv.Kind, inv.ByOperation))
	}
	return append(notes,
		fmt.Sprintf("part 5: the fake of part 2 (throttling above %d calls/s per account×region×service, bucket %d), each answer after a delay drawn "+
			"from a lognormal of median %s and 99th percentile %s (σ of the logarithm %.3f, mean %s), seed %d; %d accounts × %d regions × %d resources "+
			"(per account×region %d EC2, one in %d tagged curfew:skip=true, %d RDS, %d Aurora). Every AssumeRole is made with the home "+
			"account's credentials in its region, so they all draw on one STS bucket of the fake (the same bucket as EC2's: the fake's model, not STS's quota). The shutdown, then the restart, each run as one invocation "+
			"of fleet.Handler (today one Lambda invocation sweeps every account×region) in a child process of its own that does nothing else; "+
			"CPU is the process's user and system time (getrusage) across the invocation, the fake's own work included, so an upper bound of the engine's. "+
			"Memory: the heap in use sampled during the invocation, the fake's state included (its share is the heap before), and the process's VmHWM. "+
			"Lambda-equivalent = max(wall, CPU seconds × %d / memory MB): Lambda gives one vCPU at %d MB and a proportional share below; "+
			"the memory, %d MB, is read from cdk/service.go. The restart's minimum counts one DescribeEvents per database, its check for a database "+
			"started and stopped again by someone else. Cost Explorer requests are counted at an in-process fake of Cost Explorer under cost.Reader, "+
			"one page per query (Cost Explorer's page size is not documented: each further page of the two grouped queries is one more request), on a report day of mid-month "+
			"(per-account mode: a forecast per account; grouped: one per environment); the per-account pace is the time the reader's pacing would wait, on a virtual clock.",
			fakeRate, fakeBurst, orgLatencyP50, orgLatencyP99, lat.sigma, lat.mean().Round(time.Millisecond), orgSeed,
			nAccounts, orgShape.Regions, orgShape.resources(), orgShape.EC2, orgShape.SkipEvery, orgShape.RDS, orgShape.Aurora,
			fullVCPUMB, fullVCPUMB, memoryMB),
	), nil
}

// costCount is what one cost report asked of Cost Explorer: requests answered, and how
// long pacing them takes.
type costCount struct {
	requests int
	paced    time.Duration
}

// costRequests counts the Cost Explorer requests of one cost report of a map of nAccounts
// swept accounts and its home account, read each through its own role, then grouped in
// the home account named as the organisation's management account.
func costRequests(ctx context.Context, nAccounts int) (each, grouped costCount, err error) {
	var ids []string
	for i := range nAccounts {
		ids = append(ids, fmt.Sprintf("8%011d", i+1))
	}
	m, err := benchMap("800000000000", ids, regionNames[:orgShape.Regions])
	if err != nil {
		return each, grouped, err
	}
	withManagement := *m
	withManagement.Management = "home"
	data, err := withManagement.Encode()
	if err != nil {
		return each, grouped, err
	}
	mm, err := accounts.Parse(data)
	if err != nil {
		return each, grouped, err
	}
	// Mid-month, so that the report forecasts the rest of the month.
	now := time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)
	var counts []costCount
	for _, want := range []struct {
		m    *accounts.Map
		mode cost.Mode
	}{{m, cost.PerAccount}, {mm, cost.Grouped}} {
		fake := &fakeCostExplorer{linked: append([]string{"800000000000"}, ids...)}
		clock := costtest.NewStillClock(now)
		r := cost.Reader{Map: want.m, Client: func(accounts.Account) cost.API { return fake },
			Coverage: func(accounts.Account) cost.CoverageAPI { return fake }, Clock: clock, Log: discardLogger()}
		rep := r.Read(ctx, now)
		if rep.Mode != want.mode {
			return each, grouped, fmt.Errorf("cost report: mode %s, want %s", rep.Mode, want.mode)
		}
		if failed := rep.Failed(); len(failed) > 0 {
			return each, grouped, fmt.Errorf("cost report, %s: %d accounts failed, the first: %w", rep.Mode, len(failed), failed[0].Err)
		}
		if int(fake.requests.Load()) != rep.Requests {
			return each, grouped, fmt.Errorf("cost report, %s: the fake answered %d requests, the report counts %d", rep.Mode, fake.requests.Load(), rep.Requests)
		}
		counts = append(counts, costCount{requests: rep.Requests, paced: clock.Longest()})
	}
	return counts[0], counts[1], nil
}

// fakeCostExplorer answers every query with one page: one day of cost, per linked
// account when it is grouped (by LINKED_ACCOUNT first) — the accounts of its filter, or
// every linked account of the organisation when it has none — and a forecast.
type fakeCostExplorer struct {
	linked   []string
	requests atomic.Int64
}

var _ cost.API = (*fakeCostExplorer)(nil)

func (f *fakeCostExplorer) GetCostAndUsage(_ context.Context, in *costexplorer.GetCostAndUsageInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	f.requests.Add(1)
	amount := map[string]types.MetricValue{in.Metrics[0]: {Amount: aws.String("1.00"), Unit: aws.String("USD")}}
	res := types.ResultByTime{TimePeriod: in.TimePeriod, Total: amount}
	if len(in.GroupBy) > 0 {
		ids := f.linked
		if filtered := costtest.LinkedAccounts(in.Filter); filtered != nil {
			ids = filtered
		}
		for _, id := range ids {
			keys := []string{id}
			if len(in.GroupBy) > 1 {
				keys = append(keys, "Amazon Elastic Compute Cloud - Compute")
			}
			res.Groups = append(res.Groups, types.Group{Keys: keys, Metrics: amount})
		}
	}
	return &costexplorer.GetCostAndUsageOutput{ResultsByTime: []types.ResultByTime{res}}, nil
}

// The coverage reads answer one page each: what is counted is the requests.
func (f *fakeCostExplorer) GetSavingsPlansCoverage(context.Context, *costexplorer.GetSavingsPlansCoverageInput, ...func(*costexplorer.Options)) (*costexplorer.GetSavingsPlansCoverageOutput, error) {
	f.requests.Add(1)
	return &costexplorer.GetSavingsPlansCoverageOutput{}, nil
}

func (f *fakeCostExplorer) GetReservationCoverage(context.Context, *costexplorer.GetReservationCoverageInput, ...func(*costexplorer.Options)) (*costexplorer.GetReservationCoverageOutput, error) {
	f.requests.Add(1)
	return &costexplorer.GetReservationCoverageOutput{}, nil
}

func (f *fakeCostExplorer) GetCostForecast(context.Context, *costexplorer.GetCostForecastInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	f.requests.Add(1)
	return &costexplorer.GetCostForecastOutput{Total: &types.MetricValue{Amount: aws.String("10.00"), Unit: aws.String("USD")}}, nil
}
