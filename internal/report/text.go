// Package report turns a cost.Report into what people read — a plain-text summary, an
// HTML page with charts — and publishes them: SNS for the summary, S3 for the page (named
// by its s3:// address and console URL, no presigned link), and optionally Slack.
package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/cost"
)

// Link is where the HTML report can be read; Err says why there is none. Both addresses
// work for whoever may read the bucket's reports/ (ReadersNote), as long as the report is
// kept, and for nobody else.
type Link struct {
	// Location is the report's s3:// address, for the CLI.
	Location string
	// Console is the report's page in the S3 console.
	Console string
	Err     error
}

// ReadersNote says who may open the HTML report (the operators through curfew-operator,
// or CurfewOperator with Identity Center, and the home account's administrators; see
// cdk.grantReportReading): the text never promises a link that works for anyone, or for
// a time.
const ReadersNote = "sign in to the home account as an operator (curfew-operator or CurfewOperator) or an administrator"

// inLog says where the detail of a problem is: the cost report's log has each error
// whole; what a person reads names only its cause (package cause).
const inLog = "detail in " + accounts.CostReportFunction + "'s log"

// maxSubject is one less than SNS's limit on email subjects (under 100 characters).
const maxSubject = 99

// Subject is the summary's subject line, with the headline figures: the month to date
// and its change, yesterday (or the last 7 days in a weekly report), the savings and the
// failed accounts, as many as fit. SNS takes ASCII only, under 100 characters.
func Subject(r *cost.Report) string {
	p := r.Periods
	head := "curfew cost " + p.Yesterday.Start.Format("2 Jan")
	var parts []string
	if t := r.Totals(); len(t) == 1 {
		tot := t[0]
		c, ok := cost.Change(tot.MonthToDate, p.MonthToDate, tot.LastMonth, p.LastMonth)
		pct := "new"
		if ok {
			pct = fmt.Sprintf("%+.1f%%", c*100)
			if math.Abs(c) < 0.0005 {
				pct = "= 0.0%"
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s MTD (%s)", amount(tot.MonthToDate), tot.Currency, pct))
		if r.Weekly {
			parts = append(parts, amount(tot.Week)+" last 7 days")
		} else {
			parts = append(parts, amount(tot.Yesterday)+" yesterday")
		}
	} else if len(t) > 1 {
		parts = append(parts, fmt.Sprintf("in %d currencies", len(t)))
	}
	if r.Savings != nil {
		parts = append(parts, totalRange(r.Savings)+" saved")
	}
	if n := len(r.Failed()); n > 0 {
		parts = append(parts, plural(n, "account")+" failed")
	}
	// Drop figures from the middle until it fits; the failures are kept to the last.
	for {
		s := head
		if len(parts) > 0 {
			s += ": " + strings.Join(parts, ", ")
		}
		if len(s) <= maxSubject || len(parts) == 0 {
			return asciiOnly(s)
		}
		parts = slices.Delete(parts, max(0, len(parts)-2), len(parts)-1)
	}
}

// asciiOnly replaces what SNS refuses in a subject.
func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// Text renders the plain-text summary: one line per account with the month-to-date
// change against the same days of last month (and, in a weekly report, the last 7 days
// against the 7 before), totals, forecasts and why any is missing, failed accounts, the
// run history's health, the shutdown savings and the link to the HTML report. Columns
// line up in a fixed-width font.
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
	fmt.Fprintf(&b, "\nMetric: %s.\n\n", r.Metric)

	cols := columns(r)
	if len(r.Accounts) > listAll {
		b.WriteString(summaryTable(r, cols, single))
	} else {
		b.WriteString(accountTable(r, cols, single))
	}
	for _, n := range notes(r) {
		b.WriteString(wrap(n, 78))
	}
	if failed := r.Failed(); len(failed) > 0 {
		b.WriteString("\nFailed accounts (no figures; " + inLog + "):\n")
		for _, a := range failed[:min(len(failed), listAll)] {
			fmt.Fprintf(&b, "- %s (%s): %s\n", a.Name, a.ID, cause.Of(a.Err))
		}
		if len(failed) > listAll {
			fmt.Fprintf(&b, "- and %d more, each with its reason in the HTML report\n", len(failed)-listAll)
		}
	}

	b.WriteString("\n")
	writeSavings(&b, r)
	for _, line := range historyHealth(r.History) {
		if strings.HasPrefix(line, "- ") { // an object's key and error, whole
			b.WriteString(line + "\n")
			continue
		}
		b.WriteString(wrap(line, 78))
	}

	b.WriteString("\n")
	switch {
	case link.Location != "":
		b.WriteString(wrap("Charts, top services and details ("+ReadersNote+"):", 78))
		fmt.Fprintf(&b, "%s\n", link.Console)
		fmt.Fprintf(&b, "or: aws s3 cp %s report.html\n", link.Location)
	case link.Err != nil:
		fmt.Fprintf(&b, "The HTML report could not be stored: %s (%s).\n", cause.Of(link.Err), inLog)
	}
	fmt.Fprintf(&b, "Cost Explorer requests for this report: %d (%s).\n", r.Requests, how(r))
	return b.String()
}

// accountTable is the cost table of a small organisation: every account, the totals and
// the spend of accounts the map does not know.
func accountTable(r *cost.Report, cols layout, single bool) string {
	t := table{right: cols.right}
	t.add(cols.head...)
	for _, a := range r.Accounts {
		if a.Err != nil {
			t.add(a.Name, "failed, see below")
			continue
		}
		t.add(cols.account(a, single)...)
	}
	if len(r.Totals()) > 0 {
		t.rule()
	}
	for _, tot := range r.Totals() {
		name := "total"
		if !single {
			name = "total " + tot.Currency
		}
		t.add(cols.total(name, tot)...)
	}
	if row := otherRow(r, cols, single); row != nil {
		t.add(row...)
	}
	return t.String()
}

func how(r *cost.Report) string {
	s := "queries per account"
	if r.Mode == cost.Grouped {
		s = "grouped queries in the management account"
	}
	if r.Planned > 0 {
		s += fmt.Sprintf(", %d planned, paced at %g a second", r.Planned, r.Rate)
	}
	return s
}

// runRateMark marks a run-rate standing in for a missing forecast.
const runRateMark = "*"

// layout is the cost table's columns, the same in the text and the HTML: a weekly report
// compares the last 7 days with the 7 before where a daily one shows yesterday.
type layout struct {
	head  []string
	right []bool
	p     cost.Periods
	week  bool
}

func columns(r *cost.Report) layout {
	p := r.Periods
	l := layout{p: p, week: r.Weekly}
	l.head = []string{"account"}
	if r.Weekly {
		l.head = append(l.head, dayRange(p.Week), dayRange(p.PreviousWeek), "change")
	} else {
		l.head = append(l.head, "yesterday")
	}
	l.head = append(l.head, dayRange(p.MonthToDate), dayRange(p.LastMonth), "change", "forecast "+p.MonthToDate.Start.Format("Jan"))
	l.right = make([]bool, len(l.head))
	for i := 1; i < len(l.right); i++ {
		l.right[i] = true
	}
	return l
}

func (l layout) account(a cost.Account, single bool) []string {
	row := []string{a.Name}
	if l.week {
		arrow, pct := change(a.Week.Amount, l.p.Week, a.PreviousWeek.Amount, l.p.PreviousWeek)
		row = append(row, money(a.Week, single), money(a.PreviousWeek, single), arrow+" "+pct)
	} else {
		row = append(row, money(a.Yesterday, single))
	}
	arrow, pct := change(a.MonthToDate.Amount, l.p.MonthToDate, a.LastMonth.Amount, l.p.LastMonth)
	return append(row, money(a.MonthToDate, single), money(a.LastMonth, single), arrow+" "+pct, forecastCell(a, single))
}

func (l layout) total(name string, t cost.Totals) []string {
	row := []string{name}
	if l.week {
		arrow, pct := change(t.Week, l.p.Week, t.PreviousWeek, l.p.PreviousWeek)
		row = append(row, amount(t.Week), amount(t.PreviousWeek), arrow+" "+pct)
	} else {
		row = append(row, amount(t.Yesterday))
	}
	arrow, pct := change(t.MonthToDate, l.p.MonthToDate, t.LastMonth, l.p.LastMonth)
	return append(row, amount(t.MonthToDate), amount(t.LastMonth), arrow+" "+pct, totalForecast(t))
}

// forecastCell is an account's forecast, or its run-rate marked as one.
func forecastCell(a cost.Account, single bool) string {
	switch {
	case a.Forecast != nil:
		return money(*a.Forecast, single)
	case a.RunRate != nil:
		return money(*a.RunRate, single) + " " + runRateMark
	}
	return "no forecast"
}

// totalForecast is the sum of the forecasts, marked when it includes a run-rate.
func totalForecast(t cost.Totals) string {
	if t.RunRated() {
		return amount(t.Forecast) + " " + runRateMark
	}
	return amount(t.Forecast)
}

// notes explain the cost table: what the changes compare, the forecasts that are missing
// and why, and the accounts left out of the totals.
func notes(r *cost.Report) []string {
	p := r.Periods
	var out []string
	if r.Weekly {
		out = append(out, "Changes compare "+comparison(p.Week, p.PreviousWeek)+", and "+comparison(p.MonthToDate, p.LastMonth)+".")
	} else {
		out = append(out, "Change: "+comparison(p.MonthToDate, p.LastMonth)+".")
	}
	if p.Forecast.Empty() {
		out = append(out, p.MonthToDate.Start.Format("January")+" is over: its forecast is what it cost.")
	}
	if slices.ContainsFunc(r.Accounts, func(a cost.Account) bool { return a.Err == nil && a.Forecast == nil && a.RunRate != nil }) {
		out = append(out, fmt.Sprintf("%s run-rate, not a forecast: the month to date plus its daily average for each of the %s left; a total marked %s includes run-rates.",
			runRateMark, plural(p.Forecast.Days(), "day"), runRateMark))
	}
	out = append(out, forecastNotes(r)...)
	var failed []string
	for _, a := range r.Failed() {
		failed = append(failed, a.Name)
	}
	if len(failed) > 0 && len(failed) < len(r.Accounts) {
		out = append(out, "Totals leave out "+names(failed)+" (failed).")
	}
	if n := otherNote(r); n != "" {
		out = append(out, n)
	}
	out = append(out, r.Notes...)
	return out
}

// historyHealth describes what the run history held, so that an empty history can be
// told from one whose writer has been failing, and names each object skipped.
func historyHealth(h *cost.HistoryHealth) []string {
	if h == nil {
		return nil
	}
	head := "Run history since " + h.Since.UTC().Format("2 Jan") + ": "
	var out []string
	if h.Runs == 0 {
		out = append(out, head+"no run at all. If curfew's schedule ran in that time, the shutdown and restart are not writing their history: check their logs.")
	} else {
		out = append(out, fmt.Sprintf("%s%s (%s, %s), the latest %s.", head, plural(h.Runs, "run"),
			plural(h.Shutdowns, "shutdown"), plural(h.Restarts, "restart"), h.Latest.UTC().Format("2 Jan 15:04 MST")))
	}
	if n := len(h.Unreadable); n > 0 {
		out = append(out, fmt.Sprintf("%s skipped, missing from the savings:", plural(n, "unreadable object")))
		for _, u := range h.Unreadable {
			out = append(out, fmt.Sprintf("- %s: %s", u.Key, u.Reason))
		}
	}
	return out
}

func writeSavings(b *strings.Builder, r *cost.Report) {
	if r.SavingsErr != nil {
		fmt.Fprintf(b, "Night shutdown savings: the run history could not be read: %s (%s).\n", cause.Of(r.SavingsErr), inLog)
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
	}
	shown, rest := topSavings(s.Accounts)
	for _, a := range shown {
		unpriced := ""
		if a.UnpricedHours > 0 {
			unpriced = fmt.Sprintf("%.0f h not priced: %s", a.UnpricedHours, strings.Join(a.Unpriced, ", "))
		}
		notes := joinNotes(unpriced, coverageNote(s, a))
		if notes != "" {
			notes = "(" + notes + ")"
		}
		t.add(a.Account, plural(a.Resources, "resource"), fmt.Sprintf("%.0f h stopped", a.Hours), savedRange(a), notes)
	}
	if rest.Account != "" {
		t.add(rest.Account, plural(rest.Resources, "resource"), fmt.Sprintf("%.0f h stopped", rest.Hours), savedRange(rest), "")
	}
	if len(s.Accounts) > 1 {
		t.add("total", "", fmt.Sprintf("%.0f h stopped", hours), totalRange(s), "")
	}
	b.WriteString(t.String())
	b.WriteString(wrap("Based on "+s.Basis()+".", 78))
	for _, line := range []string{savingsEnds(s), savingsUnmatched(s), savingsPriceSources(s), savingsOffBasis(s)} {
		if line != "" {
			b.WriteString(wrap(line, 78))
		}
	}
	writeKept(b, s)
}
