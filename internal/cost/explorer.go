package cost

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/curfew/curfew/internal/accounts"
)

// API is the part of the Cost Explorer client the report uses.
type API interface {
	GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
	GetCostForecast(context.Context, *costexplorer.GetCostForecastInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error)
}

var _ API = (*costexplorer.Client)(nil)

// Metric is how the report measures cost, from the map (costReport.metric and
// includeCredits); every output states it.
type Metric struct {
	// Name is Cost Explorer's metric, e.g. AmortizedCost.
	Name     string
	forecast types.Metric
	// Label names it for people: "amortised cost".
	Label string
	// ExcludesCredits says that credits and refunds are left out (a RECORD_TYPE filter),
	// so that a credit does not read as negative spend.
	ExcludesCredits bool
}

// MetricOf returns the metric a map's cost report reads.
func MetricOf(c accounts.CostReport) Metric {
	m := Metric{ExcludesCredits: !c.IncludeCredits}
	switch c.CostMetric() {
	case accounts.MetricNetAmortized:
		m.Name, m.forecast, m.Label = "NetAmortizedCost", types.MetricNetAmortizedCost, "net amortised cost (after discounts)"
	case accounts.MetricUnblended:
		m.Name, m.forecast, m.Label = "UnblendedCost", types.MetricUnblendedCost, "unblended cost"
	case accounts.MetricNetUnblended:
		m.Name, m.forecast, m.Label = "NetUnblendedCost", types.MetricNetUnblendedCost, "net unblended cost (after discounts)"
	default:
		m.Name, m.forecast, m.Label = "AmortizedCost", types.MetricAmortizedCost, "amortised cost"
	}
	return m
}

// String states the metric and what it leaves out, for every output.
func (m Metric) String() string {
	credits := "credits and refunds included"
	if m.ExcludesCredits {
		credits = "credits and refunds excluded"
	}
	return m.Label + ", " + credits + ", tax included"
}

// filter is f restricted to the records the metric counts.
func (m Metric) filter(f *types.Expression) *types.Expression {
	if !m.ExcludesCredits {
		return f
	}
	not := &types.Expression{Not: &types.Expression{Dimensions: &types.DimensionValues{
		Key: types.DimensionRecordType, Values: []string{"Credit", "Refund"}}}}
	if f == nil {
		return not
	}
	return &types.Expression{And: []types.Expression{*f, *not}}
}

// usagePages pages through GetCostAndUsage, which has no SDK paginator, with the SDK's
// HasMorePages/NextPage shape. Every page is a billed request, so it counts those answered.
type usagePages struct {
	client   API
	params   costexplorer.GetCostAndUsageInput
	started  bool
	next     *string
	requests *atomic.Int64
}

func newUsagePages(client API, params *costexplorer.GetCostAndUsageInput, requests *atomic.Int64) *usagePages {
	return &usagePages{client: client, params: *params, requests: requests}
}

// HasMorePages reports whether NextPage has a page to fetch.
func (p *usagePages) HasMorePages() bool { return !p.started || p.next != nil }

// NextPage fetches the next page.
func (p *usagePages) NextPage(ctx context.Context) (*costexplorer.GetCostAndUsageOutput, error) {
	if !p.HasMorePages() {
		return nil, errors.New("no more pages")
	}
	in := p.params
	in.NextPageToken = p.next
	out, err := p.client.GetCostAndUsage(ctx, &in)
	if err != nil {
		return nil, err
	}
	p.requests.Add(1)
	p.started = true
	p.next = nil
	if aws.ToString(out.NextPageToken) != "" {
		p.next = out.NextPageToken
	}
	return out, nil
}

// row is one amount of an answer: a day (or month) and, in grouped queries, its group keys.
type row struct {
	day  time.Time
	keys []string
	cost Money
	// estimated is Cost Explorer's Estimated flag of the result: its costs may still
	// change until AWS finalises the bill.
	estimated bool
}

