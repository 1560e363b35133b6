package report_test

import (
	"html"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// The sample map's budgets and an unusual day read in a line each, in the text (still
// within a screen) and on the page: over budget by how much, within budget, unchecked and
// why, and the spike with its usual figure.
func TestBudgetAndAnomalyLines(t *testing.T) {
	r := sampleReport()
	r.Budgets = []cost.Budget{
		{Name: "staging", IDs: []string{"222222222222"}, Amount: 1000},
		{Name: "identity", IDs: []string{"111111111111"}, Amount: 100},
		{Name: "sandbox", IDs: []string{"333333333333"}, Amount: 300},
	}
	staging := &r.Accounts[1]
	last := len(staging.Daily) - 1
	staging.Daily[last] = usd(400)
	day := r.Periods.Yesterday.Start
	text := report.Text(r, report.Link{Location: "s3://bucket/key", Console: "https://console"})
	page, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Budget of staging, 1,000.00 a month: forecast over budget by 201.99 (forecast 1,201.99 USD).",
		"Budget of identity, 100.00 a month: within budget (forecast 96.40 USD).",
		"Budget of sandbox, 300.00 a month: not checked: costs not read for sandbox.",
		"Unusual spend: staging 400.00 USD on " + day.Format("Mon 2 Jan") + ", 9.2× its usual " + day.Format("Monday") + " (median 43.40 of 4).",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the text has no %q:\n%s", want, text)
		}
		if !strings.Contains(strings.Join(strings.Fields(html.UnescapeString(string(page))), " "), want) {
			t.Errorf("the page has no %q", want)
		}
	}
	if n := strings.Count(text, "Unusual spend"); n != 1 {
		t.Errorf("%d unusual-spend lines, want staging's alone:\n%s", n, text)
	}
	// The sample map has one budget: its summary stays within a screen.
	r.Budgets = r.Budgets[:1]
	staging.Daily[last] = r.Accounts[1].Daily[last-7]
	if lines := strings.Count(report.Text(r, report.Link{}), "\n"); lines > 40 {
		t.Errorf("the sample's summary with a budget has %d lines, want at most 40", lines)
	}
}

// TestHolidayLines: the report says the swept accounts' next holiday as curfew plan does,
// in the text and on the page, and an owner's slice keeps only the owner's accounts.
func TestHolidayLines(t *testing.T) {
	r := sampleReport()
	r.Holidays = []accounts.HolidayNotice{
		{Accounts: []string{"staging", "sandbox"}, Says: "Tue 2026-12-08 (Europe/Madrid), Inmaculada Concepción, calendar ES (Spain): no scheduled morning start that day"},
	}
	want := "Next holiday of staging, sandbox: Tue 2026-12-08 (Europe/Madrid), Inmaculada Concepción, calendar ES (Spain): no scheduled morning start that day."
	text := report.Text(r, report.Link{})
	if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
		t.Errorf("the text has no %q:\n%s", want, text)
	}
	page, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(html.UnescapeString(string(page))), " "), want) {
		t.Errorf("the page has no %q", want)
	}
	if lines := strings.Count(text, "\n"); lines > 40 {
		t.Errorf("the sample's summary with its holiday line has %d lines, want at most 40", lines)
	}
	owner := accounts.Owner{Email: "staging-team@example.com"}
	for i := range r.Accounts {
		if r.Accounts[i].Name == "staging" {
			r.Accounts[i].Owners = []accounts.Owner{owner}
		}
	}
	slice := report.Text(r.For(owner), report.Link{})
	if flat := strings.Join(strings.Fields(slice), " "); !strings.Contains(flat, "Next holiday of staging: Tue 2026-12-08") || strings.Contains(flat, "sandbox: Tue") {
		t.Errorf("the owner's slice should name staging alone in its holiday line:\n%s", slice)
	}
}
