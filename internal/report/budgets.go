package report

import (
	"fmt"
	"strings"

	"github.com/curfew/curfew/internal/cost"
)

// ownerLine says whose slice a report is, and of what; empty for the whole report.
func ownerLine(r *cost.Report) string {
	if r.Owner == nil {
		return ""
	}
	return fmt.Sprintf("For %s: the %s you own of the organisation's %d; costReport.recipients get them all.",
		r.Owner, plural(len(r.Accounts), "account"), r.Whole)
}

// budgetLines give each budget's verdict in a line: "forecast over budget by X" or
// "within budget", with the figures it rests on.
func budgetLines(r *cost.Report) []string {
	var out []string
	for _, c := range r.CheckBudgets() {
		head := fmt.Sprintf("Budget of %s, %s a month: ", c.Name, amount(c.Amount))
		if c.Unchecked != "" {
			out = append(out, head+"not checked: "+c.Unchecked+".")
			continue
		}
		figure := fmt.Sprintf("forecast %s %s", amount(c.Expected), c.Currency)
		switch {
		case c.Closed:
			figure = fmt.Sprintf("spent %s %s", amount(c.Expected), c.Currency)
		case c.RunRated:
			figure += " " + runRateMark
		}
		verdict := "within budget"
		switch {
		case c.Over > 0 && c.Closed:
			verdict = "over budget by " + amount(c.Over)
		case c.Over > 0:
			verdict = "forecast over budget by " + amount(c.Over)
		}
		out = append(out, fmt.Sprintf("%s%s (%s).", head, verdict, figure))
	}
	return out
}

// anomalyLines name each account whose yesterday was far above its usual spend for that
// weekday (cost.Report.Anomalies; the rule is in docs/cost-report.md).
func anomalyLines(r *cost.Report) []string {
	var out []string
	for _, a := range r.Anomalies() {
		ratio := ""
		if a.Usual > 0 {
			ratio = fmt.Sprintf(", %.1f×", a.Cost/a.Usual)
		}
		out = append(out, fmt.Sprintf("Unusual spend: %s %s %s on %s%s its usual %s (median %s of %d).",
			a.Account, amount(a.Cost), a.Currency, a.Day.Format("Mon 2 Jan"), ratio, a.Day.Format("Monday"), amount(a.Usual), a.Weeks))
	}
	return out
}

// holidayLines say when the swept accounts' next holiday is, and from which calendar or
// date of the map, a line per day (as curfew plan says it).
func holidayLines(r *cost.Report) []string {
	var out []string
	for _, n := range r.Holidays {
		line := n.Line()
		out = append(out, strings.ToUpper(line[:1])+line[1:]+".")
	}
	return out
}
