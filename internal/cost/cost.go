// Package cost reads what each account of the map costs, through Cost Explorer, and
// estimates what curfew's night shutdowns saved, from the run history. It holds the data
// model of the cost report; internal/report renders and publishes it.
package cost

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// Money is an amount in Cost Explorer's currency, kept at full precision; only the
// report rounds it, for display.
type Money struct {
	Amount float64
	// Currency is Cost Explorer's unit, e.g. "USD".
	Currency string
}

// add returns m+o; an empty currency takes the other's, different ones are an error.
func (m Money) add(o Money) (Money, error) {
	switch {
	case m.Currency == "":
		m.Currency = o.Currency
	case o.Currency != "" && o.Currency != m.Currency:
		return m, fmt.Errorf("cannot add %s to %s", o.Currency, m.Currency)
	}
	m.Amount += o.Amount
	return m, nil
}

// Service is one AWS service's cost in the month to date.
type Service struct {
	Name string
	Cost Money
}

// Mode says how the report's figures were read.
type Mode string

// The modes of reading costs.
const (
	// PerAccount reads each account through its own CurfewCostReader role.
	PerAccount Mode = "per-account"
	// Grouped reads every account in one query grouped by LINKED_ACCOUNT, in the
	// organisation's management account.
	Grouped Mode = "grouped"
)

// Account is what one account costs.
type Account struct {
	Name       string
	ID         string
	Production bool
	// OU is the id of the organisational unit the account was found in (organization.ous
	// of the map); empty for an account only listed.
	OU string
	// Err is why the account's costs could not be read; the other figures are then zero.
	Err error

	Yesterday   Money
	MonthToDate Money
	// LastMonth is the same days of the month before.
	LastMonth Money
	// Week and PreviousWeek are the costs of Periods.Week and Periods.PreviousWeek.
	Week, PreviousWeek Money
	// Estimated is set when Cost Explorer marked a day of these figures Estimated: they
	// may still change until AWS finalises the bill.
	Estimated bool
	// Forecast is the month's expected total: month to date plus Cost Explorer's forecast
	// of the rest; nil when there is no forecast, with ForecastErr saying why.
	Forecast    *Money
	ForecastErr error
	// RunRate stands in for a missing forecast: the month to date plus its daily average
	// for each day left. Nil when there is a forecast.
	RunRate *Money
	// TopServices are the five costliest services of the month to date, costliest first.
	TopServices []Service
	// Daily is the cost of each day of Periods.Chart, oldest first.
	Daily []Money
	// Coverage is the account's discount coverage; nil when it was not read.
	Coverage *Coverage
	// Owners get the account in their own report (Report.For); from the map's account,
	// or its unit's for an account found there.
	Owners []accounts.Owner
}

// Report is every figure of one cost report.
type Report struct {
	Generated time.Time
	Periods   Periods
	Mode      Mode
	// Metric is how cost is measured; every output states it.
	Metric Metric
	// Accounts are in the account map's order.
	Accounts []Account
	// Weekly says the report runs once a week, so it compares the last 7 days with the 7
	// before.
	Weekly bool
	// Requests is how many Cost Explorer requests (pages included) were answered; each is
	// billed.
	Requests int
	// Planned is how many requests the report expected to make before reading, pages
	// beyond the first of each query not counted; Rate is the pace they were made at, in
	// requests a second.
	Planned int
	Rate    float64
	// Forecasts are the forecasts of each environment in grouped mode, where Cost
	// Explorer forecasts the accounts of an environment together; each account's own
	// figure is then its run-rate.
	Forecasts []EnvironmentForecast
	// Other is the spend of the organisation's accounts that the map neither lists nor
	// finds in a unit (grouped mode only), summed, with OtherAccounts counting them; nil
	// when there is none. It is not in the totals.
	Other         *Account
	OtherAccounts int
	// Notes are what finding the accounts met: a unit that does not exist, an
	// organisation that could not be listed (its accounts are then missing).
	Notes []string
	// Savings are the night shutdowns' estimated savings; nil with SavingsErr when the
	// run history could not be read.
	Savings    *Savings
	SavingsErr error
	// History is what the run history held; nil when it could not be listed.
	History *HistoryHealth
	// Budgets are the map's monthly budgets of accounts and units, in the map's order.
	Budgets []Budget
	// Holidays say when the next holiday of the swept accounts is, and from which calendar
	// or date of the map: no morning start that day.
	Holidays []accounts.HolidayNotice
	// Owner is whose slice of the organisation's report this is (Report.For); nil for
	// the whole report. Whole is how many accounts the whole report has.
	Owner *accounts.Owner
	Whole int
}

