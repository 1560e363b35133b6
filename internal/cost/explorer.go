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
)

// API is the part of the Cost Explorer client the report uses.
type API interface {
	GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostAndUsageOutput, error)
	GetCostForecast(context.Context, *costexplorer.GetCostForecastInput, ...func(*costexplorer.Options)) (*costexplorer.GetCostForecastOutput, error)
}

var _ API = (*costexplorer.Client)(nil)

// metric is the cost the report reads: what the account was charged, before any
// organisation-wide blending, as the billing console shows it.
const metric = "UnblendedCost"

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
				m, err := money(r.Total)
				if err != nil {
					return nil, fmt.Errorf("result of %s: %w", day.Format(time.DateOnly), err)
				}
				rows = append(rows, row{day: day, cost: m})
				continue
			}
			for _, g := range r.Groups {
				m, err := money(g.Metrics)
				if err != nil {
					return nil, fmt.Errorf("group %v of %s: %w", g.Keys, day.Format(time.DateOnly), err)
				}
				rows = append(rows, row{day: day, keys: g.Keys, cost: m})
			}
		}
	}
	return rows, nil
}

func money(metrics map[string]types.MetricValue) (Money, error) {
	v, ok := metrics[metric]
	if !ok {
		return Money{}, fmt.Errorf("no %s in the answer", metric)
	}
	amount, err := strconv.ParseFloat(aws.ToString(v.Amount), 64)
	if err != nil {
		return Money{}, fmt.Errorf("%s amount: %w", metric, err)
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

// dailyQuery asks for the cost of every day of r.
func dailyQuery(r Range, filter *types.Expression, groups []types.GroupDefinition) *costexplorer.GetCostAndUsageInput {
	return &costexplorer.GetCostAndUsageInput{
		Granularity: types.GranularityDaily,
		Metrics:     []string{metric},
		TimePeriod:  interval(r),
		Filter:      filter,
		GroupBy:     groups,
	}
}

// servicesQuery asks for the cost of each service over r, as one monthly sum: r never
// spans more than one month.
func servicesQuery(r Range, filter *types.Expression, groups []types.GroupDefinition) *costexplorer.GetCostAndUsageInput {
	return &costexplorer.GetCostAndUsageInput{
		Granularity: types.GranularityMonthly,
		Metrics:     []string{metric},
		TimePeriod:  interval(r),
		Filter:      filter,
		GroupBy:     groups,
	}
}

// forecast returns the month's expected total: the month to date plus Cost Explorer's
// forecast of the rest of the month. Once the month is over the total is final and no
// request is made.
func forecast(ctx context.Context, client API, p Periods, monthToDate Money, filter *types.Expression, requests *atomic.Int64) (*Money, error) {
	if p.Forecast.Empty() {
		m := monthToDate
		return &m, nil
	}
	out, err := client.GetCostForecast(ctx, &costexplorer.GetCostForecastInput{
		Granularity: types.GranularityMonthly,
		Metric:      types.MetricUnblendedCost,
		TimePeriod:  interval(p.Forecast),
		Filter:      filter,
	})
	if err != nil {
		return nil, err
	}
	requests.Add(1)
	if out.Total == nil || out.Total.Amount == nil {
		return nil, ErrNoForecastData
	}
	rest, err := money(map[string]types.MetricValue{metric: *out.Total})
	if err != nil {
		return nil, err
	}
	total, err := monthToDate.add(rest)
	if err != nil {
		return nil, err
	}
	return &total, nil
}
