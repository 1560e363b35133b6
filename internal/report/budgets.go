package report

import (
	"fmt"

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
		what := "forecast"
		switch {
		case c.Closed:
			what = "spent"
		case c.RunRated:
			what = "forecast " + runRateMark
		}
		verdict := "within budget"
		if c.Over > 0 {
			verdict = what + " over budget by " + amount(c.Over)
			if c.Closed {
				verdict = "over budget by " + amount(c.Over)
			}
		}
		out = append(out, fmt.Sprintf("%s%s (%s %s %s).", head, verdict, what, amount(c.Expected), c.Currency))
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
		out = append(out, fmt.Sprintf("Unusual spend: %s cost %s %s on %s%s its usual %s (%s, the median of the %d before).",
			a.Account, amount(a.Cost), a.Currency, a.Day.Format("Mon 2 Jan"), ratio, a.Day.Format("Monday"), amount(a.Usual), a.Weeks))
	}
	return out
}
