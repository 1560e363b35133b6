package report_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
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
	for _, want := range []string{`<section class="chart" id="cost-chart">`, `<div class="chart" id="savings-chart">`,
		"Cost per account per day", "Estimated savings", "staging", "failed, see below", "AccessDenied",
		"Amazon Elastic Compute Cloud - Compute", "no forecast", "Aurora cluster"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page has no %q", want)
		}
	}
	if n := strings.Count(dom, "<svg"); n != 2 {
		t.Errorf("the rendered page has %d SVG charts, want 2", n)
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
	if n := pixels(img, blue); n < 2000 {
		t.Errorf("%d pixels of the cost chart's first line colour, want at least 2000: did the chart render?", n)
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
	r.Savings = &cost.Savings{Start: r.Periods.Chart.Start, End: r.Generated}
	html, err := report.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Nothing was stopped by curfew in this period.", "no results from Cost Explorer", "<svg"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the page has no %q", want)
		}
	}
}
