package report

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/curfew/curfew/internal/cost"
)

// palette gives each account a colour that stays the same in every chart of a report.
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0x59, 0xa1, 0x4f, 0xff},
	{0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff}, {0xed, 0xc9, 0x48, 0xff},
	{0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff}, {0x9c, 0x75, 0x5f, 0xff},
	{0xba, 0xb0, 0xac, 0xff},
}

// colorOf returns the colour of the account at index i of the map.
func colorOf(i int) color.RGBA { return palette[i%len(palette)] }

// glyphs and dashes give each account a marker and a line pattern besides its colour, so
// that no series is told apart by colour alone (for readers who do not see the colours,
// or print the page in grey).
var (
	glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
		draw.BoxGlyph{}, draw.RingGlyph{}, draw.PyramidGlyph{}, draw.PlusGlyph{}}
	dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)},
		{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}, {vg.Points(4), vg.Points(4)}}
)

// Small multiples: one panel per account, each with its own axis, side by side on the
// page. Accounts of 3 and 200 a day share no axis, so that both show their pattern: a log
// scale would hide a weekend stop's zero and make a halving look small.
const (
	panelWidth  = 5 * vg.Inch
	panelHeight = 2.4 * vg.Inch
)

// minAxis is the least top of an amount axis, in the currency: a cent-level account is
// drawn flat near zero instead of on an axis of tenths of a cent.
const minAxis = 1.0

// sans is the charts' typeface, like the page's; gonum's default is a serif.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// headroom keeps the highest point or bar off the top edge of the data.
const headroom = 1.05

// figure is one chart of the page: a standalone SVG document whose <title> (and the
// element's aria-labelledby) names it for screen readers.
type figure struct {
	ID, Title string
	SVG       template.HTML
}

// newPlot returns a plot with the report's look: a title, light grid, amounts from zero.
func newPlot(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 12)
	p.Title.Padding = vg.Points(6)
	p.Y.Label.Text = yLabel
	p.Y.Label.TextStyle.Font = font.From(sans, 10)
	p.X.Tick.Label.Font = font.From(sans, 9)
	p.Y.Tick.Label.Font = font.From(sans, 9)
	p.Y.Min = 0
	p.Y.Tick.Marker = amountTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{0xe6}
	grid.Horizontal.Color = color.Gray{0xe6}
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(grid)
	return p
}

// amountTicks puts about five labelled ticks on round amounts, with thousands separators
// and as many decimals as the step needs, never below a cent: no two labels alike.
type amountTicks struct{}

func (amountTicks) Ticks(min, max float64) []plot.Tick {
	if max <= min {
		return []plot.Tick{{Value: min, Label: tickLabel(min, 1)}}
	}
	raw := (max - min) / 5
	step := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step*m >= raw {
			step *= m
			break
		}
	}
	step = math.Max(step, 0.01)
	var ticks []plot.Tick
	for i := math.Ceil(min/step - 1e-9); i*step <= max+step/1e6; i++ {
		v := i * step
		ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, step)})
		if minor := v + step/2; minor < max {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	return ticks
}

// tickLabel formats v with the decimals a step needs: none for whole steps, one for
// tenths (2.5 needs one), two below.
func tickLabel(v, step float64) string {
	s := amount(v)
	switch {
	case step >= 1 && step == math.Trunc(step):
		return strings.TrimSuffix(s, ".00")
	case step*10 == math.Trunc(step*10):
		return strings.TrimSuffix(s, "0")
	}
	return s
}

// svg renders p as a standalone SVG document for inlining in the page: the XML prologue
// goes, and the root element gets one view box (so that the chart scales with the page),
// role="img" and a <title> it is labelled by.
func svg(p *plot.Plot, id, title string) (template.HTML, error) {
	if top := p.Y.Max * headroom; top > minAxis {
		p.Y.Max = top
	} else {
		p.Y.Max = minAxis
	}
	c := vgsvg.New(panelWidth, panelHeight)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("no <svg> element in the plot's output")
	}
	end := strings.Index(s[i:], ">")
	if end < 0 {
		return "", fmt.Errorf("the plot's <svg> element is not closed")
	}
	titleID := id + "-title"
	root := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 %g %g" role="img" aria-labelledby="%s"><title id="%s">%s</title>`,
		panelWidth.Points(), panelHeight.Points(), titleID, titleID, template.HTMLEscapeString(title))
	return template.HTML(root + s[i+end+1:]), nil // gonum wrote the rest from our own figures and names
}

