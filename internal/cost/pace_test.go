package cost_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
)

// oneDay is an in-process Cost Explorer for pacing, which is pure logic: every query
// answers one day of 1 USD, every forecast 1 USD.
type oneDay struct{}

func (oneDay) GetCostAndUsage(_ context.Context, in *costexplorer.GetCostAndUsageInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	one := map[string]cetypes.MetricValue{in.Metrics[0]: {Amount: aws.String("1"), Unit: aws.String("USD")}}
	return &costexplorer.GetCostAndUsageOutput{ResultsByTime: []cetypes.ResultByTime{{TimePeriod: in.TimePeriod, Total: one}}}, nil
}

func (oneDay) GetCostForecast(context.Context, *costexplorer.GetCostForecastInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	return &costexplorer.GetCostForecastOutput{Total: &cetypes.MetricValue{Amount: aws.String("1"), Unit: aws.String("USD")}}, nil
}

func TestPerAccountRequestsArePacedUnderTheRate(t *testing.T) {
	m := testMap(t, "")
	clock := costtest.NewStillClock(reportTime)
	var logs bytes.Buffer
	r := cost.Reader{Map: m, Client: func(accounts.Account) cost.API { return oneDay{} }, Clock: clock,
		Log: slog.New(slog.NewJSONHandler(&logs, nil))}.Read(t.Context(), reportTime)

	// Four accounts, three requests each, at 5 a second: one every 200 ms, from the first
	// at once to the twelfth 2.2 s later, whichever accounts' turns they are.
	if r.Planned != 12 || r.Requests != 12 || r.Rate != cost.DefaultRate {
		t.Errorf("planned %d, made %d at %g/s; want 12, 12 at %g/s", r.Planned, r.Requests, r.Rate, cost.DefaultRate)
	}
	waits := clock.Waits()
	slices.Sort(waits)
	var want []time.Duration
	for i := 1; i < 12; i++ {
		want = append(want, time.Duration(i)*200*time.Millisecond)
	}
	if !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
	if got := clock.Longest(); got != 2200*time.Millisecond {
		t.Errorf("longest wait = %v, want the twelfth request's 2.2s", got)
	}
	// The plan is logged before the first request.
	if !strings.Contains(logs.String(), `"action":"plan","mode":"per-account","accounts":4,"requests":12,"rate":5,"duration":"2s"`) {
		t.Errorf("no plan in the log:\n%s", logs.String())
	}
}

func TestAReportThatCannotFinishInTimeSaysSo(t *testing.T) {
	// The pacer's still clock and the deadline are the wall clock's, 2 s apart; the report
	// is of reportTime, mid-month, so that it has a forecast whatever the day (on the
	// first of a month there is none, and 8 requests fit in 2 s).
	now := clock.Now()
	clock := costtest.NewStillClock(now)
	ctx, cancel := context.WithDeadline(t.Context(), now.Add(2*time.Second))
	defer cancel()
	r := cost.Reader{Map: testMap(t, ""), Client: func(accounts.Account) cost.API { return oneDay{} }, Clock: clock,
		Log: slog.New(slog.DiscardHandler)}.Read(ctx, reportTime)

	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "the 12 requests of this report need about 2.2s, more than the 2s it had") ||
		!strings.Contains(r.Notes[0], "management:") {
		t.Errorf("notes = %q, want one saying 12 requests need more time than there is, and what to do", r.Notes)
	}
}

// noCoverage answers every coverage request with no data, in process: pacing is pure logic.
type noCoverage struct{}

func (noCoverage) GetSavingsPlansCoverage(context.Context, *costexplorer.GetSavingsPlansCoverageInput, ...func(*costexplorer.Options)) (*costexplorer.GetSavingsPlansCoverageOutput, error) {
	return &costexplorer.GetSavingsPlansCoverageOutput{}, nil
}

func (noCoverage) GetReservationCoverage(context.Context, *costexplorer.GetReservationCoverageInput, ...func(*costexplorer.Options)) (*costexplorer.GetReservationCoverageOutput, error) {
	return &costexplorer.GetReservationCoverageOutput{}, nil
}

// The coverage reads keep the same pace as the cost reads: every request of the report,
// of either kind, starts one interval after the one before.
func TestCoverageRequestsArePacedToo(t *testing.T) {
	clock := costtest.NewStillClock(reportTime)
	r := cost.Reader{Map: testMap(t, ""), Client: func(accounts.Account) cost.API { return oneDay{} }, Clock: clock,
		Coverage: func(accounts.Account) cost.CoverageAPI { return noCoverage{} }, Log: slog.New(slog.DiscardHandler)}.Read(t.Context(), reportTime)

	if r.Requests <= 12 {
		t.Fatalf("%d requests, want the 12 cost reads and coverage reads besides", r.Requests)
	}
	waits := clock.Waits()
	slices.Sort(waits)
	var want []time.Duration
	for i := 1; i < r.Requests; i++ {
		want = append(want, time.Duration(i)*200*time.Millisecond)
	}
	if !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want one every 200 ms for the %d requests", waits, r.Requests)
	}
}
