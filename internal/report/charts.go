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

const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 4 * vg.Inch
)

// sans is the charts' typeface, like the page's; gonum's default is a serif.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// headroom keeps the highest point or bar off the top edge of the data.
const headroom = 1.05

// legendGap is the space between the data and the legend on its right.
const legendGap = vg.Length(12)

// newPlot returns a plot with the report's look: a title, light grid, and a legend that
// svg draws to the right of the data.
func newPlot(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 14)
	p.Title.Padding = vg.Points(8)
	p.Y.Label.Text = yLabel
	p.Y.Label.TextStyle.Font = font.From(sans, 12)
	p.X.Tick.Label.Font = font.From(sans, 10)
	p.Y.Tick.Label.Font = font.From(sans, 10)
	p.Y.Min = 0
	p.Y.Tick.Marker = amountTicks{}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font = font.From(sans, 11)
	p.Legend.Padding = vg.Points(2)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{0xe6}
	grid.Horizontal.Color = color.Gray{0xe6}
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(grid)
	return p
}

// amountTicks puts about five labelled ticks on round amounts, with thousands separators.
type amountTicks struct{}

func (amountTicks) Ticks(min, max float64) []plot.Tick {
	if max <= min {
		return []plot.Tick{{Value: min, Label: amount(min)}}
	}
	raw := (max - min) / 5
	step := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step*m >= raw {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step/1e6; v += step {
		label := amount(v)
		if step >= 1 {
			label = strings.TrimSuffix(label, ".00")
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
		if minor := v + step/2; minor < max {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	return ticks
}

// svg renders p to an SVG element for inlining in the page: the XML prologue goes and
// the fixed size becomes a view box, so the chart scales with the page. The legend goes
// in a column right of the data, level with its top, so that no line or bar runs under
// it however many accounts there are.
func svg(p *plot.Plot) (template.HTML, error) {
	p.Y.Max *= headroom
	c := vgsvg.New(chartWidth, chartHeight)
	dc := draw.New(c)
	legend := p.Legend
	p.Legend = plot.NewLegend()
	area := dc
	if width := legend.Rectangle(dc).Size().X; width > 0 {
		area = draw.Crop(dc, 0, -(width + legendGap), 0, 0)
	}
	p.Draw(area)
	data := p.DataCanvas(area)
	legend.Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: data.Max.X + legendGap, Y: data.Min.Y},
		Max: vg.Point{X: dc.Max.X, Y: data.Max.Y},
	}})
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("no <svg> element in the plot's output")
	}
	s = s[i:]
	size := fmt.Sprintf(`width="%gpt" height="%gpt"`, float64(chartWidth.Points()), float64(chartHeight.Points()))
	s = strings.Replace(s, size, fmt.Sprintf(`viewBox="0 0 %g %g" role="img"`, chartWidth.Points(), chartHeight.Points()), 1)
	return template.HTML(s), nil // gonum wrote it from our own figures and names
}

// costChart draws each account's cost per day over the last 30 days, one line each.
func costChart(r *cost.Report) (template.HTML, error) {
	cur := currencies(r)
	label := "cost per day"
	if len(cur) == 1 {
		label += " (" + cur[0] + ")"
	}
	p := newPlot("Cost per account per day, "+dayRange(r.Periods.Chart), label)
	p.X.Tick.Marker = dayTicks{start: r.Periods.Chart.Start, days: r.Periods.Chart.Days()}
	p.X.Min, p.X.Max = -0.5, float64(r.Periods.Chart.Days())-0.5
	for i, a := range r.Accounts {
		if a.Err != nil || len(a.Daily) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(a.Daily))
		for d, m := range a.Daily {
			xys[d] = plotter.XY{X: float64(d), Y: m.Amount}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return "", fmt.Errorf("chart %s: %w", a.Name, err)
		}
		line.Color, line.Width = colorOf(i), vg.Points(2)
		points.Color, points.Shape, points.Radius = colorOf(i), draw.CircleGlyph{}, vg.Points(2)
		p.Add(line, points)
		p.Legend.Add(a.Name, line, points)
	}
	return svg(p)
}

// savingsChart draws the estimated savings of each day, stacked by account.
func savingsChart(r *cost.Report, accountIndex map[string]int) (template.HTML, error) {
	s := r.Savings
	days := s.Days()
	p := newPlot("Estimated savings of the night shutdown per day", "saved ("+cost.PriceCurrency+")")
	p.X.Tick.Marker = dayTicks{start: days[0], days: len(days)}
	p.X.Min, p.X.Max = -0.5, float64(len(days))-0.5
	var below *plotter.BarChart
	for _, a := range s.Accounts {
		bars, err := plotter.NewBarChart(plotter.Values(a.Daily), vg.Points(14))
		if err != nil {
			return "", fmt.Errorf("chart %s: %w", a.Account, err)
		}
		i, ok := accountIndex[a.Account]
		if !ok {
			i = len(accountIndex)
		}
		bars.Color = colorOf(i)
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(a.Account, bars)
	}
	return svg(p)
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
