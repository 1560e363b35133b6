package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/cost"
)

// The text lists every account of a small organisation; a larger one gets totals per
// environment and unit, the top accounts by spend and by change, and the rest in one row,
// so that the summary stays readable at hundreds of accounts. The HTML page keeps every
// account in its table.
const (
	// listAll is the most accounts the text lists one by one.
	listAll = 20
	// topAccounts is how many accounts each top list of a larger organisation shows.
	topAccounts = 10
	// nameAll is the most names a note lists before counting the rest.
	nameAll = 5
)

// names joins up to nameAll names and counts the others: "a, b, c, d, e and 7 more".
func names(all []string) string {
	if len(all) <= nameAll {
		return strings.Join(all, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(all[:nameAll], ", "), len(all)-nameAll)
}

// subset is a report of some of r's accounts, for their totals; forecasts of an
// environment stand for its accounts only when env names it (a unit's accounts are only
// part of their environment's forecast).
func subset(r *cost.Report, accounts []cost.Account, env string) *cost.Report {
	s := &cost.Report{Periods: r.Periods, Mode: r.Mode, Accounts: accounts}
	for _, f := range r.Forecasts {
		if f.Environment == env {
			s.Forecasts = append(s.Forecasts, f)
		}
	}
	return s
}

// groupRows are the total rows of a group of accounts, one per currency.
func groupRows(cols layout, name string, single bool, r *cost.Report) [][]string {
	var out [][]string
	for _, t := range r.Totals() {
		n := name
		if !single {
			n += " " + t.Currency
		}
		out = append(out, cols.total(n, t))
	}
	return out
}

// summaryTable is the cost table of an organisation of more than listAll accounts:
// totals per environment and per unit, the top accounts by spend and by change in the
// month to date against the same days of last month, the others in one row, and the
// spend of accounts the map does not know.
func summaryTable(r *cost.Report, cols layout, single bool, fn *footnotes) string {
	p := r.Periods
	sv := savedColumn(r, fn)
	t := table{right: sv.right(cols.right)}
	head := sv.head(cols.head)
	head[0] = "environment"
	t.add(head...)
	// group adds the rows of a group of accounts, its savings on the first.
	// Savings are in the price list's currency: they go on that currency's row.
	group := func(name string, as []cost.Account, env string) {
		sub := subset(r, as, env)
		for i, row := range groupRows(cols, name, single, sub) {
			if sub.Totals()[i].Currency == cost.PriceCurrency {
				row = sv.sum(row, as)
			}
			t.add(row...)
		}
	}
	byEnv := map[string][]cost.Account{}
	byOU := map[string][]cost.Account{}
	var ous []string
	var reported []cost.Account
	for _, a := range r.Accounts {
		if a.Err != nil {
			continue
		}
		reported = append(reported, a)
		byEnv[a.Environment()] = append(byEnv[a.Environment()], a)
		if a.OU != "" {
			if _, ok := byOU[a.OU]; !ok {
				ous = append(ous, a.OU)
			}
			byOU[a.OU] = append(byOU[a.OU], a)
		}
	}
	for _, env := range []string{"production", "non-production"} {
		if as := byEnv[env]; len(as) > 0 {
			group(fmt.Sprintf("%s (%d)", env, len(as)), as, env)
		}
	}
	if len(ous) > 0 {
		t.add("by organisational unit:")
		for _, ou := range ous {
			group(fmt.Sprintf("%s (%d)", ou, len(byOU[ou])), byOU[ou], "")
		}
	}
	if len(r.Totals()) > 0 {
		t.rule()
	}
	for i, row := range groupRows(cols, fmt.Sprintf("total (%d)", len(reported)), single, r) {
		if r.Totals()[i].Currency == cost.PriceCurrency {
			row = sv.total(row)
		}
		t.add(row...)
	}
	if row := otherRow(r, cols, single); row != nil {
		row[0] += fn.mark(otherNote(r))
		t.add(row...)
	}

	bySpend := slices.Clone(reported)
	slices.SortStableFunc(bySpend, func(a, b cost.Account) int { return cmp.Compare(b.MonthToDate.Amount, a.MonthToDate.Amount) })
	shown := map[string]bool{}
	t.add("")
	t.add(fmt.Sprintf("top %d accounts by spend, %s:", min(topAccounts, len(bySpend)), dayRange(p.MonthToDate)))
	for _, a := range bySpend[:min(topAccounts, len(bySpend))] {
		shown[a.ID] = true
		t.add(sv.row(cols.account(labelled(a), single), a.Name)...)
	}
	// By change in money a day, so that a cent-level account that tripled does not hide
	// one that costs a hundred more a day.
	daily := func(a cost.Account) float64 {
		now, before := a.MonthToDate.Amount, a.LastMonth.Amount
		if d := p.MonthToDate.Days(); d > 0 {
			now /= float64(d)
		}
		if d := p.LastMonth.Days(); d > 0 {
			before /= float64(d)
		}
		return now - before
	}
	var byChange []cost.Account
	for _, a := range reported {
		if !shown[a.ID] && daily(a) != 0 {
			byChange = append(byChange, a)
		}
	}
	slices.SortStableFunc(byChange, func(a, b cost.Account) int { return cmp.Compare(abs(daily(b)), abs(daily(a))) })
	byChange = byChange[:min(topAccounts, len(byChange))]
	if len(byChange) > 0 {
		t.add(fmt.Sprintf("top %d other accounts by change a day, against %s:", len(byChange), dayRange(p.LastMonth)))
		for _, a := range byChange {
			shown[a.ID] = true
			t.add(sv.row(cols.account(labelled(a), single), a.Name)...)
		}
	}
	var rest []cost.Account
	for _, a := range reported {
		if !shown[a.ID] {
			rest = append(rest, a)
		}
	}
	if len(rest) > 0 {
		group(plural(len(rest), "more account"), rest, "")
	}
	if failed := r.Failed(); len(failed) > 0 {
		t.add(sv.sum([]string{plural(len(failed), "account") + " failed" + fn.mark(failedNote(r))}, failed)...)
	}
	listed := map[string]bool{}
	for _, a := range r.Accounts {
		listed[a.Name] = true
	}
	if others := sv.others(listed); len(others) > 0 {
		var as []cost.Account
		for _, name := range others {
			as = append(as, cost.Account{Name: name})
		}
		t.add(sv.sum([]string{plural(len(others), "account") + " not in the map" + fn.mark(leftMapNote)}, as)...)
	}
	return t.String()
}

// labelled names an account with its environment. Its unit is in the rows above and in
// the page's table: with it the table ran past 110 characters.
func labelled(a cost.Account) cost.Account {
	where := "prod"
	if !a.Production {
		where = "non-prod"
	}
	a.Name = fmt.Sprintf("%s (%s)", a.Name, where)
	return a
}

func abs(v float64) float64 { return max(v, -v) }

// otherRow is the spend of the organisation's accounts the map does not know, in one
// row after the totals (it is not in them); nil when there is none.
func otherRow(r *cost.Report, cols layout, single bool) []string {
	o := r.Other
	if o == nil || o.Err != nil {
		return nil
	}
	row := cols.account(*o, single)
	row[0] = fmt.Sprintf("other accounts (%d)", r.OtherAccounts)
	if cols.forecast {
		row[len(row)-1] = "" // its forecast is not read
	}
	return row
}

// otherNote explains the other accounts' row.
func otherNote(r *cost.Report) string {
	if r.Other == nil {
		return ""
	}
	if r.Other.Err != nil {
		return fmt.Sprintf("The spend of %s of the organisation that the map does not describe could not be added: %s (%s).", plural(r.OtherAccounts, "account"), cause.Of(r.Other.Err), inLog)
	}
	return fmt.Sprintf("Other accounts: %s of the organisation that the map neither lists nor finds in a unit, summed; not in the totals.", plural(r.OtherAccounts, "account"))
}

// forecastNotes say which forecasts are missing and why, grouped by reason, and in
// grouped mode what each environment's forecast is.
func forecastNotes(r *cost.Report) []string {
	var out []string
	if len(r.Forecasts) > 0 {
		var envs []string
		for _, f := range r.Forecasts {
			if f.Forecast != nil {
				envs = append(envs, fmt.Sprintf("%s %s %s (%s)", f.Environment, amount(f.Forecast.Amount), f.Forecast.Currency, plural(f.Accounts, "account")))
			} else {
				envs = append(envs, fmt.Sprintf("%s none: %s", f.Environment, strings.TrimRight(cause.Of(f.Err), ".")))
			}
		}
		out = append(out, "Cost Explorer forecasts each environment, not each account, in grouped mode: "+strings.Join(envs, "; ")+
			". The totals use these; each account's own figure is its run-rate ("+runRateMark+").")
	}
	var reasons []string
	byReason := map[string][]string{}
	for _, a := range r.Accounts {
		if a.Err != nil || a.Forecast != nil || errors.Is(a.ForecastErr, cost.ErrEnvironmentForecast) {
			continue
		}
		reason := strings.TrimRight(cause.Of(a.ForecastErr), ".")
		if _, ok := byReason[reason]; !ok {
			reasons = append(reasons, reason)
		}
		byReason[reason] = append(byReason[reason], a.Name)
	}
	var missing []string
	for _, reason := range reasons {
		missing = append(missing, names(byReason[reason])+": "+reason)
	}
	if len(missing) > 0 {
		out = append(out, "No Cost Explorer forecast for "+strings.Join(missing, "; ")+" ("+inLog+").")
	}
	return out
}

// topSavings returns the accounts the page draws savings panels for: all of a small
// organisation's, else the topAccounts that saved most, and the others summed in one
// row (whose Account is empty when there is none).
func topSavings(all []cost.AccountSavings) ([]cost.AccountSavings, cost.AccountSavings) {
	if len(all) <= listAll {
		return all, cost.AccountSavings{}
	}
	sorted := slices.Clone(all)
	slices.SortStableFunc(sorted, func(a, b cost.AccountSavings) int { return cmp.Compare(b.Saved, a.Saved) })
	rest := cost.AccountSavings{Account: plural(len(sorted)-topAccounts, "more account")}
	var low float64
	ranged := false
	// Rounded as each row would be shown, so that the rows add up to the total.
	for _, a := range sorted[topAccounts:] {
		rest.Resources += a.Resources
		rest.Hours += a.Hours
		rest.Saved += cents(a.Saved)
		if a.Discount.Low != nil {
			low, ranged = low+cents(*a.Discount.Low), true
		} else {
			low += cents(a.Saved) // no coverage: the list figure at both ends
		}
	}
	if ranged {
		rest.Discount.Low = &low
	}
	return sorted[:topAccounts], rest
}

// chartAccounts is the most accounts the page draws a panel each for; a larger
// organisation gets a panel per environment, the sum of its accounts' days.
const chartAccounts = 10

// environmentPanels draws the cost per day of each environment (and currency, when there
// are several), the sum of its accounts that reported.
func environmentPanels(r *cost.Report) ([]figure, error) {
	type series struct {
		env, currency string
		accounts      int
		daily         []cost.Money
		yesterday     float64
	}
	var all []*series
	for _, a := range r.Accounts {
		if a.Err != nil || len(a.Daily) == 0 {
			continue
		}
		i := slices.IndexFunc(all, func(s *series) bool { return s.env == a.Environment() && s.currency == a.MonthToDate.Currency })
		if i < 0 {
			all = append(all, &series{env: a.Environment(), currency: a.MonthToDate.Currency, daily: make([]cost.Money, len(a.Daily))})
			i = len(all) - 1
		}
		s := all[i]
		s.accounts++
		s.yesterday += a.Yesterday.Amount
		for d, m := range a.Daily[:min(len(a.Daily), len(s.daily))] {
			s.daily[d] = cost.Money{Amount: s.daily[d].Amount + m.Amount, Currency: s.currency}
		}
	}
	slices.SortStableFunc(all, func(a, b *series) int { return cmp.Or(cmp.Compare(b.env, a.env), cmp.Compare(a.currency, b.currency)) })
	var out []figure
	for i, s := range all {
		heading := fmt.Sprintf("%s (%s)", s.env, plural(s.accounts, "account"))
		title := func(lo, hi string) string {
			return fmt.Sprintf("%s: cost per day of its %s, %s, from %s to %s %s; yesterday %s %s",
				s.env, plural(s.accounts, "account"), dayRange(r.Periods.Chart), lo, hi, s.currency, amount(s.yesterday), s.currency)
		}
		f, err := dailyPanel(r.Periods, i, fmt.Sprintf("cost-%s-%s", s.env, s.currency), heading, title, s.currency+" ", s.daily)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// servicesShown are the accounts whose top services the page shows, by id: every
// account of a small organisation, else the topAccounts costliest.
func servicesShown(r *cost.Report) map[string]bool {
	var reported []cost.Account
	for _, a := range r.Accounts {
		if a.Err == nil {
			reported = append(reported, a)
		}
	}
	if len(r.Accounts) > listAll {
		slices.SortStableFunc(reported, func(a, b cost.Account) int { return cmp.Compare(b.MonthToDate.Amount, a.MonthToDate.Amount) })
		reported = reported[:min(topAccounts, len(reported))]
	}
	out := map[string]bool{}
	for _, a := range reported {
		out[a.ID] = true
	}
	return out
}
