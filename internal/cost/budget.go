package cost

import (
	"slices"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// Budget is one monthly budget of the map: an account's, or a unit's accounts together.
type Budget struct {
	// Name is the account's name, or "unit <id>".
	Name string
	// IDs are the accounts it covers: the account, or every account found in the unit.
	IDs []string
	// Amount is the month's budget in the report's currency.
	Amount float64
}

// BudgetCheck is a budget against the month's expected total of its accounts.
type BudgetCheck struct {
	Budget
	Currency string
	// Expected is the month's forecast: each account's forecast, or its run-rate
	// (RunRated), or the month's total once the month is over (Closed).
	Expected         float64
	RunRated, Closed bool
	// Over is how far Expected is above Amount; 0 or less is within budget.
	Over float64
	// Unchecked says why the budget could not be checked ("costs not read for
	// staging", "no account found in the unit"); empty when it was.
	Unchecked string
}

// budgets lists the map's budgets of the accounts the report covers, accounts first, then
// units, each unit with the accounts found in it.
// nextHolidays are the next holidays of the swept accounts among targets.
func nextHolidays(m *accounts.Map, targets []target, now time.Time) []accounts.HolidayNotice {
	var swept []accounts.Account
	for _, t := range targets {
		if t.account.ShutdownEnabled() && t.account.Name != m.Identity {
			swept = append(swept, t.account)
		}
	}
	return m.NextHolidays(swept, now)
}

func budgets(m *accounts.Map, targets []target) []Budget {
	var out []Budget
	for _, a := range m.Accounts {
		if a.Budget != nil {
			out = append(out, Budget{Name: a.Name, IDs: []string{a.ID}, Amount: *a.Budget})
		}
	}
	if m.Organization == nil {
		return out
	}
	for _, u := range m.Organization.OUs {
		if u.Budget == nil {
			continue
		}
		b := Budget{Name: "unit " + u.ID, Amount: *u.Budget}
		for _, t := range targets {
			if t.cost.OU == u.ID {
				b.IDs = append(b.IDs, t.cost.ID)
			}
		}
		out = append(out, b)
	}
	return out
}

// CheckBudgets checks each budget of the report against the month's expected total of
// its accounts.
func (r *Report) CheckBudgets() []BudgetCheck {
	var out []BudgetCheck
	closed := r.Periods.Forecast.Empty()
	for _, b := range r.Budgets {
		c := BudgetCheck{Budget: b, Closed: closed}
		var failed []string
		for _, id := range b.IDs {
			i := slices.IndexFunc(r.Accounts, func(a Account) bool { return a.ID == id })
			if i < 0 {
				continue
			}
			a := r.Accounts[i]
			if a.Err != nil {
				failed = append(failed, a.Name)
				continue
			}
			if c.Currency == "" {
				c.Currency = a.MonthToDate.Currency
			}
			switch {
			case closed:
				c.Expected += a.MonthToDate.Amount
			case a.Forecast != nil:
				c.Expected += a.Forecast.Amount
			case a.RunRate != nil:
				c.Expected += a.RunRate.Amount
				c.RunRated = true
			default:
				c.Expected += a.MonthToDate.Amount
				c.RunRated = true
			}
		}
		switch {
		case len(b.IDs) == 0:
			c.Unchecked = "no account found in the unit"
		case len(failed) > 0:
			c.Unchecked = "costs not read for " + joinNames(failed)
		}
		c.Over = c.Expected - c.Amount
		out = append(out, c)
	}
	return out
}

// joinNames lists names as "a, b and c".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	out := names[0]
	for _, n := range names[1 : len(names)-1] {
		out += ", " + n
	}
	return out + " and " + names[len(names)-1]
}
