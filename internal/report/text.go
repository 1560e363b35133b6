// Package report turns a cost.Report into what people read — a plain-text summary, an
// HTML page with charts — and publishes them: SNS for the summary, S3 for the page (with
// a presigned link), and optionally Slack.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/cost"
)

// Link is where the HTML report can be read, and until when; Err says why there is none.
type Link struct {
	// URL is presigned. Signed with temporary credentials (a Lambda's), it stops working
	// when they expire, which may be before Expires: Location stays.
	URL     string
	Expires time.Time
	// Location is the report's s3:// address, for readers with access to the bucket.
	Location string
	Err      error
}

// Subject is the summary's subject line (SNS email subjects take up to 100 characters).
func Subject(r *cost.Report) string {
	s := fmt.Sprintf("curfew cost report %s", r.Periods.Today.Format(time.DateOnly))
	if n := len(r.Failed()); n > 0 {
		s += fmt.Sprintf(" (%s failed)", plural(n, "account"))
	}
	return s
}

// Text renders the plain-text summary: one line per account with the month-to-date
// change against the same days of last month, totals, failed accounts, the shutdown
// savings and the link to the HTML report. Columns line up in a fixed-width font.
func Text(r *cost.Report, link Link) string {
	var b strings.Builder
	p := r.Periods
	cur := currencies(r)
	single := len(cur) <= 1
	fmt.Fprintf(&b, "curfew cost report of %s: costs up to the end of %s (UTC days)",
		r.Generated.UTC().Format("2 Jan 2006 15:04 MST"), p.Yesterday.Start.Format("Mon 2 Jan"))
	if len(cur) == 1 {
		fmt.Fprintf(&b, ", in %s", cur[0])
	}
	b.WriteString("\n\n")

	t := table{right: []bool{false, true, true, true, false, true}}
	forecastHead := "forecast " + p.MonthToDate.Start.Format("Jan")
	t.add("account", "yesterday", "month to date", dayRange(p.LastMonth), "change", forecastHead)
	for _, a := range r.Accounts {
		if a.Err != nil {
			t.add(a.Name, "failed, see below")
			continue
		}
		arrow, pct := change(a.MonthToDate.Amount, a.LastMonth.Amount)
		forecast := "no forecast"
		if a.Forecast != nil {
			forecast = money(*a.Forecast, single)
		}
		t.add(a.Name, money(a.Yesterday, single), money(a.MonthToDate, single), money(a.LastMonth, single),
			arrow+" "+pct, forecast)
	}
	if len(r.Totals()) > 0 {
		t.rule()
	}
	for _, tot := range r.Totals() {
		name := "total"
		if !single {
			name = "total " + tot.Currency
		}
		arrow, pct := change(tot.MonthToDate, tot.LastMonth)
		forecast := totalForecast(tot)
		t.add(name, amount(tot.Yesterday), amount(tot.MonthToDate), amount(tot.LastMonth), arrow+" "+pct, forecast)
	}
	b.WriteString(t.String())
	if p.Forecast.Empty() {
		fmt.Fprintf(&b, "%s is over: its forecast is what it cost.\n", p.MonthToDate.Start.Format("January"))
	}
	for _, tot := range r.Totals() {
		if tot.Forecasts > 0 && tot.ForecastPartial() {
			b.WriteString("* sum of the accounts that have a forecast.\n")
			break
		}
	}
	if failed := r.Failed(); len(failed) > 0 {
		b.WriteString("\nFailed accounts (no figures):\n")
		for _, a := range failed {
			fmt.Fprintf(&b, "- %s (%s): %s\n", a.Name, a.ID, cost.Reason(a.Err))
		}
	}

	b.WriteString("\n")
	writeSavings(&b, r)

	b.WriteString("\n")
	switch {
	case link.URL != "":
		fmt.Fprintf(&b, "Charts, top services and details (link valid until %s at the latest):\n%s\n",
			link.Expires.UTC().Format("2 Jan 2006 15:04 MST"), link.URL)
		if link.Location != "" {
			fmt.Fprintf(&b, "Also stored at %s\n", link.Location)
		}
	case link.Err != nil:
		fmt.Fprintf(&b, "The HTML report could not be stored: %s\n", cost.Reason(link.Err))
	}
	how := "queries per account"
	if r.Mode == cost.Grouped {
		how = "grouped queries in the management account"
	}
	fmt.Fprintf(&b, "Cost Explorer requests for this report: %d (%s).\n", r.Requests, how)
	return b.String()
}

func writeSavings(b *strings.Builder, r *cost.Report) {
	if r.SavingsErr != nil {
		fmt.Fprintf(b, "Night shutdown savings: the run history could not be read: %s\n", cost.Reason(r.SavingsErr))
		return
	}
	s := r.Savings
	if s == nil {
		return
	}
	fmt.Fprintf(b, "Night shutdown savings, %s to %s (estimate, %s):\n",
		s.Start.UTC().Format("2 Jan"), s.End.UTC().Format("2 Jan 15:04 MST"), cost.PriceCurrency)
	if len(s.Accounts) == 0 {
		b.WriteString("nothing was stopped by curfew in this period.\n")
	}
	t := table{right: []bool{false, true, true, true, false}}
	var hours float64
	for _, a := range s.Accounts {
		hours += a.Hours
		unpriced := ""
		if a.UnpricedHours > 0 {
			unpriced = fmt.Sprintf("(%.0f h not priced: %s)", a.UnpricedHours, strings.Join(a.Unpriced, ", "))
		}
		t.add(a.Account, plural(a.Resources, "resource"), fmt.Sprintf("%.0f h stopped", a.Hours), amount(a.Saved), unpriced)
	}
	if len(s.Accounts) > 1 {
		t.add("total", "", fmt.Sprintf("%.0f h stopped", hours), amount(s.Total()), "")
	}
	b.WriteString(t.String())
	b.WriteString(wrap("Based on "+cost.PriceBasis+".", 78))
	if s.Unmatched > 0 {
		what := "stops or starts"
		if s.Unmatched == 1 {
			what = "stop or start"
		}
		fmt.Fprintf(b, "Not counted: %d %s with no counterpart in the run history.\n", s.Unmatched, what)
	}
}

// totalForecast is the sum of the forecasts, starred when some account has none.
func totalForecast(t cost.Totals) string {
	switch {
	case t.Forecasts == 0:
		return "no forecast"
	case t.ForecastPartial():
		return amount(t.Forecast) + "*"
	}
	return amount(t.Forecast)
}
