package report

import (
	"fmt"
	"strings"

	"github.com/curfew/curfew/internal/cost"
)

// keptTitle heads what the shutdowns left running, so that a team sees what its skip
// tags and snoozes cost.
const keptTitle = "Left running by the shutdowns, per account and reason (what stopping them at night would have saved, list price, " + cost.PriceCurrency + "):"

// keptCells are the cells of one row of what the shutdowns left running.
func keptCells(k cost.Kept) []string {
	unpriced, cost := "", amount(k.Cost)
	switch {
	case k.Unstoppable:
		// No shutdown could have saved it: a price would read as a missed saving.
		unpriced, cost = "(cannot be stopped: not priced)", "-"
	case k.UnpricedHours > 0:
		unpriced = fmt.Sprintf("(%.0f h not priced)", k.UnpricedHours)
	}
	return []string{k.Account, k.Reason, plural(k.Resources, "resource"), plural(k.Nights, "night"),
		fmt.Sprintf("%.0f h", k.Hours), cost, unpriced}
}

// keptNotes are the lines of what the shutdowns left running, for the HTML report.
func keptNotes(s *cost.Savings) []string {
	if len(s.Kept) == 0 {
		return nil
	}
	out := []string{keptTitle}
	for _, k := range s.Kept {
		c := keptCells(k)
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s, %s: %s, %s, %s, %s %s %s", c[0], c[1], c[2], c[3], c[4], c[5], cost.PriceCurrency, c[6])))
	}
	return out
}
