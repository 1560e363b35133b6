package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The in-process fake of part 2: each call answered after fakeLatency; per
// account×region×service a bucket of fakeBurst calls refilled at fakeRate a second
// (EC2's documented refill rate for describe calls), throttling errors above that.
const (
	fakeLatency = 50 * time.Millisecond
	fakeRate    = 20
	fakeBurst   = 50
)

// parallelShape is one account×region of part 2: 20 resources.
var parallelShape = shape{Regions: 4, EC2: 16, RDS: 3, Aurora: 1, SkipEvery: 8}

// chainCalls is how many calls one account×region makes one after another, the
// account's AssumeRole included: the longest chain of the sweep.
func chainCalls(s shape) int {
	return minimumCalls(shape{Accounts: 1, Regions: 1, EC2: s.EC2, RDS: s.RDS, Aurora: s.Aurora, SkipEvery: s.SkipEvery})
}

// sweepResult is what a child process reports about one timed sweep.
type sweepResult struct {
	Accounts, Regions int
	Wall              time.Duration
	Ideal             time.Duration
	Calls, Minimum    int
	Requests          int
	Throttled         int
	Stopped           int
	PeakHeapMB        float64 // highest heap in use (objects and unused slots of their spans) sampled during the sweep
	PeakRSSMB         float64 // VmHWM of the process at the end
	// CPU is the user and system time the process spent during the sweep: when it comes
	// near the wall time times the CPUs, the sweep waits for CPU rather than for AWS.
	CPU time.Duration
}

func (r sweepResult) efficiency() float64 { return r.Ideal.Seconds() / r.Wall.Seconds() }

// runParallelChild runs one sweep of accounts × 4 regions in this process, which does
// nothing else, and prints its sweepResult as JSON: memory is the sweep's alone.
func runParallelChild(ctx context.Context, accounts int) error {
	s := parallelShape
	s.Accounts = accounts
	var sw sweep
	peak, cpu, err := measure(func() error {
		var err error
		sw, err = runSweep(ctx, s, fakeLatency, fakeRate, fakeBurst)
		return err
	})
	if err != nil {
		return err
	}
	requests := sw.totalRequests()
	res := sweepResult{
		Accounts: accounts, Regions: s.Regions, Wall: sw.wall,
		Ideal: time.Duration(chainCalls(s)) * fakeLatency,
		Calls: sw.calls.Total(), Minimum: minimumCalls(s), Requests: requests, Throttled: sw.throttle,
		Stopped: sw.stopped, PeakHeapMB: float64(peak) / (1 << 20), PeakRSSMB: vmHWM(), CPU: cpu,
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// measure runs fn and returns the highest heap in use (objects and unused slots of their
// spans) sampled while it ran, and the CPU time the process spent meanwhile.
func measure(fn func() error) (peakHeap uint64, cpu time.Duration, err error) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peakHeap = max(peakHeap, heapInUse())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	cpu0 := cpuTime()
	err = fn()
	cpu = cpuTime() - cpu0
	close(done)
	wg.Wait()
	return peakHeap, cpu, err
}

// heapInUse is the heap's objects and the unused slots of their spans. runtime/metrics,
// unlike ReadMemStats, does not stop the world, so it can be sampled 200 times a second.
func heapInUse() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64() + sample[1].Value.Uint64()
}

// parallel runs the sweep of each size in a child process of its own.
func parallel(ctx context.Context, sizes []int) ([]sweepResult, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var out []sweepResult
	for _, n := range sizes {
		cmd := exec.CommandContext(ctx, self, "-sweep-child", strconv.Itoa(n))
		cmd.Stderr = os.Stderr
		data, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("sweep of %d accounts: %w", n, err)
		}
		var r sweepResult
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("sweep of %d accounts: %w: %s", n, err, data)
		}
		out = append(out, r)
	}
	return out, nil
}

// cpuTime is the user and system time this process has spent.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the process's peak resident set size in MB, from /proc/self/status.
func vmHWM() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
