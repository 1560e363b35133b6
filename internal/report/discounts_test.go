package report_test

import (
	"html"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// Every output that shows savings says that discounts are ignored: the figure is at list
// price, and Savings Plans or Reserved Instances can make the real saving smaller.
func TestSavingsStateThatDiscountsAreIgnored(t *testing.T) {
	r := sampleReport()
	text := report.Text(r, report.Link{})
	page, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text, "HTML": html.UnescapeString(string(page))} {
		if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, cost.Discounts) {
			t.Errorf("the %s report does not say %q", name, cost.Discounts)
		}
	}
}
