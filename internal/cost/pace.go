package cost

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
)

// DefaultRate is the pace of the report's Cost Explorer requests, in requests a second.
// AWS publishes no request rate for Cost Explorer: the Cost Management quotas page
// (docs.aws.amazon.com/cost-management/latest/userguide/management-limits.html) lists
// none, and the API reference only says that LimitExceededException means "You made too
// many calls in a short period of time". An AWS SDK maintainer advised 10 requests a
// second (github.com/boto/botocore/issues/1820); curfew keeps to half of that, so that
// the SDK's retries of a throttled request still fit under it.
const DefaultRate = 5.0

// Clock is what pacing waits on; tests give a fake one.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done, whose error it then returns.
	Sleep(ctx context.Context, d time.Duration) error
}

// WallClock is the Clock pacing waits on outside tests.
var WallClock Clock = realClock{}

type realClock struct{}

// Now is the wall clock: pacing measures elapsed time and waits against the context's
// deadline, both the wall clock's; it is no "now" of the report (package clock).
func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacer starts requests at least one interval apart, whoever sends them: the accounts
// read in parallel share it.
type pacer struct {
	interval time.Duration
	clock    Clock

	mu   sync.Mutex
	next time.Time // when the next request may start
}

func newPacer(rate float64, clock Clock) *pacer {
	return &pacer{interval: time.Duration(float64(time.Second) / rate), clock: clock}
}

// wait returns when the caller's request may start: it books the next free slot under
// the lock and sleeps outside it, so that waiting callers keep their order.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.clock.Now()
	start := p.next
	if start.Before(now) {
		start = now
	}
	p.next = start.Add(p.interval)
	p.mu.Unlock()
	if d := start.Sub(now); d > 0 {
		return p.clock.Sleep(ctx, d)
	}
	return nil
}

// paced is a Cost Explorer client whose every request waits for the pacer.
type paced struct {
	API
	pacer *pacer
}

func (c paced) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	return pacedCall(ctx, c.pacer, c.API.GetCostAndUsage, in, opts)
}

func (c paced) GetCostForecast(ctx context.Context, in *costexplorer.GetCostForecastInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	return pacedCall(ctx, c.pacer, c.API.GetCostForecast, in, opts)
}

// pacedCall makes one Cost Explorer request once the pacer lets it start.
func pacedCall[In, Out any](ctx context.Context, p *pacer, request func(context.Context, In, ...func(*costexplorer.Options)) (Out, error), in In, opts []func(*costexplorer.Options)) (Out, error) {
	if err := p.wait(ctx); err != nil {
		var none Out
		return none, err
	}
	return request(ctx, in, opts...)
}

// plan is how many requests a report of n accounts makes, the first page of each query
// only: per account, a daily query, a query by service and a forecast; grouped, the two
// queries once and a forecast per environment. There is no forecast once the month is
// over.
func plan(mode Mode, p Periods, accounts, environments int) int {
	forecasts := 1
	if p.Forecast.Empty() {
		forecasts = 0
	}
	if mode == Grouped {
		return 2 + forecasts*environments
	}
	return accounts * (2 + forecasts)
}

// duration is how long n requests take at rate, the first starting at once.
func duration(n int, rate float64) time.Duration {
	if n <= 1 {
		return 0
	}
	return time.Duration(float64(n-1) / rate * float64(time.Second))
}
