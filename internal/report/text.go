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

// Subject is the summary's subject line, with the headline figures and what they rest
// on: what was spent over which days, in which currency, whether Cost Explorer still
// estimates it, and its change; what the night shutdowns saved, in which currency and
// over how many days; the failed accounts. SNS takes ASCII only, under 100 characters:
// the change goes first, then the weekly figure, then words, never the figures.
func Subject(r *cost.Report) string {
	p := r.Periods
	head := "curfew " + asciiOnly(strings.ReplaceAll(dayRange(p.MonthToDate), "–", "-"))
	if r.Owner != nil {
		head = fmt.Sprintf("curfew, your %s, %s", plural(len(r.Accounts), "account"), head[len("curfew "):])
	}
	estimated := ""
	if r.Estimated() {
		estimated = ", estimated"
	}
	var spent, pct, week string
	switch t := r.Totals(); {
	case len(t) == 1:
		tot := t[0]
		spent = fmt.Sprintf("%s %s", amount(tot.MonthToDate), tot.Currency)
		pct = "new"
		if c, ok := cost.Change(tot.MonthToDate, p.MonthToDate, tot.LastMonth, p.LastMonth); ok {
			pct = fmt.Sprintf("%+.1f%%", c*100)
			if math.Abs(c) < 0.0005 {
				pct = "= 0.0%"
			}
		}
		if r.Weekly {
			week = fmt.Sprintf(", 7 days %s", amount(tot.Week))
		}
	case len(t) > 1:
		spent = fmt.Sprintf("costs in %d currencies", len(t))
	default:
		spent = "no costs"
	}
	saved := ""
	switch s := r.Savings; {
	case r.SavingsErr != nil:
		saved = "; savings not read"
	case s != nil && len(s.Accounts) > 0:
		days := int(math.Round(s.End.Sub(s.Start).Hours() / 24))
		saved = fmt.Sprintf("; saved %s %s in %d days", strings.ReplaceAll(totalRange(s), " to ", "-"), cost.PriceCurrency, days)
	}
	failed, short := "", ""
	if n := len(r.Failed()); n > 0 {
		failed, short = "; "+plural(n, "account")+" failed", fmt.Sprintf("; %d failed", n)
	}
	withChange := func(c string) string {
		if c == "" {
			return ""
		}
		return " (" + c + ")"
	}
	for _, v := range []string{
		head + ": " + spent + withChange(pct) + estimated + week + saved + failed,
		head + ": " + spent + withChange(pct) + estimated + saved + failed,
		head + ": " + spent + estimated + saved + failed,
		head + ": " + spent + estimated + saved + short,
		head + ": " + spent + strings.Replace(estimated, "estimated", "est.", 1) + saved + short,
	} {
		if len(v) <= maxSubject {
			return asciiOnly(v)
		}
	}
	return asciiOnly(head + ": " + spent + saved + short)[:maxSubject]
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

// Text renders the plain-text summary for a reader with a minute: the headline figures,
// each with its window, currency and basis in a few words; one table of the accounts
// (their costs, forecast and savings); numbered footnotes only where they change how a
// figure reads; what else the run found in a few lines; the link to the HTML page, whose
// "how this is computed" holds the full basis. Columns line up in a fixed-width font.
func Text(r *cost.Report, link Link) string {
	var b strings.Builder
	var fn footnotes
	cur := currencies(r)
	single := len(cur) <= 1
	fmt.Fprintf(&b, "curfew cost report, %s", r.Generated.UTC().Format("Mon 2 Jan 2006 15:04 MST"))
	if len(cur) == 1 {
		fmt.Fprintf(&b, ", in %s", cur[0])
	}
	b.WriteString("\n\n")
	if l := ownerLine(r); l != "" {
		b.WriteString(wrap(l, textWidth))
	}
	for _, line := range headline(r, &fn) {
		b.WriteString(wrap(line, textWidth))
	}
	b.WriteString("\n")

	cols := columns(r)
	if len(r.Accounts) > listAll {
		b.WriteString(summaryTable(r, cols, single, &fn))
	} else {
		b.WriteString(accountTable(r, cols, single, &fn))
	}
	b.WriteString(fn.String())

	// What else the run found, a line each, after a blank line when there is any.
	also := append(budgetLines(r), anomalyLines(r)...)
	also = append(also, holidayLines(r)...)
	if s := r.Savings; s != nil {
		also = append(also, keptLine(s))
	}
	also = append(also, r.Notes...)
	also = append(also, historyHealth(r.History)...)
	also = slices.DeleteFunc(also, func(l string) bool { return l == "" })
	if len(also) > 0 {
		b.WriteString("\n")
	}
	for _, line := range also {
		if strings.HasPrefix(line, "- ") { // an object's key and error, whole
			b.WriteString(line + "\n")
			continue
		}
		b.WriteString(wrap(line, textWidth))
	}

	b.WriteString("\n")
	switch {
	case link.Location != "":
		b.WriteString(wrap("Charts, services, every account and how each figure is computed ("+ReadersNote+"):", textWidth))
		fmt.Fprintf(&b, "%s\n", link.Console)
		fmt.Fprintf(&b, "or: aws s3 cp %s report.html\n", link.Location)
	case link.Err != nil:
		fmt.Fprintf(&b, "The HTML report could not be stored: %s (%s).\n", cause.Of(link.Err), inLog)
	}
	b.WriteString(wrap(requestsLine(r), textWidth))
	return b.String()
}

// textWidth is the width the summary's prose wraps at; tables may run a little wider.
const textWidth = 96

// footnotes are the text's numbered notes, in the order their marks appear.
type footnotes struct{ notes []string }

// mark adds a note and returns its mark, " [n]"; the same note gets the same mark.
func (f *footnotes) mark(note string) string {
	i := slices.Index(f.notes, note)
	if i < 0 {
		f.notes = append(f.notes, note)
		i = len(f.notes) - 1
	}
	return fmt.Sprintf(" [%d]", i+1)
}

func (f *footnotes) String() string {
	if len(f.notes) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	for i, n := range f.notes {
		head := fmt.Sprintf("[%d] ", i+1)
		lines := strings.Split(strings.TrimSuffix(wrap(n, textWidth-len(head)), "\n"), "\n")
		for j, l := range lines {
			if j > 0 {
				head = strings.Repeat(" ", len(head))
			}
			b.WriteString(head + l + "\n")
		}
	}
	return b.String()
}

// estimatedNote says what Cost Explorer's Estimated flag means for the figures.
const estimatedNote = "Estimated: Cost Explorer marks some of these days' costs as estimated; they can change until AWS finalises the month's bill."

// firstDayNote says why the 1st of a month reads high: the figures include tax.
const firstDayNote = "The 1st of a month carries charges AWS books once a month (tax on the month before, monthly fees, " +
	"upfront reservation payments under unblended cost), so it reads higher than other days."

// against says, after a change, what it compares in the fewest words: " against 1–26 Oct,
// 26 days each", or the daily averages when the day counts differ.
func against(current, previous cost.Range) string {
	if current.Days() == previous.Days() {
		return fmt.Sprintf(" against %s, %s each", dayRange(previous), plural(previous.Days(), "day"))
	}
	return ": " + comparison(current, previous)
}

// headline is the summary's first lines: what was spent, over which days, and how it
// changed; the forecast (or, once the month is over, that it is); what the night
// shutdowns saved, over which days and on what basis; how cost is measured.
func headline(r *cost.Report, fn *footnotes) []string {
	p := r.Periods
	var out []string
	estimated := ""
	if r.Estimated() {
		estimated = ", estimated" + fn.mark(estimatedNote)
	}
	month := p.MonthToDate.Start.Format("January")
	spent := "Spent " + dayRange(p.MonthToDate)
	if p.Forecast.Empty() {
		spent = "Spent in " + month + " (" + dayRange(p.MonthToDate) + ")"
	}
	switch t := r.Totals(); {
	case len(t) == 1:
		tot := t[0]
		arrow, pct := change(tot.MonthToDate, p.MonthToDate, tot.LastMonth, p.LastMonth)
		line := fmt.Sprintf("%s: %s %s%s (%s %s%s)", spent, amount(tot.MonthToDate), tot.Currency, estimated,
			arrow, pct, against(p.MonthToDate, p.LastMonth))
		if r.Weekly {
			arrow, pct := change(tot.Week, p.Week, tot.PreviousWeek, p.PreviousWeek)
			out = append(out, line+".", fmt.Sprintf("Last 7 days: %s %s (%s %s%s).", amount(tot.Week), tot.Currency, arrow, pct, against(p.Week, p.PreviousWeek)))
		} else {
			first := ""
			if p.Yesterday.Start.Day() == 1 {
				first = fn.mark(firstDayNote)
			}
			out = append(out, line+".", fmt.Sprintf("Yesterday, %s: %s %s%s.", p.Yesterday.Start.Format("Mon 2 Jan"), amount(tot.Yesterday), tot.Currency, first))
		}
		if !p.Forecast.Empty() {
			f := fmt.Sprintf("Forecast for %s: %s %s", month, amount(tot.Forecast), tot.Currency)
			if tot.RunRated() {
				f += " " + runRateMark + ", partly run-rate"
			}
			if n := forecastNote(r); n != "" {
				f += fn.mark(n)
			}
			out = append(out, f+".")
		}
	case len(t) > 1:
		out = append(out, fmt.Sprintf("%s: in %d currencies%s, each totalled in the table.", spent, len(t), estimated))
	default:
		out = append(out, spent+": no account reported costs.")
	}
	if sl := savingsHeadline(r, fn); sl != "" {
		out = append(out, sl)
	}
	out = append(out, "Metric: "+r.Metric.String()+"; UTC days.")
	return out
}

// savingsHeadline is the savings' headline: their window and total and, in a footnote,
// what they rest on in a sentence.
func savingsHeadline(r *cost.Report, fn *footnotes) string {
	if r.SavingsErr != nil {
		return fmt.Sprintf("Night shutdown savings: the run history could not be read: %s (%s).", cause.Of(r.SavingsErr), inLog)
	}
	s := r.Savings
	if s == nil {
		return ""
	}
	window := savingsWindow(s)
	if len(s.Accounts) == 0 {
		return "Saved by the night shutdowns, " + window + ": nothing was stopped by curfew."
	}
	return fmt.Sprintf("Saved by the night shutdowns, %s: %s %s, an estimate%s.", window, totalRange(s), cost.PriceCurrency, fn.mark(savingsBasisNote(s)))
}

// savingsWindow is the days the savings cover.
func savingsWindow(s *cost.Savings) string {
	return s.Start.UTC().Format("2 Jan") + "–" + s.End.UTC().Format("2 Jan 15:04 MST")
}

// savingsBasisNote is what the savings rest on in a few sentences: list prices, and
// discounts ignored or the range down to coverage; the hours not counted or priced from
// another row. The HTML's "how this is computed" has the whole basis.
func savingsBasisNote(s *cost.Savings) string {
	note := "Savings: hours stopped × on-demand list price in " + cost.PriceCurrency + ", compute only. "
	if s.Ranged() {
		note += "A range: the low end takes off each account's Savings Plans and Reserved Instances coverage (Cost Explorer, last 30 days), assuming a covered hour saved nothing."
	} else {
		note += cost.Discounts + "."
	}
	for _, line := range []string{savingsOffBasis(s), savingsUnmatched(s)} {
		if line != "" {
			note += " " + line
		}
	}
	return note
}

// keptLine is what the shutdowns left running, in one line; the HTML has it by account
// and reason. Empty when they left nothing running.
func keptLine(s *cost.Savings) string {
	var priced, hours, unstoppable float64
	accounts := map[string]bool{}
	for _, k := range s.Kept {
		accounts[k.Account] = true
		if k.Unstoppable {
			unstoppable += k.Hours
			continue
		}
		priced += k.Cost
		hours += k.Hours
	}
	if len(accounts) == 0 {
		return ""
	}
	line := fmt.Sprintf("Left running by the shutdowns (skip tags, snoozes, ...) in %s: %.0f h, %s %s at list price had they been stopped",
		plural(len(accounts), "account"), hours, amount(priced), cost.PriceCurrency)
	if unstoppable > 0 {
		line += fmt.Sprintf("; %.0f h of what cannot be stopped, not priced", unstoppable)
	}
	return line + "."
}

// requestsLine says how many Cost Explorer requests the report made and what they cost.
func requestsLine(r *cost.Report) string {
	return fmt.Sprintf("Cost Explorer requests: %d (%s), %s %s at %s %s each.",
		r.Requests, how(r), amount(float64(r.Requests)*cost.RequestPrice), cost.PriceCurrency, amount(cost.RequestPrice), cost.PriceCurrency)
}

// accountTable is the one table of a small organisation: every account's costs,
// forecast and savings, the totals, and the spend of accounts the map does not know.
func accountTable(r *cost.Report, cols layout, single bool, fn *footnotes) string {
	sv := savedColumn(r, fn)
	t := table{right: sv.right(cols.right)}
	t.add(sv.head(cols.head)...)
	listed := map[string]bool{}
	for _, a := range r.Accounts {
		listed[a.Name] = true
		if a.Err != nil {
			row := []string{a.Name, "failed" + fn.mark(failedNote(r))}
			if sv != nil {
				row = append(row, make([]string, len(cols.head)-2)...)
			}
			t.add(sv.row(row, a.Name)...)
			continue
		}
		t.add(sv.row(cols.account(a, single), a.Name)...)
	}
	// Accounts that saved but are not in the map any more.
	for _, name := range sv.others(listed) {
		t.add(sv.row(append([]string{name + fn.mark(leftMapNote)}, make([]string, len(cols.head)-1)...), name)...)
	}
	if len(r.Totals()) > 0 || sv != nil {
		t.rule()
	}
	// Savings are in the price list's currency: their total goes on that currency's row.
	priced := !slices.ContainsFunc(r.Totals(), func(t cost.Totals) bool { return t.Currency == cost.PriceCurrency })
	for _, tot := range r.Totals() {
		name := "total"
		if !single {
			name = "total " + tot.Currency
		}
		row := cols.total(name, tot)
		if tot.Currency == cost.PriceCurrency {
			row, priced = sv.total(row), true
		}
		t.add(row...)
	}
	if !priced && sv != nil {
		t.add(sv.total(append([]string{"total"}, make([]string, len(cols.head)-1)...))...)
	}
	if row := otherRow(r, cols, single); row != nil {
		row[0] += fn.mark(otherNote(r))
		t.add(row...)
	}
	return t.String()
}

// leftMapNote explains a savings row of an account the cost table does not list.
const leftMapNote = "Not in the account map any more: its stops before it left are counted, its costs are not read."

// failedNote names the accounts whose costs could not be read, with why, in one note.
func failedNote(r *cost.Report) string {
	var parts []string
	failed := r.Failed()
	for _, a := range failed[:min(len(failed), nameAll)] {
		parts = append(parts, fmt.Sprintf("%s (%s): %s", a.Name, a.ID, cause.Of(a.Err)))
	}
	if len(failed) > nameAll {
		parts = append(parts, fmt.Sprintf("and %d more, each with its reason in the HTML report", len(failed)-nameAll))
	}
	note := "Failed, no figures (" + inLog + "): " + strings.Join(parts, "; ") + "."
	if len(failed) < len(r.Accounts) {
		note += " The totals leave " + plural(len(failed), "account") + " out."
	}
	return note
}

// forecastNote explains the forecasts that are not Cost Explorer's own for an account:
// run-rates, environments' forecasts in grouped mode, and those missing, with why.
func forecastNote(r *cost.Report) string {
	var out []string
	if slices.ContainsFunc(r.Accounts, func(a cost.Account) bool { return a.Err == nil && a.Forecast == nil && a.RunRate != nil }) {
		out = append(out, fmt.Sprintf("%s run-rate, not a forecast: the month to date plus its daily average for each of the %s left; a total marked %s includes run-rates.",
			runRateMark, plural(r.Periods.Forecast.Days(), "day"), runRateMark))
	}
	out = append(out, forecastNotes(r)...)
	return strings.Join(out, " ")
}

// savings is the savings column of the one table; nil when nothing was stopped, and
// then each method leaves the row as it is.
type savings struct {
	header  string
	by      map[string]cost.AccountSavings
	order   []string
	sumCell string
	fn      *footnotes
	s       *cost.Savings
	// width is the number of the table's other columns (set by head).
	width int
}

func savedColumn(r *cost.Report, fn *footnotes) *savings {
	s := r.Savings
	if s == nil || len(s.Accounts) == 0 {
		return nil
	}
	// The window's length only: its dates are in the headline, and the column stays narrow.
	days := int(math.Round(s.End.Sub(s.Start).Hours() / 24))
	header := fmt.Sprintf("saved %d days", days)
	if len(currencies(r)) > 1 {
		header = fmt.Sprintf("saved %s, %d days", cost.PriceCurrency, days)
	}
	c := &savings{header: header,
		by: map[string]cost.AccountSavings{}, sumCell: totalRange(s), fn: fn, s: s}
	for _, a := range s.Accounts {
		c.by[a.Account] = a
		c.order = append(c.order, a.Account)
	}
	return c
}

func (c *savings) right(r []bool) []bool {
	if c == nil {
		return r
	}
	return append(slices.Clone(r), true)
}

func (c *savings) head(h []string) []string {
	if c == nil {
		return h
	}
	c.width = len(h)
	return append(slices.Clone(h), c.header)
}

// row appends the account's saving, with a footnote where a note changes how it reads.
func (c *savings) row(row []string, account string) []string {
	if c == nil {
		return row
	}
	a, ok := c.by[account]
	if !ok {
		return append(row, "-")
	}
	return append(row, savedRange(a)+c.noteMark(a))
}

// noteMark is the mark of an account's savings note, or "" when it has none.
func (c *savings) noteMark(a cost.AccountSavings) string {
	unpriced := ""
	if a.UnpricedHours > 0 {
		unpriced = fmt.Sprintf("%.0f h not priced: %s", a.UnpricedHours, strings.Join(a.Unpriced, ", "))
	}
	note := joinNotes(unpriced, coverageNote(c.s, a))
	if note == "" {
		return ""
	}
	return c.fn.mark("Saved by " + a.Account + ": " + note + ".")
}

func (c *savings) total(row []string) []string {
	if c == nil {
		return row
	}
	return append(row, c.sumCell)
}

// sum appends the saving of a group of accounts, summed as shown; "-" when none of
// them saved. A short row (a label alone) is padded to the column.
func (c *savings) sum(row []string, as []cost.Account) []string {
	if c == nil {
		return row
	}
	var of []cost.AccountSavings
	for _, a := range as {
		if s, ok := c.by[a.Name]; ok {
			of = append(of, s)
		}
	}
	cell := "-"
	if len(of) > 0 {
		cell = sumRange(of)
	}
	if len(row) < c.width {
		row = append(row, make([]string, c.width-len(row))...)
	}
	return append(row, cell)
}

// others are the accounts that saved and are not among listed, in the savings' order.
func (c *savings) others(listed map[string]bool) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, name := range c.order {
		if !listed[name] {
			out = append(out, name)
		}
	}
	return out
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
	// forecast is set while the month runs: the table has a forecast column.
	forecast bool
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
	l.head = append(l.head, dayRange(p.MonthToDate), dayRange(p.LastMonth), "change")
	// Once the month is over its figures are the whole month's: a forecast would repeat them.
	if l.forecast = !p.Forecast.Empty(); l.forecast {
		l.head = append(l.head, "forecast "+p.MonthToDate.Start.Format("Jan"))
	}
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
	row = append(row, money(a.MonthToDate, single), money(a.LastMonth, single), arrow+" "+pct)
	if l.forecast {
		row = append(row, forecastCell(a, single))
	}
	return row
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
	row = append(row, amount(t.MonthToDate), amount(t.LastMonth), arrow+" "+pct)
	if l.forecast {
		row = append(row, totalForecast(t))
	}
	return row
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
		out = append(out, p.MonthToDate.Start.Format("January")+" is over: its figures are the whole month's, and no forecast is shown.")
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
