package accounts_test

import (
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// The cost report reads amortised cost unless the map says otherwise; a metric that is
// not one of the four is an error naming the field.
func TestCostMetric(t *testing.T) {
	for _, tt := range []struct {
		metric, want string
	}{{"", accounts.MetricAmortized}, {"net-amortized", accounts.MetricNetAmortized}, {"unblended", accounts.MetricUnblended}} {
		m := example(t)
		m.CostReport.Metric = tt.metric
		if err := m.Validate(); err != nil {
			t.Errorf("metric %q: %v", tt.metric, err)
		}
		if got := m.CostReport.CostMetric(); got != tt.want {
			t.Errorf("metric %q reads as %q, want %q", tt.metric, got, tt.want)
		}
	}
	m := example(t)
	m.CostReport.Metric = "BlendedCost"
	wantOnlyProblem(t, m.Validate(), "costReport.metric", "")
}
