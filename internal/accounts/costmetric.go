package accounts

import "slices"

// The Cost Explorer metrics the cost report may read (costReport.metric).
const (
	// MetricAmortized spreads upfront and monthly fees of Reserved Instances and Savings
	// Plans over the usage they cover, so that a commitment's fee does not spike one day
	// or land on the account that bought it: the default.
	MetricAmortized = "amortized"
	// MetricNetAmortized is the amortised cost after the organisation's discounts (an
	// enterprise or private pricing agreement): use it when the organisation has them.
	MetricNetAmortized = "net-amortized"
	// MetricUnblended is what each account was charged as it happened, fees on the day.
	MetricUnblended = "unblended"
	// MetricNetUnblended is the unblended cost after discounts.
	MetricNetUnblended = "net-unblended"
)

// costMetrics are the metrics in the order the validator names them.
var costMetrics = []string{MetricAmortized, MetricNetAmortized, MetricUnblended, MetricNetUnblended}

// CostMetric is the metric the cost report reads: costReport.metric, or MetricAmortized.
func (c CostReport) CostMetric() string {
	if c.Metric == "" {
		return MetricAmortized
	}
	return c.Metric
}

func validateCostMetric(p *problems, c CostReport) {
	if c.Metric != "" && !slices.Contains(costMetrics, c.Metric) {
		p.add("costReport.metric", "%q is not a metric: want amortized (the default), net-amortized (with an organisation's discounts), unblended or net-unblended", c.Metric)
	}
}
