package report_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/report"
)

// organisationReport is a grouped report of n accounts as Reader.Read returns it: one in
// five production, the accounts after the first quarter found in one of two units, two
// failed, three accounts the map does not know, and savings in every non-production
// account. Amounts vary with the account's index, so that spend and change rank them
// differently.
func organisationReport(n int) *cost.Report {
	p := cost.PeriodsAt(sampleTime)
	r := &cost.Report{Generated: sampleTime, Periods: p, Mode: cost.Grouped, Requests: 4, Planned: 4, Rate: cost.DefaultRate,
		Metric: cost.MetricOf(accounts.CostReport{Metric: accounts.MetricNetAmortized})}
	savings := cost.EstimateWith(context.Background(), nil, p.Chart.Start, sampleTime, costtest.Table())
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
			saved := 20 + float64(i*17%50)
			daily := make([]float64, len(savings.Days()))
			for d := range daily {
				daily[d] = saved / float64(len(daily))
			}
			savings.Accounts = append(savings.Accounts, cost.AccountSavings{Account: a.Name, Resources: 1 + i%4, Hours: 200 + float64(i%7)*10, Saved: saved, Daily: daily})
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
		"other accounts (3)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary has no %q:\n%s", want, text)
		}
	}
}

// The page of 500 accounts keeps every account in its table, which Chromium finds and
// sorts with the page's own script; it draws a panel per environment instead of one per
// account, and the savings of the ten accounts that saved most.
func TestHTMLOf500AccountsFindsAndSorts(t *testing.T) {
	html, err := report.HTML(organisationReport(500))
	if err != nil {
		t.Fatal(err)
	}
	// What a person does: sort by the month to date, then look for a production unit.
	act := `<script>
document.querySelectorAll("#accounts thead th")[2].click();
var find = document.getElementById("find");
find.value = "ou-ab12-producti";
find.dispatchEvent(new Event("input"));
</script></body>`
	page := filepath.Join(outputDir(t), "organisation.html")
	if err := os.WriteFile(page, []byte(strings.Replace(string(html), "</body>", act, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(headless(t, page, "--dump-dom"))

	body := dom[strings.Index(dom, "<tbody>"):strings.Index(dom, "</tbody>")]
	if n := strings.Count(body, "<tr"); n != 500 {
		t.Errorf("the table has %d account rows, want all 500", n)
	}
	// Ascending month to date: 5.00 is the least, team-000 the first account with it.
	first := body[:strings.Index(body, "</tr>")]
	if !strings.Contains(first, "team-000") || !strings.Contains(dom, `aria-sort="ascending">1–26 Nov`) {
		t.Errorf("after sorting by the month to date the first row is %s", first)
	}
	// 75 production accounts were found in ou-ab12-producti; the other 425 rows are hidden.
	if n := strings.Count(body, "<tr hidden"); n != 425 {
		t.Errorf("finding ou-ab12-producti hides %d rows, want 425", n)
	}
	if n := strings.Count(dom, "<svg"); n != 2+10 {
		t.Errorf("%d charts, want 2 environments and the 10 accounts that saved most", n)
	}
	for _, want := range []string{"production (100 accounts)", "non-production (398 accounts)", "other accounts (3)",
		"The 10 costliest accounts this month.", "Charts of the 10 accounts that saved most; the table lists all 398."} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page has no %q", want)
		}
	}
}
