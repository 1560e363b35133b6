package report_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// organisationReport is a grouped report of n accounts as Reader.Read returns it: one in
// five production, the accounts after the first quarter found in one of two units, two
// failed, three accounts the map does not know, and savings in every non-production
// account. Amounts vary with the account's index, so that spend and change rank them
// differently.
func organisationReport(n int) *cost.Report {
	p := cost.PeriodsAt(sampleTime)
	r := &cost.Report{Generated: sampleTime, Periods: p, Mode: cost.Grouped, Requests: 4, Planned: 4, Rate: cost.DefaultRate}
	savings := &cost.Savings{Start: p.Chart.Start, End: sampleTime}
	days := float64(p.MonthToDate.Days())
	for i := range n {
		mtd := float64(i*37%101)*10 + 5
		a := cost.Account{Name: fmt.Sprintf("team-%03d", i), ID: fmt.Sprintf("5%011d", i), Production: i%5 == 0,
			Yesterday: usd(mtd / days), MonthToDate: usd(mtd), LastMonth: usd(mtd * (1 + float64(i*13%21-10)/10)),
			ForecastErr: cost.ErrEnvironmentForecast,
			TopServices: []cost.Service{svc("Amazon Elastic Compute Cloud - Compute", mtd*0.6)}}
		if i >= n/4 {
			a.Name = a.ID // found in a unit: named by its id
			a.OU = "ou-ab12-nonprod1"
			if a.Production {
				a.OU = "ou-ab12-producti"
			}
		}
		rr := usd(mtd / days * 30)
		a.RunRate = &rr
		for range p.Chart.Days() {
			a.Daily = append(a.Daily, usd(mtd/days))
		}
		if i == 3 || i == n-2 {
			a = cost.Account{Name: a.Name, ID: a.ID, OU: a.OU, Err: errors.New("add daily costs: cannot add EUR to USD")}
		}
		r.Accounts = append(r.Accounts, a)
		if !a.Production && a.Err == nil {
			savings.Accounts = append(savings.Accounts, cost.AccountSavings{Account: a.Name, Resources: 1 + i%4, Hours: 200 + float64(i%7)*10, Saved: 20 + float64(i*17%50)})
		}
	}
	var prod, nonProd float64
	var nProd, nNonProd int
	for _, a := range r.Accounts {
		switch {
		case a.Err != nil:
		case a.Production:
			prod, nProd = prod+a.MonthToDate.Amount, nProd+1
		default:
			nonProd, nNonProd = nonProd+a.MonthToDate.Amount, nNonProd+1
		}
	}
	fp, fn := usd(prod/days*30*1.01), usd(nonProd/days*30*0.98)
	r.Forecasts = []cost.EnvironmentForecast{{Environment: "production", Accounts: nProd, Forecast: &fp}, {Environment: "non-production", Accounts: nNonProd, Forecast: &fn}}
	other := cost.Account{Name: "other accounts", Yesterday: usd(12), MonthToDate: usd(312), LastMonth: usd(300)}
	r.Other, r.OtherAccounts = &other, 3
	r.Savings = savings
	return r
}

func TestTextOfAnOrganisation(t *testing.T) {
	golden(t, "organisation-24.golden", report.Text(organisationReport(24), report.Link{}))
}

// At 500 accounts the summary stays short: totals per environment and unit, the top
// accounts, the rest in one row.
func TestTextStaysShortAt500Accounts(t *testing.T) {
	const maxLines = 75
	text := report.Text(organisationReport(500), report.Link{})
	if n := strings.Count(text, "\n"); n > maxLines {
		t.Errorf("the summary of 500 accounts has %d lines, want at most %d:\n%s", n, maxLines, text)
	}
	for _, want := range []string{"production (100)", "non-production (398)", "ou-ab12-nonprod1 (299)", "total (498)",
		"top 10 accounts by spend", "top 10 other accounts by change a day", "478 more accounts", "2 accounts failed",
		"other accounts (3)", "388 more accounts"} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary has no %q:\n%s", want, text)
		}
	}
}
