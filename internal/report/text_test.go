package report_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestText(t *testing.T) {
	key := "reports/2026/11/27/cost-20261127T070000Z.html"
	link := report.Link{Location: "s3://curfew-reports/" + key, Console: report.ConsoleURL("eu-west-1", "curfew-reports", key)}
	firstOfMonth := sampleReport()
	firstOfMonth.Generated = time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	firstOfMonth.Periods = cost.PeriodsAt(firstOfMonth.Generated)
	firstOfMonth.Savings = cost.EstimateWith(context.Background(), nil, firstOfMonth.Periods.Chart.Start, firstOfMonth.Generated, costtest.Table())
	// Once the month is over, Reader gives every account its month's cost as forecast.
	for i := range firstOfMonth.Accounts {
		a := &firstOfMonth.Accounts[i]
		if a.Err == nil {
			a.Forecast, a.ForecastErr, a.RunRate = &a.MonthToDate, nil, nil
		}
	}
	noHistory := sampleReport()
	noHistory.Savings, noHistory.SavingsErr = nil, os.ErrPermission
	tests := []struct {
		name   string
		report *cost.Report
		link   report.Link
	}{
		{"summary.golden", sampleReport(), link},
		{"first-of-month.golden", firstOfMonth, link},
		{"weekly.golden", weeklyReport(), link},
		{"mixed-currencies.golden", mixedCurrencies(), link},
		{"no-history-no-link.golden", noHistory, report.Link{Err: os.ErrPermission}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, report.Text(tt.report, tt.link))
		})
	}
}

// A flat spend shows no change in the summary on the 1st after a 31-day month, on the
// 31st after February (leap or not), and on the 1st after a leap February; the day counts
// are shown.
func TestFlatSpendShowsNoChangeInTheSummary(t *testing.T) {
	tests := []struct {
		now  time.Time
		note string
	}{
		{time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC), "the daily average of 1–31 Oct (31 days) against that of 1–30 Sep (30 days)"},
		{time.Date(2026, 3, 31, 7, 0, 0, 0, time.UTC), "the daily average of 1–30 Mar (30 days) against that of 1–28 Feb (28 days)"},
		{time.Date(2028, 3, 31, 7, 0, 0, 0, time.UTC), "the daily average of 1–30 Mar (30 days) against that of 1–29 Feb (29 days)"},
		{time.Date(2028, 3, 1, 7, 0, 0, 0, time.UTC), "Spent in February (1–29 Feb): 362.50 USD (= 0.0% against 1–29 Jan, 29 days each)"},
		{time.Date(2026, 12, 31, 7, 0, 0, 0, time.UTC), "1–30 Dec: 375.00 USD (= 0.0% against 1–30 Nov, 30 days each)"},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.DateOnly), func(t *testing.T) {
			p := cost.PeriodsAt(tt.now)
			const perDay = 12.5
			flat := func(r cost.Range) cost.Money { return usd(perDay * float64(r.Days())) }
			r := &cost.Report{Generated: tt.now, Periods: p, Weekly: true, Accounts: []cost.Account{{
				Name: "staging", ID: "222222222222", Yesterday: usd(perDay), MonthToDate: flat(p.MonthToDate),
				LastMonth: flat(p.LastMonth), Week: flat(p.Week), PreviousWeek: flat(p.PreviousWeek), Forecast: &cost.Money{Amount: 400, Currency: "USD"}}}}
			text := report.Text(r, report.Link{})
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, "staging") || strings.HasPrefix(line, "total") {
					if strings.Count(line, "= 0.0%") != 2 || strings.ContainsAny(line, "▲▼") {
						t.Errorf("a flat spend shows a change:\n%s", line)
					}
				}
			}
			if !strings.Contains(strings.Join(strings.Fields(text), " "), tt.note) {
				t.Errorf("the summary does not say %q:\n%s", tt.note, text)
			}
		})
	}
}

// The subject carries the headline figures with their window, currency and whether Cost
// Explorer still estimates them, in ASCII (SNS refuses anything else) and under SNS's 100
// characters, dropping words rather than figures, and rather than failing.
func TestSubject(t *testing.T) {
	estimated := sampleReport()
	estimated.Accounts[0].Estimated = true
	huge := sampleReport()
	for i := range huge.Accounts {
		huge.Accounts[i].MonthToDate.Amount *= 1e9
	}
	org := organisationReport(500)
	org.Accounts[7].Estimated = true
	tests := []struct {
		name   string
		report *cost.Report
		want   string
	}{
		{"daily", sampleReport(), "curfew 1-26 Nov: 6,426.39 USD (+0.5%); saved 561.94 USD in 30 days; 1 account failed"},
		// The last 7 days do not fit beside the rest: they are the first to go.
		{"weekly", weeklyReport(), "curfew 1-26 Nov: 6,426.39 USD (+0.5%); saved 561.94 USD in 30 days; 1 account failed"},
		// At 500 accounts the change goes, the figures stay.
		{"500 accounts", org, "curfew 1-26 Nov: 251,920.00 USD, estimated; saved 17,943.00 USD in 30 days; 2 accounts failed"},
		{"estimated", estimated, "curfew 1-26 Nov: 6,426.39 USD (+0.5%), estimated; saved 561.94 USD in 30 days; 1 account failed"},
		{"two currencies", mixedCurrencies(), "curfew 1-26 Nov: costs in 2 currencies; saved 561.94 USD in 30 days; 1 account failed"},
		{"too long", huge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.Subject(tt.report)
			if tt.want != "" && got != tt.want {
				t.Errorf("Subject = %q, want %q", got, tt.want)
			}
			if len(got) >= 100 || strings.IndexFunc(got, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
				t.Errorf("Subject = %q (%d bytes): SNS takes printable ASCII under 100 characters", got, len(got))
			}
			if !strings.HasPrefix(got, "curfew 1-26 Nov: ") || !strings.Contains(got, " USD") || !strings.Contains(got, "; saved ") ||
				!strings.HasSuffix(got, " failed") {
				t.Errorf("Subject = %q lost its window, currency, savings or the failure", got)
			}
			if tt.report.Estimated() && !strings.Contains(got, ", est") {
				t.Errorf("Subject = %q does not say the figures are estimated", got)
			}
		})
	}
}
