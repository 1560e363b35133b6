package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/cost"
)

//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Parse(pageSource))

// page is what the HTML template shows, formatted for display.
type page struct {
	Title, Subtitle string
	Cards           []card
	Head            []string
	// FailedSpan is how many columns a failed account's row spans after its name.
	FailedSpan int
	Rows       []accountRow
	Totals     []accountRow
	Other      *accountRow
	Notes      []string
	Failed     []failedAccount
	// InLog says where the detail of the failures is.
	InLog             string
	CostCharts        []figure
	ChartDays         string
	ChartNote         string
	Services          []serviceTable
	ServicesNote      string
	SavingsTitle      string
	SavingsCharts     []figure
	Savings           []savingsRow
	SavingsNotes      []string
	SavingsUnreadable string
	// SavingsTotals are the savings table's total rows: per environment and unit past
	// listAll accounts, and of every account; each the sum of the rows as shown.
	SavingsTotals []savingsRow
	History       []string
	// Computed is how each figure is computed: the full basis the text leaves out.
	Computed []string
	Footer   string
}

type card struct{ Label, Value, Note string }

type accountRow struct {
	Name, Color, Kind string
	// Cells are the figures after the name, as in the text summary's table.
	Cells  []cell
	Failed bool
}

// cell is one figure; Class colours a change by its trend (up, down or flat).
type cell struct{ Text, Class string }

// cells turns a row of the text table, after its name, into cells.
func cells(row []string) []cell {
	var out []cell
	for _, c := range row[1:] {
		out = append(out, cell{Text: c, Class: trend(c)})
	}
	return out
}

type failedAccount struct{ Name, ID, Reason string }

type serviceTable struct {
	Name, Color string
	Services    []serviceRow
}

type serviceRow struct{ Name, Cost, Share string }

type savingsRow struct {
	Name, Color, Resources, Hours, Saved, Unpriced string
}

// HTML renders the full report as one self-contained page: tables, and SVG charts of the
// cost per day and of the savings, a panel per account, drawn with gonum/plot.
func HTML(r *cost.Report) ([]byte, error) {
	pg, err := newPage(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, pg); err != nil {
		return nil, fmt.Errorf("render the HTML report: %w", err)
	}
	return buf.Bytes(), nil
}

