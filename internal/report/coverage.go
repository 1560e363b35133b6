package report

import (
	"fmt"
	"math"

	"github.com/curfew/curfew/internal/cost"
	texttable "github.com/curfew/curfew/internal/table"
)

// savedRange is an account's saving: the list figure, or once its discount coverage is
// read, the range from the figure at that coverage up to the list figure.
func savedRange(a cost.AccountSavings) string {
	if a.Discount.Low == nil {
		return amount(a.Saved)
	}
	return amount(*a.Discount.Low) + " to " + amount(a.Saved)
}

// totalRange is the saving of every account, as savedRange: the sum of the rows as
// they are shown, so that the rows add up to it.
func totalRange(s *cost.Savings) string {
	return sumRange(s.Accounts)
}

// sumRange is the saving of accounts, as savedRange, summed from each account's figures
// rounded to the cent as the report shows them: an account without coverage counts at
// its list figure at both ends.
func sumRange(accounts []cost.AccountSavings) string {
	var low, high float64
	ranged := false
	for _, a := range accounts {
		high += cents(a.Saved)
		if a.Discount.Low != nil {
			low, ranged = low+cents(*a.Discount.Low), true
		} else {
			low += cents(a.Saved)
		}
	}
	if !ranged {
		return amount(high)
	}
	return amount(low) + " to " + amount(high)
}

// cents rounds an amount to the cent, as amount shows it.
func cents(v float64) float64 { return math.Round(v*100) / 100 }

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

// joinNotes joins the non-empty notes of a savings row, as a cell.
func joinNotes(notes ...string) string { return texttable.Cell(notes...) }
