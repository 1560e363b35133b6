package report_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
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
	link := report.Link{URL: "https://curfew-reports.s3.eu-west-1.amazonaws.com/reports/2026/11/27/cost-20261127T070000Z.html?X-Amz-Signature=abc",
		Expires: sampleTime.Add(7 * 24 * time.Hour), Location: "s3://curfew-reports/reports/2026/11/27/cost-20261127T070000Z.html"}
	firstOfMonth := sampleReport()
	firstOfMonth.Generated = time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	firstOfMonth.Periods = cost.PeriodsAt(firstOfMonth.Generated)
	firstOfMonth.Savings = &cost.Savings{Start: firstOfMonth.Periods.Chart.Start, End: firstOfMonth.Generated}
	mixed := sampleReport()
	mixed.Accounts[1].Yesterday.Currency, mixed.Accounts[1].MonthToDate.Currency = "EUR", "EUR"
	mixed.Accounts[1].LastMonth.Currency, mixed.Accounts[1].Forecast.Currency = "EUR", "EUR"
	noHistory := sampleReport()
	noHistory.Savings, noHistory.SavingsErr = nil, os.ErrPermission
	tests := []struct {
		name   string
		report *cost.Report
		link   report.Link
	}{
		{"summary.golden", sampleReport(), link},
		{"first-of-month.golden", firstOfMonth, link},
		{"mixed-currencies.golden", mixed, link},
		{"no-history-no-link.golden", noHistory, report.Link{Err: os.ErrPermission}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, report.Text(tt.report, tt.link))
		})
	}
}
