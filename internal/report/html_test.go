package report_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/report"
)

const chromium = "/usr/bin/chromium"

// outputDir is where a test keeps files for people to look at: its artifact directory
// with go test -artifacts, else build/test-output/<package>/<test> in the repository, so
// that a plain `make test` keeps them too.
func outputDir(t *testing.T) string {
	t.Helper()
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return t.ArtifactDir()
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "build", "test-output", "report", t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// headless runs Debian's chromium on a page with the flags that keep it off the network.
func headless(t *testing.T, page string, args ...string) []byte {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is missing: install Debian's chromium (apt-get update && apt-get install -y chromium), as `make tools` does", chromium)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

func TestHTMLRendersChartsInChromium(t *testing.T) {
	html, err := report.HTML(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	dir := outputDir(t)
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		t.Fatal(err)
	}

	dom := string(headless(t, page, "--dump-dom"))
	for _, want := range []string{`<section id="cost-charts">`, `<div class="panels" id="savings-charts">`,
		"Cost per day, 28 Oct – 26 Nov", "identity (production)", "staging", "failed, see below", "STS AssumeRole: access denied", "detail in curfew-cost-report's log",
		"Amazon Elastic Compute Cloud - Compute", "6,127.68 *", "run-rate, not a forecast", "DataUnavailableException",
		"Aurora cluster", "Run history since 14 Oct: 44 runs", "1 unreadable object skipped",
		`<title id="cost-222222222222-title">staging: cost per day, 28 Oct – 26 Nov, from 19.00 to 47.52 USD; yesterday 41.87 USD</title>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page has no %q", want)
		}
	}
	// A panel per account that reported (identity, staging, production) and per account
	// with savings (sandbox, staging), each an image with a name.
	if n, named := strings.Count(dom, "<svg"), strings.Count(dom, `role="img" aria-labelledby=`); n != 5 || named != 5 {
		t.Errorf("the rendered page has %d SVG charts, %d named images; want 5", n, named)
	}

	shot := filepath.Join(dir, "report.png")
	headless(t, page, "--screenshot="+shot, "--window-size=1200,2400")
	t.Logf("screenshot: %s", shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The charts draw identity's line in the first colour of the palette and staging's
	// savings bars in the second; the swatches alone are far fewer pixels.
	blue, orange := color.RGBA{0x4e, 0x79, 0xa7, 0xff}, color.RGBA{0xf2, 0x8e, 0x2b, 0xff}
	if n := pixels(img, blue); n < 1000 {
		t.Errorf("%d pixels of the cost chart's first line colour, want at least 1000: did the chart render?", n)
	}
	if n := pixels(img, orange); n < 5000 {
		t.Errorf("%d pixels of the savings chart's staging bars, want at least 5000: did the chart render?", n)
	}
}

// pixels counts the pixels of img within a small distance of c.
func pixels(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near8(r>>8, c.R) && near8(g>>8, c.G) && near8(bl>>8, c.B) {
				n++
			}
		}
	}
	return n
}

func near8(v uint32, want uint8) bool {
	d := int(v) - int(want)
	return d > -12 && d < 12
}

func TestHTMLWithNothingToDraw(t *testing.T) {
	r := sampleReport()
	for i := range r.Accounts {
		r.Accounts[i].Err = errors.New("no results from Cost Explorer")
	}
	r.Savings = cost.EstimateWith(t.Context(), nil, r.Periods.Chart.Start, r.Generated, costtest.Table())
	html, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Nothing was stopped by curfew in this period.", "no results from Cost Explorer", "No account reported costs to draw."} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the page has no %q", want)
		}
	}
	if strings.Contains(string(html), "<svg") {
		t.Error("the page draws a chart of nothing")
	}
}

// TestChartsAreStandaloneSVG parses every chart of the page as an XML document: one
// attribute of each name per element, one view box, role="img" labelled by a non-empty
// <title>; and each account's line has its own dash pattern and marker, not only its own
// colour.
func TestChartsAreStandaloneSVG(t *testing.T) {
	html, err := report.HTML(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	var charts []string
	for {
		i := strings.Index(page, "<svg")
		if i < 0 {
			break
		}
		j := strings.Index(page[i:], "</svg>")
		if j < 0 {
			t.Fatal("an <svg> element is not closed")
		}
		charts = append(charts, page[i:i+j+len("</svg>")])
		page = page[i+j:]
	}
	if len(charts) != 5 {
		t.Fatalf("%d charts, want 5", len(charts))
	}
	lines := map[string]bool{}
	for n, chart := range charts {
		dec := xml.NewDecoder(strings.NewReader(chart))
		dec.Strict = true
		var root *xml.StartElement
		title, inTitle, titleID := "", false, ""
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("chart %d is not XML: %v", n, err)
			}
			switch e := tok.(type) {
			case xml.StartElement:
				seen := map[xml.Name]bool{}
				for _, a := range e.Attr {
					if seen[a.Name] {
						t.Errorf("chart %d: <%s> has %s twice", n, e.Name.Local, a.Name.Local)
					}
					seen[a.Name] = true
				}
				if root == nil {
					root = &e
				}
				if e.Name.Local == "title" {
					inTitle = true
					for _, a := range e.Attr {
						if a.Name.Local == "id" {
							titleID = a.Value
						}
					}
				}
				// A series line: the account's stroke and, after the first, its dashes.
				if e.Name.Local == "path" {
					for _, a := range e.Attr {
						if a.Name.Local == "style" && strings.Contains(a.Value, "stroke-width:1.5") {
							lines[styleOf(a.Value)] = true
						}
					}
				}
			case xml.CharData:
				if inTitle {
					title += string(e)
				}
			case xml.EndElement:
				inTitle = inTitle && e.Name.Local != "title"
			}
		}
		attr := map[string]string{}
		for _, a := range root.Attr {
			attr[a.Name.Local] = a.Value
		}
		if root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" || attr["viewBox"] == "" ||
			attr["role"] != "img" || attr["aria-labelledby"] != titleID || strings.TrimSpace(title) == "" {
			t.Errorf("chart %d: root %v with %v, title %q (id %q): want an svg with a view box, role img, labelled by its title", n, root.Name, attr, title, titleID)
		}
	}
	// identity, staging and production: three colours, three dash patterns.
	if len(lines) != 3 {
		t.Errorf("series line styles %v, want 3 distinct colour and dash pairs", lines)
	}
	dashed := 0
	for l := range lines {
		if strings.Contains(l, "dasharray") {
			dashed++
		}
	}
	if dashed != 2 {
		t.Errorf("%d of the 3 series lines are dashed, want 2 (the first solid): %v", dashed, lines)
	}
}

// styleOf keeps the stroke colour and dash pattern of an SVG style attribute.
func styleOf(style string) string {
	var keep []string
	for _, p := range strings.Split(style, ";") {
		if strings.HasPrefix(p, "stroke:") || strings.HasPrefix(p, "stroke-dasharray:") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ";")
}
