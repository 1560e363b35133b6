package report

import (
	"fmt"
	"strings"

	"github.com/curfew/curfew/internal/cost"
)

// savedRange is an account's saving: the list figure, or once its discount coverage is
// read, the range from the figure at that coverage up to the list figure.
func savedRange(a cost.AccountSavings) string {
	if a.Discount.Low == nil {
		return amount(a.Saved)
	}
	return amount(*a.Discount.Low) + " to " + amount(a.Saved)
}

// totalRange is the saving of every account, as savedRange.
func totalRange(s *cost.Savings) string {
	if !s.Ranged() {
		return amount(s.Total())
	}
	return amount(s.LowTotal()) + " to " + amount(s.Total())
}

// coverageNote says how much of an account discounts covered, or why its saving is the
// list figure alone; empty when the report read no coverage at all (the basis then says
// that discounts are ignored).
func coverageNote(s *cost.Savings, a cost.AccountSavings) string {
	switch {
	case !s.CoverageRead:
		return ""
	case a.Discount.Low != nil:
		return fmt.Sprintf("%.0f%% covered by discounts", a.Discount.Covered*100)
	case a.Discount.Why != "":
		return "list price only, " + a.Discount.Why
	}
	return ""
}

// joinNotes joins the non-empty notes of a savings row.
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}
