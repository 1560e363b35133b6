package report_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// Whatever the SDK returned, a person reads a short cause and where its detail is, never
// the SDK's text: every error slot of a report holds a real SDK error of each kind, and
// the summary (email and Slack), its subject and the HTML page are read for SDK text.
func TestNoSDKErrorTextReachesAPerson(t *testing.T) {
	for _, c := range causetest.Errors(t) {
		t.Run(c.Name, func(t *testing.T) {
			perAccount := sampleReport()
			perAccount.Accounts[2].Err = fmt.Errorf("read daily costs: %w", c.Err)
			perAccount.Accounts[3].ForecastErr = c.Err
			for i := range perAccount.Accounts {
				perAccount.Accounts[i].Coverage = &cost.Coverage{Err: fmt.Errorf("read Savings Plans coverage: %w", c.Err)}
			}
			perAccount.Savings.ApplyCoverage(perAccount.Accounts)

			grouped := sampleReport()
			grouped.Mode = cost.Grouped
			grouped.Forecasts = []cost.EnvironmentForecast{{Environment: "production", Accounts: 2, Err: c.Err}}
			grouped.Other, grouped.OtherAccounts = &cost.Account{Name: "other", Err: c.Err}, 3

			noHistory := sampleReport()
			noHistory.Savings, noHistory.SavingsErr = nil, fmt.Errorf("list s3://curfew/runs/: %w", c.Err)

			for name, r := range map[string]*cost.Report{"per account": perAccount, "grouped": grouped, "no history": noHistory} {
				text := report.Text(r, report.Link{Err: fmt.Errorf("put s3://curfew/reports/x.html: %w", c.Err)})
				page, err := report.HTML(r)
				if err != nil {
					t.Fatal(err)
				}
				causetest.NoSDKText(t, name+": the summary", text)
				causetest.NoSDKText(t, name+": the subject", report.Subject(r))
				causetest.NoSDKText(t, name+": the HTML page", string(page))
				if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, c.Cause) || !strings.Contains(flat, "detail in curfew-cost-report's log") {
					t.Errorf("%s: the summary does not say %q and where the detail is:\n%s", name, c.Cause, text)
				}
			}
		})
	}
}