// usage runs one GetCostAndUsage query through all its pages.
func usage(ctx context.Context, client API, in *costexplorer.GetCostAndUsageInput, requests *atomic.Int64) ([]row, error) {
	var rows []row
	p := newUsagePages(client, in, requests)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.ResultsByTime {
			if r.TimePeriod == nil {
				return nil, errors.New("a result has no time period")
			}
			day, err := time.Parse(time.DateOnly, aws.ToString(r.TimePeriod.Start))
			if err != nil {
				return nil, fmt.Errorf("result start: %w", err)
			}
			if len(in.GroupBy) == 0 {
				m, err := money(r.Total, in.Metrics[0])
				if err != nil {
					return nil, fmt.Errorf("result of %s: %w", day.Format(time.DateOnly), err)
				}
				rows = append(rows, row{day: day, cost: m, estimated: r.Estimated})
				continue
			}
			for _, g := range r.Groups {
				m, err := money(g.Metrics, in.Metrics[0])
				if err != nil {
					return nil, fmt.Errorf("group %v of %s: %w", g.Keys, day.Format(time.DateOnly), err)
				}
				rows = append(rows, row{day: day, keys: g.Keys, cost: m, estimated: r.Estimated})
			}
		}
	}
	return rows, nil
}

// money reads the amount of the metric named name.
func money(metrics map[string]types.MetricValue, name string) (Money, error) {
	v, ok := metrics[name]
	if !ok {
		return Money{}, fmt.Errorf("no %s in the answer", name)
	}
	amount, err := strconv.ParseFloat(aws.ToString(v.Amount), 64)
	if err != nil {
		return Money{}, fmt.Errorf("%s amount: %w", name, err)
	}
	return Money{Amount: amount, Currency: aws.ToString(v.Unit)}, nil
}

func interval(r Range) *types.DateInterval {
	return &types.DateInterval{
		Start: aws.String(r.Start.Format(time.DateOnly)),
		End:   aws.String(r.End.Format(time.DateOnly)),
	}
}

func groupBy(keys ...types.Dimension) []types.GroupDefinition {
	var g []types.GroupDefinition
	for _, k := range keys {
		g = append(g, types.GroupDefinition{Type: types.GroupDefinitionTypeDimension, Key: aws.String(string(k))})
	}
	return g
}

func linkedAccounts(ids ...string) *types.Expression {
	return &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: ids}}
}

// query asks for the cost over r by g: daily, of every day of r; monthly, of each
// service as one monthly sum (r never spans more than one month).
func query(g types.Granularity, m Metric, r Range, filter *types.Expression, groups []types.GroupDefinition) *costexplorer.GetCostAndUsageInput {
	return &costexplorer.GetCostAndUsageInput{
		Granularity: g,
		Metrics:     []string{m.Name},
		TimePeriod:  interval(r),
		Filter:      m.filter(filter),
		GroupBy:     groups,
	}
}

// forecast returns the month's expected total: the month to date plus Cost Explorer's
// forecast of the rest of the month. Once the month is over the total is final and no
// request is made.
func forecast(ctx context.Context, client API, m Metric, p Periods, monthToDate Money, filter *types.Expression, requests *atomic.Int64) (*Money, error) {
	if p.Forecast.Empty() {
		m := monthToDate
		return &m, nil
	}
	out, err := client.GetCostForecast(ctx, &costexplorer.GetCostForecastInput{
		Granularity: types.GranularityMonthly,
		Metric:      m.forecast,
		TimePeriod:  interval(p.Forecast),
		Filter:      m.filter(filter),
	})
	if err != nil {
		return nil, err
	}
	requests.Add(1)
	if out.Total == nil || out.Total.Amount == nil {
		return nil, ErrNoForecastData
	}
	rest, err := money(map[string]types.MetricValue{m.Name: *out.Total}, m.Name)
	if err != nil {
		return nil, err
	}
	total, err := monthToDate.add(rest)
	if err != nil {
		return nil, err
	}
	return &total, nil
}