// costPanels draws each account's cost per day over the last 30 days, a panel each.
func costPanels(r *cost.Report) ([]figure, error) {
	cur := currencies(r)
	unit := ""
	if len(cur) == 1 {
		unit = cur[0] + " "
	}
	var out []figure
	for i, a := range r.Accounts {
		if a.Err != nil || len(a.Daily) == 0 {
			continue
		}
		if len(cur) != 1 {
			unit = a.MonthToDate.Currency + " "
		}
		kind := "non-production"
		if a.Production {
			kind = "production"
		}
		title := func(lo, hi string) string {
			return fmt.Sprintf("%s: cost per day, %s, from %s to %s %s; yesterday %s %s",
				a.Name, dayRange(r.Periods.Chart), lo, hi, a.MonthToDate.Currency, amount(a.Yesterday.Amount), a.Yesterday.Currency)
		}
		f, err := dailyPanel(r.Periods, i, "cost-"+a.ID, a.Name+" ("+kind+")", title, unit, a.Daily)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// dailyPanel draws one series of costs per day of the chart period in the style of series
// i; title gives its accessible name from the lowest and highest day.
func dailyPanel(periods cost.Periods, i int, id, heading string, title func(lo, hi string) string, unit string, daily []cost.Money) (figure, error) {
	p := newPlot(heading, unit+"per day")
	p.X.Tick.Marker = dayTicks{start: periods.Chart.Start, days: periods.Chart.Days()}
	p.X.Min, p.X.Max = -0.5, float64(periods.Chart.Days())-0.5
	xys := make(plotter.XYs, len(daily))
	lo, hi := math.Inf(1), math.Inf(-1)
	for d, m := range daily {
		xys[d] = plotter.XY{X: float64(d), Y: m.Amount}
		lo, hi = math.Min(lo, m.Amount), math.Max(hi, m.Amount)
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return figure{}, fmt.Errorf("chart %s: %w", heading, err)
	}
	line.Color, line.Width, line.Dashes = colorOf(i), vg.Points(1.5), dashes[i%len(dashes)]
	points.Color, points.Shape, points.Radius = colorOf(i), glyphs[i%len(glyphs)], vg.Points(2.5)
	p.Add(line, points)
	name := title(amount(lo), amount(hi))
	chart, err := svg(p, id, name)
	if err != nil {
		return figure{}, err
	}
	return figure{ID: id, Title: name, SVG: chart}, nil
}

// savingsPanels draws the estimated savings of each day, a panel per account.
func savingsPanels(r *cost.Report, accountIndex map[string]int) ([]figure, error) {
	s := r.Savings
	days := s.Days()
	var out []figure
	for n, a := range s.Accounts {
		p := newPlot(a.Account, cost.PriceCurrency+" saved per day")
		p.X.Tick.Marker = dayTicks{start: days[0], days: len(days)}
		p.X.Min, p.X.Max = -0.5, float64(len(days))-0.5
		bars, err := plotter.NewBarChart(plotter.Values(a.Daily), vg.Points(7))
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", a.Account, err)
		}
		i, ok := accountIndex[a.Account]
		if !ok {
			i = len(accountIndex)
		}
		bars.Color = colorOf(i)
		bars.LineStyle.Width = 0
		p.Add(bars)
		title := fmt.Sprintf("%s: estimated savings of the night shutdown per day, %s to %s, %s %s in all",
			a.Account, s.Start.UTC().Format("2 Jan"), s.End.UTC().Format("2 Jan"), amount(a.Saved), cost.PriceCurrency)
		id := fmt.Sprintf("savings-%d", n)
		chart, err := svg(p, id, title)
		if err != nil {
			return nil, err
		}
		out = append(out, figure{ID: id, Title: title, SVG: chart})
	}
	return out, nil
}

// dayTicks labels day indexes from start: every day gets a tick, every seventh a date.
type dayTicks struct {
	start time.Time
	days  int
}

func (d dayTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for i := 0; i < d.days; i++ {
		t := plot.Tick{Value: float64(i)}
		if (d.days-1-i)%7 == 0 {
			t.Label = d.start.AddDate(0, 0, i).Format("2 Jan")
		}
		ticks = append(ticks, t)
	}
	return ticks
}
