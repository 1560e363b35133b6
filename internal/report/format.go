package report

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/curfew/curfew/internal/cost"
)

// amount formats v with two decimals and thousands separators: 1,234.50.
func amount(v float64) string {
	s := fmt.Sprintf("%.2f", math.Abs(v))
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && s != "0.00" {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "." + frac
}

// change describes the cost now, over the days of current, against the cost before, over
// the days of previous, with an arrow: "▲ +12.5%", "▼ -3.0%", "= 0.0%". It compares daily
// averages (cost.Change), so that periods of different lengths compare like with like.
func change(now float64, current cost.Range, before float64, previous cost.Range) (arrow, text string) {
	c, ok := cost.Change(now, current, before, previous)
	if !ok {
		return "▲", "new"
	}
	pct := c * 100
	switch {
	case math.Abs(pct) < 0.05:
		return "=", "0.0%"
	case pct > 0:
		return "▲", fmt.Sprintf("+%.1f%%", pct)
	}
	return "▼", fmt.Sprintf("%.1f%%", pct)
}

// comparison says which days a change compares: "1–26 Nov (26 days) against 1–26 Oct (26
// days)", and that daily averages are compared when the day counts differ.
func comparison(current, previous cost.Range) string {
	s := fmt.Sprintf("%s (%s) against %s (%s)", dayRange(current), plural(current.Days(), "day"),
		dayRange(previous), plural(previous.Days(), "day"))
	if current.Days() != previous.Days() {
		s = "the daily average of " + strings.Replace(s, " against ", " against that of ", 1)
	}
	return s
}

// money formats m, with its currency unless the whole report is in one.
func money(m cost.Money, single bool) string {
	if single {
		return amount(m.Amount)
	}
	return amount(m.Amount) + " " + m.Currency
}

// currencies returns the distinct currencies of the accounts that reported.
func currencies(r *cost.Report) []string {
	var out []string
	for _, t := range r.Totals() {
		out = append(out, t.Currency)
	}
	return out
}

// dayRange formats a range of whole days for people: "1–26 Oct", "28 Oct – 26 Nov".
func dayRange(r cost.Range) string {
	last := r.End.AddDate(0, 0, -1)
	switch {
	case r.Empty():
		return "no days"
	case last.Equal(r.Start):
		return r.Start.Format("2 Jan")
	case last.Month() == r.Start.Month():
		return fmt.Sprintf("%d–%s", r.Start.Day(), last.Format("2 Jan"))
	}
	return r.Start.Format("2 Jan") + " – " + last.Format("2 Jan")
}

// pad fits s to width runes, on the left (right-aligned) or the right.
func pad(s string, width int, right bool) string {
	n := width - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

// plural returns "1 resource", "2 resources".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// wrap breaks text into lines of at most width runes, at spaces, each ending in a newline.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Fields(text) {
		n := utf8.RuneCountInString(w)
		if i > 0 && line+1+n > width {
			b.WriteString("\n")
			line = 0
		} else if i > 0 {
			b.WriteString(" ")
			line++
		}
		b.WriteString(w)
		line += n
	}
	return b.String() + "\n"
}

// table lays rows out in columns two spaces apart, for a fixed-width font. A row with
// fewer cells than columns lets its last cell run on; a nil row is a rule.
type table struct {
	right []bool // right-align column i
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) rule() { t.rows = append(t.rows, nil) }

func (t *table) String() string {
	widths := make([]int, len(t.right))
	for _, r := range t.rows {
		if len(r) < len(widths) {
			continue
		}
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	total := 0
	for _, w := range widths {
		total += w + 2
	}
	var b strings.Builder
	for _, r := range t.rows {
		if r == nil {
			b.WriteString(strings.Repeat("-", total-2) + "\n")
			continue
		}
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			if i == len(r)-1 && len(r) < len(widths) {
				line.WriteString(c)
				break
			}
			line.WriteString(pad(c, widths[i], t.right[i]))
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}
