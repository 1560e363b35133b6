package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/cost"
)

//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Parse(pageSource))

// page is what the HTML template shows, formatted for display.
type page struct {
	Title, Subtitle   string
	Cards             []card
	LastMonthHead     string
	ForecastHead      string
	Rows              []accountRow
	Totals            []accountRow
	Notes             []string
	Failed            []failedAccount
	CostChart         template.HTML
	Services          []serviceTable
	SavingsTitle      string
	SavingsChart      template.HTML
	Savings           []savingsRow
	SavingsNotes      []string
	SavingsUnreadable string
	Footer            string
}

type card struct{ Label, Value, Note string }

type accountRow struct {
	Name, Color, Kind                         string
	Yesterday, MonthToDate, LastMonth, Change string
	Trend                                     string // up, down or flat
	Forecast                                  string
	Failed                                    bool
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
// cost per account per day and of the savings, drawn with gonum/plot.
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
	pg := &page{
		Title:         "curfew cost report, " + r.Generated.UTC().Format("Monday 2 January 2006"),
		Subtitle:      fmt.Sprintf("Costs up to the end of %s (UTC days)", p.Yesterday.Start.Format("Mon 2 Jan")),
		LastMonthHead: dayRange(p.LastMonth),
		ForecastHead:  "forecast " + p.MonthToDate.Start.Format("January"),
	}
	if len(cur) == 1 {
		pg.Subtitle += ", amounts in " + cur[0]
	}
	how := "queries per account"
	if r.Mode == cost.Grouped {
		how = "grouped queries in the management account"
	}
	pg.Footer = fmt.Sprintf("Generated %s by curfew-cost-report. Cost Explorer requests for this report: %d (%s). Cost Explorer metric: unblended cost.",
		r.Generated.UTC().Format("2 Jan 2006 15:04 MST"), r.Requests, how)

	for _, t := range r.Totals() {
		suffix := ""
		if !single {
			suffix = " " + t.Currency
		}
		arrow, pct := change(t.MonthToDate, t.LastMonth)
		pg.Cards = append(pg.Cards,
			card{"Month to date" + suffix, amount(t.MonthToDate), fmt.Sprintf("%s %s against %s", arrow, pct, dayRange(p.LastMonth))},
			card{"Yesterday" + suffix, amount(t.Yesterday), p.Yesterday.Start.Format("Mon 2 Jan")})
		fc := card{"Forecast " + p.MonthToDate.Start.Format("January") + suffix, amount(t.Forecast), "month to date + forecast of the rest"}
		switch {
		case t.Forecasts == 0:
			fc.Value, fc.Note = "none", "Cost Explorer gave no forecast"
		case t.ForecastPartial():
			fc.Note = "accounts with a forecast only"
		}
		pg.Cards = append(pg.Cards, fc)
		row := accountRow{Name: "total", Yesterday: amount(t.Yesterday), MonthToDate: amount(t.MonthToDate),
			LastMonth: amount(t.LastMonth), Change: arrow + " " + pct, Trend: trend(arrow), Forecast: totalForecast(t)}
		if !single {
			row.Name += " " + t.Currency
		}
		if t.Forecasts > 0 && t.ForecastPartial() {
			pg.Notes = appendOnce(pg.Notes, "* sum of the accounts that have a forecast.")
		}
		pg.Totals = append(pg.Totals, row)
	}
	if r.Savings != nil {
		pg.Cards = append(pg.Cards, card{"Saved by the night shutdown", amount(r.Savings.Total()) + " " + cost.PriceCurrency,
			fmt.Sprintf("estimate, %s to %s", r.Savings.Start.UTC().Format("2 Jan"), r.Savings.End.UTC().Format("2 Jan"))})
	}
	if p.Forecast.Empty() {
		pg.Notes = append(pg.Notes, p.MonthToDate.Start.Format("January")+" is over: its forecast is what it cost.")
	}

	for _, a := range r.Accounts {
		row := accountRow{Name: a.Name, Color: hex(a.Name), Kind: "non-production"}
		if a.Production {
			row.Kind = "production"
		}
		if a.Err != nil {
			row.Failed = true
			pg.Rows = append(pg.Rows, row)
			pg.Failed = append(pg.Failed, failedAccount{a.Name, a.ID, cost.Reason(a.Err)})
			continue
		}
		arrow, pct := change(a.MonthToDate.Amount, a.LastMonth.Amount)
		row.Yesterday, row.MonthToDate, row.LastMonth = money(a.Yesterday, single), money(a.MonthToDate, single), money(a.LastMonth, single)
		row.Change, row.Trend = arrow+" "+pct, trend(arrow)
		row.Forecast = "no forecast"
		if a.Forecast != nil {
			row.Forecast = money(*a.Forecast, single)
		}
		pg.Rows = append(pg.Rows, row)
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
	if pg.CostChart, err = costChart(r); err != nil {
		return nil, fmt.Errorf("draw the cost chart: %w", err)
	}
	if r.SavingsErr != nil {
		pg.SavingsUnreadable = "The run history could not be read: " + cost.Reason(r.SavingsErr)
	}
	if s := r.Savings; s != nil {
		pg.SavingsTitle = fmt.Sprintf("%s to %s, estimate in %s", s.Start.UTC().Format("2 Jan"), s.End.UTC().Format("2 Jan 15:04 MST"), cost.PriceCurrency)
		if len(s.Accounts) > 0 {
			if pg.SavingsChart, err = savingsChart(r, colors); err != nil {
				return nil, fmt.Errorf("draw the savings chart: %w", err)
			}
		}
		for _, a := range s.Accounts {
			row := savingsRow{Name: a.Account, Color: hex(a.Account), Resources: plural(a.Resources, "resource"),
				Hours: fmt.Sprintf("%.0f h", a.Hours), Saved: amount(a.Saved)}
			if a.UnpricedHours > 0 {
				row.Unpriced = fmt.Sprintf("%.0f h not priced: %s", a.UnpricedHours, strings.Join(a.Unpriced, ", "))
			}
			pg.Savings = append(pg.Savings, row)
		}
		pg.SavingsNotes = append(pg.SavingsNotes, "Based on "+cost.PriceBasis+".",
			"Hours run from the shutdown that stopped a resource to the restart that started it, or to now if it is still stopped.")
		if s.Unmatched > 0 {
			pg.SavingsNotes = append(pg.SavingsNotes, fmt.Sprintf("Not counted: %d stop(s) or start(s) with no counterpart in the run history.", s.Unmatched))
		}
	}
	return pg, nil
}

func trend(arrow string) string {
	switch arrow {
	case "▲":
		return "up"
	case "▼":
		return "down"
	}
	return "flat"
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Key is where the HTML report of a run at t is stored in the bucket.
func Key(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("reports/%s/cost-%s.html", t.Format("2006/01/02"), t.Format("20060102T150405Z"))
}
