// Command bench measures curfew's night shutdown and prints one table: its AWS calls
// against the minimum the job needs, its parallel efficiency against an in-process fake
// with latency and throttling, a race against Cloud Custodian (c7n-org) on the same moto
// emulator, the Lambdas' size and cold start, the organisation's scale and the heads-up
// before the night at that scale. `make bench` runs it; figures are printed, never
// asserted.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	var (
		parts      = flag.String("parts", "1,2,3,4,5,6", "which parts to run, comma-separated")
		nAccounts  = flag.Int("accounts", 10, "part 1: accounts of the generated fleet")
		nRegions   = flag.Int("regions", 2, "part 1: regions per account")
		nResources = flag.Int("resources", 200, "part 1: resources per account×region (80% EC2, 15% RDS, 5% Aurora)")
		raceRuns   = flag.Int("race-runs", 5, "part 3: runs of each tool, alternating")
		lambdaDir  = flag.String("lambda-dir", "build/lambda", "part 4: where `make lambdas` put <name>/bootstrap")
		orgSize    = flag.Int("org-accounts", 500, "parts 5 and 6: accounts of the organisation (× 4 regions × 20 resources)")
		sweepChild = flag.Int("sweep-child", 0, "internal: run one part-2 sweep of this many accounts and print JSON")
		orgChild   = flag.Int("org-child", 0, "internal: run part 5's shutdown and restart of this many accounts and print JSON")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *sweepChild > 0 {
		if err := runParallelChild(ctx, *sweepChild); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *orgChild > 0 {
		if err := runOrgChild(ctx, *orgChild); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *orgSize <= 0 {
		fmt.Fprintf(os.Stderr, "bench: -org-accounts %d: want at least 1\n", *orgSize)
		os.Exit(2)
	}
	t := &table{}
	var notes []string
	want := func(p string) bool { return strings.Contains(","+*parts+",", ","+p+",") }
	fail := func(part string, err error) {
		t.row(part, "error", err.Error(), "", "no")
		fmt.Fprintf(os.Stderr, "bench: part %s: %v\n", part, err)
	}
	load := loadAverage()
	for _, part := range []struct {
		id  string
		run func() ([]string, error)
	}{
		{"1", func() ([]string, error) { return partCalls(ctx, t, *nAccounts, *nRegions, *nResources) }},
		{"2", func() ([]string, error) { return partParallel(ctx, t) }},
		{"3", func() ([]string, error) { return partRace(ctx, t, *raceRuns) }},
		{"4", func() ([]string, error) { return partFootprint(ctx, t, *lambdaDir) }},
		{"5", func() ([]string, error) { return partOrganisation(ctx, t, *orgSize) }},
		{"6", func() ([]string, error) { return partHeadsUp(ctx, t, *orgSize) }},
	} {
		if !want(part.id) {
			continue
		}
		n, err := part.run()
		if err != nil {
			fail(part.id, err)
		}
		notes = append(notes, n...)
	}
	fmt.Printf("curfew bench, %s, %s %s/%s, %d CPUs; load average before %s, after %s\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), load, loadAverage())
	t.print()
	fmt.Println()
	for _, n := range notes {
		fmt.Println("- " + n)
	}
	if t.errors > 0 {
		os.Exit(1)
	}
}

// table is the one table the bench prints.
type table struct {
	rows   [][]string
	errors int
}

func (t *table) row(cells ...string) {
	if cells[1] == "error" {
		t.errors++
	}
	t.rows = append(t.rows, cells)
}

func (t *table) print() {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "part\tmeasure\tfigure\tgoal\tmet")
	fmt.Fprintln(w, "----\t-------\t------\t----\t---")
	for _, r := range t.rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	w.Flush()
	for line := range strings.Lines(b.String()) {
		fmt.Println(strings.TrimRight(line, " \n"))
	}
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// loadAverage is the 1, 5 and 15 minute load averages of the machine.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// partCalls is part 1: the AWS calls of one shutdown of the generated fleet against the
// minimum.
func partCalls(ctx context.Context, t *table, nAccounts, nRegions, nResources int) ([]string, error) {
	rds, aurora := nResources*15/100, nResources*5/100
	s := shape{Accounts: nAccounts, Regions: nRegions, EC2: nResources - rds - aurora, RDS: rds, Aurora: aurora, SkipEvery: 20}
	sw, err := runSweep(ctx, s, 0, 0, 0)
	if err != nil {
		return nil, err
	}
	min := minimumCalls(s)
	ratio := float64(sw.calls.Total()) / float64(min)
	t.row("1", fmt.Sprintf("AWS calls, %d accounts × %d regions × %d resources (fake)", nAccounts, nRegions, s.resources()),
		fmt.Sprintf("%d, minimum %d (%.2f×); %d stopped", sw.calls.Total(), min, ratio, sw.report.Totals.Stopped),
		"≤ 1.2× minimum", yes(ratio <= 1.2))
	return []string{
		fmt.Sprintf("part 1: per account×region %d EC2 instances (every %dth tagged curfew:skip=true), %d RDS instances, %d Aurora clusters (one member each); "+
			"counted by SDK middleware once per operation: %s. The minimum counts the mark (CreateTags per batch, AddTagsToResource per database) as well as the stops. "+
			"The engine runs whole (fleet.Handler, fleet.AssumeRoles, real SDK clients and retryer); only the HTTP transport is an in-process fake speaking the EC2/RDS/STS query protocol, "+
			"since moto would take minutes over %d resources.", s.EC2, s.SkipEvery, s.RDS, s.Aurora, countsString(sw.calls.Counts()), s.Accounts*s.Regions*s.resources()),
	}, nil
}

// partParallel is part 2: wall time of the sweep against the ideal, and memory.
func partParallel(ctx context.Context, t *table) ([]string, error) {
	memoryMB, err := lambdaMemory("cdk/service.go")
	if err != nil {
		return nil, err
	}
	results, err := parallel(ctx, []int{1, 10, 50})
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		t.row("2", fmt.Sprintf("sweep %d × %d regions (50 ms fake)", r.Accounts, r.Regions),
			fmt.Sprintf("%.2f s, ideal %.2f s: efficiency %.2f; %d calls, %d throttled, CPU %.2f s", r.Wall.Seconds(), r.Ideal.Seconds(), r.efficiency(), r.Calls, r.Throttled, r.CPU.Seconds()),
			"", "")
	}
	// The goal holds for the configured Lambda, whose CPU share this machine does not have.
	last := results[len(results)-1]
	lambda := lambdaEquivalent(last.Wall, last.CPU, memoryMB)
	eff := last.Ideal.Seconds() / lambda.Seconds()
	t.row("2", fmt.Sprintf("sweep %d × %d: Lambda-equivalent at %d MB", last.Accounts, last.Regions, memoryMB),
		fmt.Sprintf("%.2f s = max(wall, CPU × %d/%d): efficiency %.2f", lambda.Seconds(), fullVCPUMB, memoryMB, eff),
		"efficiency ≥ 0.8", yes(eff >= 0.8))
	t.row("2", fmt.Sprintf("peak memory, sweep %d × %d", last.Accounts, last.Regions),
		fmt.Sprintf("heap in use %.1f MB, RSS (VmHWM) %.1f MB", last.PeakHeapMB, last.PeakRSSMB),
		"< 128 MB", yes(last.PeakRSSMB < 128))
	return []string{
		fmt.Sprintf("part 2: the in-process fake answers every call after %s and throttles above %d calls/s per account×region×service (bucket %d), as EC2 does; "+
			"per account×region %d resources, a chain of %d calls one after another (the account's AssumeRole included); the ideal is that chain's %d × 50 ms. Each size runs in a child process of its own, "+
			"so memory is the sweep's (the fake's state included).", fakeLatency, fakeRate, fakeBurst, parallelShape.resources(), chainCalls(parallelShape), chainCalls(parallelShape)),
	}, nil
}
