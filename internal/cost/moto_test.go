package cost_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// testMap returns a valid account map of identity (production, the home account),
// staging and sandbox (non-production) and production, with fresh account ids.
func testMap(t *testing.T, management string) *accounts.Map {
	t.Helper()
	yaml := mapHead(management, "MON") + fmt.Sprintf(`  - {name: sandbox, id: %q, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
  - {name: production, id: %q, environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess], ciCdkDeploy: true}
`, emulator.NewAccountID(), emulator.NewAccountID())
	m, err := accounts.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mapHead is the top of a cost test's map, up to its second account: identity
// (production, the home account) and staging (non-production), with fresh ids; management
// is the map's management tag and days the cost report's days.
func mapHead(management, days string) string {
	return costtest.MapHead(management, days) + fmt.Sprintf("  - {name: staging, id: %q, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}\n",
		emulator.NewAccountID())
}

func account(t *testing.T, m *accounts.Map, name string) accounts.Account {
	t.Helper()
	a, ok := m.Account(name)
	if !ok {
		t.Fatalf("no account %s", name)
	}
	return a
}

// amount is an answer's figure in the metric the report reads by default.
func amount(v float64, unit string) map[string]any {
	return map[string]any{"AmortizedCost": map[string]any{"Amount": fmt.Sprintf("%.10f", v), "Unit": unit}}
}

// excludesCredits reports whether a filter leaves out exactly credits and refunds.
func excludesCredits(f *cetypes.Expression) bool {
	if f == nil {
		return false
	}
	if n := f.Not; n != nil && n.Dimensions != nil && n.Dimensions.Key == cetypes.DimensionRecordType &&
		slices.Equal(n.Dimensions.Values, []string{"Credit", "Refund"}) {
		return true
	}
	return slices.ContainsFunc(f.And, func(e cetypes.Expression) bool { return excludesCredits(&e) })
}

// dailyResult is an ungrouped DAILY answer for the days of r, costing cost(day) each.
func dailyResult(r cost.Range, unit string, costOf func(time.Time) float64) map[string]any {
	var days []map[string]any
	for d := r.Start; d.Before(r.End); d = d.AddDate(0, 0, 1) {
		days = append(days, map[string]any{
			"TimePeriod": map[string]any{"Start": d.Format(time.DateOnly), "End": d.AddDate(0, 0, 1).Format(time.DateOnly)},
			"Total":      amount(costOf(d), unit),
			"Groups":     []any{},
			"Estimated":  false,
		})
	}
	return map[string]any{"ResultsByTime": days}
}

// nextDay and nextMonth step through a range by the day and by the month.
func nextDay(d time.Time) time.Time   { return d.AddDate(0, 0, 1) }
func nextMonth(d time.Time) time.Time { return d.AddDate(0, 1, 0) }

// idsOf is the map's account ids by name.
func idsOf(m *accounts.Map) map[string]string {
	ids := map[string]string{}
	for _, a := range m.Accounts {
		ids[a.Name] = a.ID
	}
	return ids
}

// spentPerDay is what each account of the test map spends every day in dailyByAccount.
var spentPerDay = map[string]float64{"identity": 1, "staging": 2, "sandbox": 3, "production": 4}

// dailyByAccount is Cost Explorer's daily answer grouped by linked account over p: the
// test map's accounts (ids) spend their spentPerDay every day, and each day also has the
// groups of extra.
func dailyByAccount(p cost.Periods, ids map[string]string, extra ...map[string]any) map[string]any {
	return groupedResult(p.Daily(), nextDay, func(time.Time) []map[string]any {
		var g []map[string]any
		for name, v := range spentPerDay {
			g = append(g, group(v, "USD", ids[name]))
		}
		return append(g, extra...)
	})
}

// groupedResult is one result per day of r holding the groups groupsOf(day) returns.
func groupedResult(r cost.Range, step func(time.Time) time.Time, groupsOf func(time.Time) []map[string]any) map[string]any {
	var results []map[string]any
	for d := r.Start; d.Before(r.End); d = step(d) {
		results = append(results, map[string]any{
			"TimePeriod": map[string]any{"Start": d.Format(time.DateOnly), "End": step(d).Format(time.DateOnly)},
			"Total":      map[string]any{},
			"Groups":     groupsOf(d),
			"Estimated":  false,
		})
	}
	return map[string]any{"ResultsByTime": results}
}

func group(v float64, unit string, keys ...string) map[string]any {
	return map[string]any{"Keys": keys, "Metrics": amount(v, unit)}
}

// faultyAssumeRole is an SDK middleware, set on the base config, that records every
// AssumeRole request and answers AccessDenied for the role ARNs in deny.
type faultyAssumeRole struct {
	deny map[string]bool

	mu   sync.Mutex
	seen []sts.AssumeRoleInput
}

func (f *faultyAssumeRole) option(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("curfewTestAssumeRoleFaults",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if p, ok := in.Parameters.(*sts.AssumeRoleInput); ok {
				f.mu.Lock()
				f.seen = append(f.seen, *p)
				f.mu.Unlock()
				if arn := aws.ToString(p.RoleArn); f.deny[arn] {
					return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{
						Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole on " + arn}
				}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// forecasts answers GetCostForecast, which moto lacks, in front of a real client: per
// account id, with an amount or an error.
type forecasts struct {
	cost.API
	account string
	answer  map[string]any // account id → float64 amount, error, or nil for an answer without a total

	mu     *sync.Mutex
	inputs *[]costexplorer.GetCostForecastInput
	usage  *[]costexplorer.GetCostAndUsageInput
}

func (f forecasts) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageInput, opts ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error) {
	f.mu.Lock()
	*f.usage = append(*f.usage, *in)
	f.mu.Unlock()
	return f.API.GetCostAndUsage(ctx, in, opts...)
}

func (f forecasts) GetCostForecast(_ context.Context, in *costexplorer.GetCostForecastInput, _ ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error) {
	f.mu.Lock()
	*f.inputs = append(*f.inputs, *in)
	f.mu.Unlock()
	id := f.account
	linked := costtest.LinkedAccounts(in.Filter)
	if len(linked) > 0 {
		id = linked[0] // the management account is asked for its linked accounts
	}
	if len(linked) > 1 {
		// One forecast of several accounts (an environment in grouped mode): the sum of
		// theirs, or the first error or answer without a total.
		var sum float64
		for _, v := range linked {
			out, err := f.answerFor(v)
			if err != nil || out.Total == nil {
				return out, err
			}
			a, _ := strconv.ParseFloat(aws.ToString(out.Total.Amount), 64)
			sum += a
		}
		return f.answerFor("", sum)
	}
	return f.answerFor(id)
}

// answerFor answers for one account id, or the amount given instead.
func (f forecasts) answerFor(id string, amount ...float64) (*costexplorer.GetCostForecastOutput, error) {
	var answer any
	if len(amount) > 0 {
		answer = amount[0]
	} else {
		answer = f.answer[id]
	}
	switch a := answer.(type) {
	case float64:
		return &costexplorer.GetCostForecastOutput{Total: &cetypes.MetricValue{
			Amount: aws.String(fmt.Sprintf("%.10f", a)), Unit: aws.String("USD")}}, nil
	case error:
		return nil, &smithy.OperationError{ServiceID: "Cost Explorer", OperationName: "GetCostForecast", Err: a}
	case nil:
		if _, ok := f.answer[id]; ok { // an answer without a total
			return &costexplorer.GetCostForecastOutput{}, nil
		}
	}
	return nil, fmt.Errorf("test has no forecast for account %s", id)
}

// sent records the requests the report made.
type sent struct {
	forecasts []costexplorer.GetCostForecastInput
	usage     []costexplorer.GetCostAndUsageInput
}

// clients is cost.AssumeClients with GetCostForecast answered by the test, recording
// every request.
func clients(base aws.Config, m *accounts.Map, answer map[string]any) (func(accounts.Account) cost.API, *sent) {
	assumed := cost.AssumeClients(base, m.ExternalID)
	s := &sent{}
	mu := new(sync.Mutex)
	return func(a accounts.Account) cost.API {
		return forecasts{API: assumed(a), account: a.ID, answer: answer, mu: mu, inputs: &s.forecasts, usage: &s.usage}
	}, s
}
