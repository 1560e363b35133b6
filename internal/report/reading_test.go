package report_test

import (
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// The summary of the sample map reads in a minute: one screen (~40 lines), no line wider
// than ~100 characters but the console URL, which cannot be broken, one table, and every
// footnote mark in it explained once below it.
func TestSummaryReadsInAMinute(t *testing.T) {
	key := "reports/2026/11/27/cost-20261127T070000Z.html"
	link := report.Link{Location: "s3://curfew-reports/" + key, Console: report.ConsoleURL("eu-west-1", "curfew-reports", key)}
	text := report.Text(sampleReport(), link)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > 40 {
		t.Errorf("the summary has %d lines, want at most 40:\n%s", len(lines), text)
	}
	rules := 0
	for _, l := range lines {
		if n := len([]rune(l)); n > 100 && l != link.Console {
			t.Errorf("a line of %d characters: %q", n, l)
		}
		if strings.HasPrefix(l, "----") {
			rules++
		}
	}
	if rules != 1 {
		t.Errorf("the summary has %d tables, want one:\n%s", rules, text)
	}
	marks := regexp.MustCompile(`\[(\d+)\]`).FindAllStringSubmatch(text, -1)
	explained := map[string]int{}
	for _, l := range lines {
		if m := regexp.MustCompile(`^\[(\d+)\] `).FindStringSubmatch(l); m != nil {
			explained[m[1]]++
		}
	}
	for _, m := range marks {
		if explained[m[1]] != 1 {
			t.Errorf("footnote [%s] is explained %d times, want once:\n%s", m[1], explained[m[1]], text)
		}
	}
	// The whole basis is on the page, not in the mail.
	if strings.Contains(text, "GPU sizes") || strings.Contains(text, "Stops ended") {
		t.Errorf("the summary carries the full basis:\n%s", text)
	}
	page, err := report.HTML(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(html.UnescapeString(string(page))), " ")
	for _, want := range []string{`<h2>How this is computed</h2>`, "GPU sizes", "Stops ended: 132 started by curfew's restart",
		"Cost Explorer requests: 8 (queries per account), 0.08 USD at 0.01 USD each."} {
		if !strings.Contains(flat, want) {
			t.Errorf("the page has no %q", want)
		}
	}
}

// Cost Explorer's Estimated flag is shown: the headline says "estimated" with a footnote
// saying what it means, and so does the page; figures that are final say nothing of it.
func TestEstimatedCostsSaySo(t *testing.T) {
	final := sampleReport()
	estimated := sampleReport()
	estimated.Accounts[1].Estimated = true
	for _, tt := range []struct {
		name string
		r    *cost.Report
		want bool
	}{{"final", final, false}, {"estimated", estimated, true}} {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Join(strings.Fields(report.Text(tt.r, report.Link{})), " ")
			page, err := report.HTML(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			flat := strings.Join(strings.Fields(html.UnescapeString(string(page))), " ")
			if got := strings.Contains(text, "6,426.39 USD, estimated [1]") && strings.Contains(text, "[1] Estimated: Cost Explorer marks"); got != tt.want {
				t.Errorf("the text says estimated: %v, want %v:\n%s", got, tt.want, text)
			}
			if got := strings.Contains(flat, "estimated by Cost Explorer until AWS finalises the bill"); got != tt.want {
				t.Errorf("the page's card says estimated: %v, want %v", got, tt.want)
			}
		})
	}
}

// On the 1st the month is over: its figures are the whole month's, so the report shows
// no forecast (it would repeat them) and does not claim that a forecast is what it cost.
func TestFirstOfMonthShowsTheMonthNotAForecast(t *testing.T) {
	r := sampleReport()
	r.Generated = time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	r.Periods = cost.PeriodsAt(r.Generated)
	r.Accounts[0].Estimated = true
	text := report.Text(r, report.Link{})
	page, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(html.UnescapeString(string(page))), " ")
	for name, out := range map[string]string{"text": text, "HTML": flat} {
		if strings.Contains(out, "forecast is what it cost") || strings.Contains(out, "forecast Nov") || strings.Contains(out, "Forecast November") {
			t.Errorf("the %s shows a forecast of a month that is over", name)
		}
	}
	if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, "Spent in November (1–30 Nov): 6,426.39 USD, estimated [1]") {
		t.Errorf("the text does not give November's spend as estimated:\n%s", text)
	}
	if !strings.Contains(flat, "Spent in November") {
		t.Error("the page's card does not name the month")
	}
}

// At 500 accounts the page's savings table has totals per environment and per unit and
// of every account, each the sum of its rows as shown (rounded to the cent), and a find
// box.
func TestHTMLSavingsTotalsAddUpAt500Accounts(t *testing.T) {
	r := organisationReport(500)
	page, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(page)
	start := strings.Index(doc, `<table id="savings-table">`)
	if start < 0 || !strings.Contains(doc, `id="find-savings"`) {
		t.Fatal("the page has no savings table with a find box")
	}
	tbl := doc[start : start+strings.Index(doc[start:], "</table>")]
	cells := regexp.MustCompile(`</span>([^<]*)</td><td>[^<]*</td><td>[^<]*</td><td>([0-9,.]+)</td>`)
	body, foot, _ := strings.Cut(tbl, "<tfoot>")
	parse := func(s string) float64 {
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var rows float64
	n := 0
	for _, m := range cells.FindAllStringSubmatch(body, -1) {
		rows += parse(m[2])
		n++
	}
	totals := map[string]float64{}
	var envs float64
	for _, m := range regexp.MustCompile(`<tr class="total"><td>([^<]*)</td><td>[^<]*</td><td>[^<]*</td><td>([0-9,.]+)</td>`).FindAllStringSubmatch(foot, -1) {
		totals[m[1]] = parse(m[2])
		if strings.HasPrefix(m[1], "production (") || strings.HasPrefix(m[1], "non-production (") || strings.HasPrefix(m[1], "not in the map (") {
			envs += parse(m[2])
		}
	}
	total, ok := totals["total ("+strconv.Itoa(n)+")"]
	if !ok || n < 300 {
		t.Fatalf("totals = %v over %d rows, want a total of every row", totals, n)
	}
	if math.Abs(total-rows) > 0.001 || math.Abs(envs-total) > 0.001 {
		t.Errorf("total %.2f, rows add to %.2f, environments to %.2f: want all equal", total, rows, envs)
	}
	units := 0
	for name := range totals {
		if strings.HasPrefix(name, "unit ") {
			units++
		}
	}
	if units == 0 {
		t.Errorf("totals = %v, want one per unit", totals)
	}
}

// Yesterday being the 1st, the summary says why it reads high: AWS books tax and monthly
// charges on the 1st. On other days it says nothing of it.
func TestFirstDayOfTheMonthSaysWhyItReadsHigh(t *testing.T) {
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{{time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC), true}, {time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC), false}} {
		r := sampleReport()
		r.Generated, r.Periods = tt.now, cost.PeriodsAt(tt.now)
		text := strings.Join(strings.Fields(report.Text(r, report.Link{})), " ")
		if got := strings.Contains(text, "The 1st of a month carries charges AWS books once a month"); got != tt.want {
			t.Errorf("%s: the summary explains the 1st: %v, want %v:\n%s", tt.now.Format(time.DateOnly), got, tt.want, text)
		}
	}
}