func newPage(r *cost.Report) (*page, error) {
	p := r.Periods
	cur := currencies(r)
	single := len(cur) <= 1
	colors := map[string]int{}
	for i, a := range r.Accounts {
		colors[a.Name] = i
	}
	hex := func(name string) string {
		i, ok := colors[name]
		if !ok {
			i = len(colors)
		}
		c := colorOf(i)
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	cols := columns(r)
	pg := &page{
		Title:      "curfew cost report, " + r.Generated.UTC().Format("Monday 2 January 2006"),
		Subtitle:   fmt.Sprintf("Costs up to the end of %s (UTC days)", p.Yesterday.Start.Format("Mon 2 Jan")),
		Head:       cols.head,
		FailedSpan: len(cols.head) - 1,
		Notes:      append(append(append(budgetLines(r), anomalyLines(r)...), holidayLines(r)...), notes(r)...),
	}
	if l := ownerLine(r); l != "" {
		pg.Subtitle = l + " " + pg.Subtitle
	}
	if len(cur) == 1 {
		pg.Subtitle += ", amounts in " + cur[0]
	}
	pg.Subtitle += ". Metric: " + r.Metric.String()
	pg.Footer = fmt.Sprintf("Generated %s by curfew-cost-report. Cost Explorer requests for this report: %d (%s). Cost Explorer metric: %s.",
		r.Generated.UTC().Format("2 Jan 2006 15:04 MST"), r.Requests, how(r), r.Metric)

	estimated := ""
	if r.Estimated() {
		estimated = "; estimated by Cost Explorer until AWS finalises the bill"
	}
	for _, t := range r.Totals() {
		suffix := ""
		if !single {
			suffix = " " + t.Currency
		}
		arrow, pct := change(t.MonthToDate, p.MonthToDate, t.LastMonth, p.LastMonth)
		spent := "Spent " + dayRange(p.MonthToDate)
		if p.Forecast.Empty() {
			spent = "Spent in " + p.MonthToDate.Start.Format("January")
		}
		pg.Cards = append(pg.Cards,
			card{spent + suffix, amount(t.MonthToDate) + " " + t.Currency,
				fmt.Sprintf("%s %s: %s%s", arrow, pct, comparison(p.MonthToDate, p.LastMonth), estimated)})
		if r.Weekly {
			arrow, pct := change(t.Week, p.Week, t.PreviousWeek, p.PreviousWeek)
			pg.Cards = append(pg.Cards, card{"Last 7 days" + suffix, amount(t.Week) + " " + t.Currency,
				fmt.Sprintf("%s %s: %s", arrow, pct, comparison(p.Week, p.PreviousWeek))})
		} else {
			note := "one UTC day"
			if p.Yesterday.Start.Day() == 1 {
				note = firstDayNote
			}
			pg.Cards = append(pg.Cards, card{"Yesterday, " + p.Yesterday.Start.Format("Mon 2 Jan") + suffix, amount(t.Yesterday) + " " + t.Currency, note})
		}
		if !p.Forecast.Empty() {
			fc := card{"Forecast " + p.MonthToDate.Start.Format("January") + suffix, amount(t.Forecast) + " " + t.Currency,
				"month to date + Cost Explorer's forecast of the rest"}
			if t.RunRated() {
				fc.Value += " " + runRateMark
				fc.Note = fmt.Sprintf("%d of %d accounts forecast; %s by run-rate (%s, see below)",
					t.Forecasts, t.Accounts, plural(t.RunRates, "account"), runRateMark)
			}
			pg.Cards = append(pg.Cards, fc)
		}
		name := "total"
		if !single {
			name += " " + t.Currency
		}
		pg.Totals = append(pg.Totals, accountRow{Name: name, Cells: cells(cols.total(name, t))})
	}
	if r.Savings != nil {
		basis := "estimate at list price, discounts ignored"
		if r.Savings.Ranged() {
			basis = "estimate from its discount coverage up to list price"
		}
		pg.Cards = append(pg.Cards, card{"Saved " + savingsWindow(r.Savings), totalRange(r.Savings) + " " + cost.PriceCurrency,
			"by the night shutdowns: " + basis + "; another window than the costs'"})
	}

	if row := otherRow(r, cols, single); row != nil {
		pg.Other = &accountRow{Name: row[0], Cells: cells(row)}
	}
	services := servicesShown(r)
	for _, a := range r.Accounts {
		row := accountRow{Name: a.Name, Color: hex(a.Name), Kind: a.Environment()}
		if a.OU != "" {
			row.Kind += ", " + a.OU
		}
		if a.Err != nil {
			row.Failed = true
			pg.Rows = append(pg.Rows, row)
			pg.Failed = append(pg.Failed, failedAccount{a.Name, a.ID, cause.Of(a.Err)})
			pg.InLog = inLog
			continue
		}
		row.Cells = cells(cols.account(a, single))
		pg.Rows = append(pg.Rows, row)
		if !services[a.ID] {
			continue
		}
		st := serviceTable{Name: a.Name, Color: hex(a.Name)}
		for _, s := range a.TopServices {
			share := ""
			if a.MonthToDate.Amount > 0 {
				share = fmt.Sprintf("%.0f%%", s.Cost.Amount/a.MonthToDate.Amount*100)
			}
			st.Services = append(st.Services, serviceRow{s.Name, money(s.Cost, single), share})
		}
		pg.Services = append(pg.Services, st)
	}

	var err error
	pg.ChartDays = dayRange(p.Chart)
	pg.ChartNote = "One panel per account, each with its own scale: compare shapes across panels, amounts within one."
	draw := costPanels
	if len(r.Accounts) > chartAccounts {
		pg.ChartNote = "One panel per environment, the sum of its accounts that reported, each with its own scale; every account's figures are in the table above."
		draw = environmentPanels
	}
	if pg.CostCharts, err = draw(r); err != nil {
		return nil, fmt.Errorf("draw the cost chart: %w", err)
	}
	if len(services) < len(r.Accounts) {
		pg.ServicesNote = fmt.Sprintf("The %d costliest accounts this month.", len(services))
	}
	pg.History = historyHealth(r.History)
	if r.SavingsErr != nil {
		pg.SavingsUnreadable = "The run history could not be read: " + cause.Of(r.SavingsErr) + " (" + inLog + ")."
	}
	if s := r.Savings; s != nil {
		pg.SavingsTitle = fmt.Sprintf("%s to %s, estimate in %s", s.Start.UTC().Format("2 Jan"), s.End.UTC().Format("2 Jan 15:04 MST"), cost.PriceCurrency)
		if len(s.Accounts) > 0 {
			drawn := r
			if len(s.Accounts) > chartAccounts {
				// A panel for each of the accounts that saved most; the table has them all.
				shown, _ := topSavings(s.Accounts)
				top, saved := *r, *s
				saved.Accounts = shown[:min(len(shown), chartAccounts)]
				top.Savings = &saved
				drawn = &top
				pg.SavingsNotes = append(pg.SavingsNotes, fmt.Sprintf("Charts of the %d accounts that saved most; the table lists all %d.", len(saved.Accounts), len(s.Accounts)))
			}
			if pg.SavingsCharts, err = savingsPanels(drawn, colors); err != nil {
				return nil, fmt.Errorf("draw the savings chart: %w", err)
			}
		}
		for _, a := range s.Accounts {
			row := savingsRow{Name: a.Account, Color: hex(a.Account), Resources: plural(a.Resources, "resource"),
				Hours: fmt.Sprintf("%.0f h", a.Hours), Saved: savedRange(a)}
			if a.UnpricedHours > 0 {
				row.Unpriced = fmt.Sprintf("%.0f h not priced: %s", a.UnpricedHours, strings.Join(a.Unpriced, ", "))
			}
			row.Unpriced = joinNotes(row.Unpriced, coverageNote(s, a))
			pg.Savings = append(pg.Savings, row)
		}
		pg.SavingsTotals = savingsTotals(r)
		if line := savingsUnmatched(s); line != "" {
			pg.SavingsNotes = append(pg.SavingsNotes, line)
		}
		pg.SavingsNotes = append(pg.SavingsNotes, keptNotes(s)...)
		pg.Computed = append(pg.Computed, "Savings: based on "+s.Basis()+".",
			"Hours run from the shutdown that stopped a resource to what ended the stop: curfew's restart, a person's start, the resource gone, its account leaving the sweep, RDS starting a database after 7 days, or now if it is still stopped. "+
				"Hours are resource-hours of different kinds added up: an instance's, each instance of a group or node group (3 instances stopped 10 h are 30 h), each task of a Fargate service, and one per Aurora cluster whatever its members (priced as the sum of its members).")
		for _, line := range []string{savingsEnds(s), savingsPriceSources(s), savingsOffBasis(s)} {
			if line != "" {
				pg.Computed = append(pg.Computed, line)
			}
		}
		pg.Computed = append(pg.Computed, "Totals of savings are the sums of the rows as shown, each rounded to the cent.")
	}
	pg.Computed = append([]string{"Costs: " + r.Metric.String() + ", from Cost Explorer, in UTC days; today is left out, its costs being incomplete. " +
		"Changes compare daily averages: " + comparison(p.MonthToDate, p.LastMonth) + ". " +
		"A forecast is the month to date plus Cost Explorer's forecast of the rest of the month."}, pg.Computed...)
	if r.Estimated() {
		pg.Computed = append(pg.Computed, estimatedNote)
	}
	pg.Computed = append(pg.Computed, requestsLine(r))
	return pg, nil
}

// savingsTotals are the total rows of the savings table: past listAll accounts one per
// environment and per unit, then every account's. Each is the sum of its accounts' rows
// as shown, so that the rows add up to it.
func savingsTotals(r *cost.Report) []savingsRow {
	s := r.Savings
	if s == nil || len(s.Accounts) < 2 {
		return nil
	}
	row := func(name string, as []cost.AccountSavings) savingsRow {
		var resources int
		var hours float64
		for _, a := range as {
			resources += a.Resources
			hours += a.Hours
		}
		return savingsRow{Name: name, Resources: plural(resources, "resource"), Hours: fmt.Sprintf("%.0f h", hours), Saved: sumRange(as)}
	}
	var out []savingsRow
	if len(r.Accounts) > listAll {
		known := map[string]cost.Account{}
		for _, a := range r.Accounts {
			known[a.Name] = a
		}
		byEnv := map[string][]cost.AccountSavings{}
		byOU := map[string][]cost.AccountSavings{}
		var ous []string
		for _, a := range s.Accounts {
			acc, ok := known[a.Account]
			env := "not in the map"
			if ok {
				env = acc.Environment()
			}
			byEnv[env] = append(byEnv[env], a)
			if acc.OU != "" {
				if _, seen := byOU[acc.OU]; !seen {
					ous = append(ous, acc.OU)
				}
				byOU[acc.OU] = append(byOU[acc.OU], a)
			}
		}
		for _, env := range []string{"production", "non-production", "not in the map"} {
			if as := byEnv[env]; len(as) > 0 {
				out = append(out, row(fmt.Sprintf("%s (%d)", env, len(as)), as))
			}
		}
		for _, ou := range ous {
			out = append(out, row(fmt.Sprintf("unit %s (%d)", ou, len(byOU[ou])), byOU[ou]))
		}
	}
	return append(out, row(fmt.Sprintf("total (%d)", len(s.Accounts)), s.Accounts))
}

// trend is the class of a change cell ("▲ +1.8%"), empty for other cells.
func trend(c string) string {
	switch {
	case strings.HasPrefix(c, "▲"):
		return "up"
	case strings.HasPrefix(c, "▼"):
		return "down"
	case strings.HasPrefix(c, "= "):
		return "flat"
	}
	return ""
}

// Key is where the HTML report of a run at t is stored in the bucket.
func Key(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("reports/%s/cost-%s.html", t.Format("2006/01/02"), t.Format("20060102T150405Z"))
}
