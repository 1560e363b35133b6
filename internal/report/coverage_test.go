package report_test

import (
	"html"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// refused is the error of a coverage query that CurfewCostReader may not make.
var refused = &smithy.OperationError{ServiceID: "Cost Explorer", OperationName: "GetSavingsPlansCoverage",
	Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform ce:GetSavingsPlansCoverage"}}

// withCoverage is the sample report with staging's Savings Plans covering 30% and its EC2
// reservations 15% (it has no RDS ones); sandbox's costs, and so its coverage, could not
// be read.
func withCoverage() *cost.Report {
	r := sampleReport()
	for i := range r.Accounts {
		if r.Accounts[i].Name == "staging" {
			r.Accounts[i].Coverage = &cost.Coverage{SavingsPlans: 0.3, Reserved: 0.15}
		}
	}
	r.Savings.ApplyCoverage(r.Accounts)
	return r
}

// The savings are a range from list price down to each account's discount coverage,
// with what the low end assumes; an account whose coverage could not be read keeps the
// list figure and says why.
func TestSavingsRangeToCoverage(t *testing.T) {
	r := withCoverage()
	text := report.Text(r, report.Link{})
	golden(t, "coverage.golden", text)
	page, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	// staging saved 89.23 at list price: 59.74 of instances, 40.5% covered (Savings Plans
	// cover 30% of what EC2 reservations leave: 1 − 0.7 × 0.85), and 29.49 of a database,
	// not covered (Savings Plans never cover a database, EC2 reservations neither, and it
	// has no RDS ones), 65.04 in all at the low end, 27% of it discounted; sandbox's
	// 472.71 is at list price at both ends of the total, 537.75 to 561.94: the sums of
	// the rows as shown. The text says what the range is in a sentence; the page's "how
	// this is computed" has the whole basis.
	for name, out := range map[string]string{
		"text": strings.Join(strings.Fields(text), " "),
		"HTML": strings.Join(strings.Fields(html.UnescapeString(string(page))), " "),
	} {
		basis := map[string]string{"text": "A range: the low end takes off each account's Savings Plans and Reserved Instances coverage",
			"HTML": cost.CoverageBasis}[name]
		for _, want := range []string{
			"65.04 to 89.23", "Aurora cluster (member classes not recorded); 27% covered by discounts",
			"472.71", "list price only, coverage not read: the account's costs could not be read",
			"537.75 to 561.94", basis,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("the %s report does not say %q", name, want)
			}
		}
		if strings.Contains(out, cost.Discounts) {
			t.Errorf("the %s report says discounts are ignored beside the range", name)
		}
		if name == "HTML" && (!strings.Contains(out, "537.75 to 561.94 USD") || !strings.Contains(out, "estimate from its discount coverage up to list price")) {
			t.Error("the HTML card does not show the range")
		}
	}
}

// When no account's coverage could be read, the figure is the list price, the report
// says that discounts are ignored, and why each account has no range.
func TestSavingsWithoutCoverageSayWhy(t *testing.T) {
	r := sampleReport()
	for i := range r.Accounts {
		if r.Accounts[i].Err == nil {
			r.Accounts[i].Coverage = &cost.Coverage{Err: refused}
		}
	}
	r.Savings.ApplyCoverage(r.Accounts)
	text := strings.Join(strings.Fields(report.Text(r, report.Link{})), " ")
	for _, want := range []string{"Saved by staging: 434 h not priced: Aurora cluster (member classes not recorded); list price only, coverage not read: Cost Explorer GetSavingsPlansCoverage: access denied",
		"Saved by the night shutdowns, 28 Oct–27 Nov 07:00 UTC: 561.94 USD", cost.Discounts} {
		if !strings.Contains(text, want) {
			t.Errorf("the text does not say %q:\n%s", want, text)
		}
	}
}