// HistoryHealth is what reading the run history found, so that a reader can tell an
// empty history from a history writer that has been failing.
type HistoryHealth struct {
	// Since is the oldest time read.
	Since time.Time
	// Runs is how many runs were read; Shutdowns and Restarts count them by kind.
	Runs, Shutdowns, Restarts int
	// Latest is the start of the newest run; zero with no run.
	Latest time.Time
	// Unreadable are the objects skipped because they could not be read or decoded, with
	// why: their runs are missing from the savings.
	Unreadable []Unreadable
}

// Unreadable is one run history object that could not be read.
type Unreadable struct {
	Key    string
	Reason string
}

// Environment returns the account's environment: production or non-production.
func (a Account) Environment() string {
	if a.Production {
		return "production"
	}
	return "non-production"
}

// EnvironmentForecast is Cost Explorer's forecast of every account of one environment.
type EnvironmentForecast struct {
	Environment string
	// Accounts is how many accounts it covers.
	Accounts int
	// Forecast is the month's expected total of those accounts; nil with Err saying why.
	Forecast *Money
	Err      error
}

// ErrEnvironmentForecast is an account's forecast reason in grouped mode: Cost Explorer
// forecasts its environment, not the account.
var ErrEnvironmentForecast = errors.New("grouped mode forecasts each environment, not each account")

// ErrNoForecastData means Cost Explorer answered a forecast without a total.
var ErrNoForecastData = errors.New("no data")

// runRate is the month's total at the month to date's daily average.
func runRate(p Periods, monthToDate Money) Money {
	days := p.MonthToDate.Days()
	if days <= 0 {
		return monthToDate
	}
	rest := monthToDate.Amount / float64(days) * float64(p.Forecast.Days())
	return Money{Amount: monthToDate.Amount + rest, Currency: monthToDate.Currency}
}

// Totals are the sums over the accounts that reported, in one currency.
type Totals struct {
	Currency    string
	Yesterday   float64
	MonthToDate float64
	LastMonth   float64
	Week        float64
	// PreviousWeek is the cost of the 7 days before Week.
	PreviousWeek float64
	// Forecast sums the forecasts and, for the accounts without one, their run-rates.
	Forecast float64
	// Accounts is how many accounts reported in this currency.
	Accounts int
	// Forecasts is how many of them have a forecast; RunRates is how many have a run-rate
	// in its place.
	Forecasts, RunRates int
}

// RunRated reports whether Forecast includes a run-rate: some account has no forecast.
func (t Totals) RunRated() bool { return t.RunRates > 0 }

// Totals sums the accounts that reported, one Totals per currency, sorted by currency.
func (r *Report) Totals() []Totals {
	var out []Totals
	for _, a := range r.Accounts {
		if a.Err != nil {
			continue
		}
		cur := a.MonthToDate.Currency
		i := slices.IndexFunc(out, func(t Totals) bool { return t.Currency == cur })
		if i < 0 {
			out = append(out, Totals{Currency: cur})
			i = len(out) - 1
		}
		t := &out[i]
		t.Yesterday += a.Yesterday.Amount
		t.MonthToDate += a.MonthToDate.Amount
		t.LastMonth += a.LastMonth.Amount
		t.Week += a.Week.Amount
		t.PreviousWeek += a.PreviousWeek.Amount
		t.Accounts++
		switch {
		case r.environmentForecast(a.Environment(), cur) != nil:
			t.Forecasts++ // the environment's forecast is added once, below
		case a.Forecast != nil:
			t.Forecast += a.Forecast.Amount
			t.Forecasts++
		case a.RunRate != nil:
			t.Forecast += a.RunRate.Amount
			t.RunRates++
		}
	}
	for i := range out {
		for _, f := range r.Forecasts {
			if f.Forecast != nil && f.Forecast.Currency == out[i].Currency {
				out[i].Forecast += f.Forecast.Amount
			}
		}
	}
	slices.SortFunc(out, func(a, b Totals) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// environmentForecast returns the forecast of an environment in currency, or nil.
func (r *Report) environmentForecast(env, currency string) *Money {
	for _, f := range r.Forecasts {
		if f.Environment == env && f.Forecast != nil && f.Forecast.Currency == currency {
			return f.Forecast
		}
	}
	return nil
}

// Failed returns the accounts whose costs could not be read.
func (r *Report) Failed() []Account {
	return slices.DeleteFunc(slices.Clone(r.Accounts), func(a Account) bool { return a.Err == nil })
}

// Estimated reports whether a figure of the report rests on costs Cost Explorer marked
// Estimated (an account's, or the accounts the map does not know).
func (r *Report) Estimated() bool {
	if r.Other != nil && r.Other.Estimated {
		return true
	}
	return slices.ContainsFunc(r.Accounts, func(a Account) bool { return a.Err == nil && a.Estimated })
}
