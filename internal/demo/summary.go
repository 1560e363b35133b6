package demo

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/report"
)

// summary is what the demo's last lines say: what curfew stopped and started in the
// month, what the cost report says it saved, and where the page is.
type summary struct {
	stopped, started int
	saved            []report.Saved
	// keptUp says what tonight's heads-up link kept up, and for whom.
	keptUp string
}

// write prints the summary a person reads in ten seconds.
func (s summary) write(w io.Writer, d *Demo) {
	m := d.month
	fmt.Fprintf(w, "\ncurfew's month in moto, %s to %s (%d nights):\n", m.nights[0].stop.Format("2 Jan"), m.nights[len(m.nights)-1].morning.Format("2 Jan 2006"), len(m.nights))
	var where []string
	for _, name := range d.state.Stops {
		if a := d.state.Before[name].Account; !slices.Contains(where, a) {
			where = append(where, a)
		}
	}
	fmt.Fprintf(w, "  stopped  %d resources each night in %s (%s), %d stops in all; production untouched\n",
		len(d.state.Stops), strings.Join(where, " and "), strings.Join(d.state.Stops, ", "), s.stopped)
	fmt.Fprintf(w, "  started  every morning, %d starts in all: everything came back; %s, stopped by a person, stayed stopped\n",
		s.started, strings.Join(d.state.StoppedByPerson, ", "))
	var parts []string
	for _, a := range s.saved {
		parts = append(parts, fmt.Sprintf("%s %s (%.0f h)", a.Account, a.Saved, a.Hours))
	}
	fmt.Fprintf(w, "  saved    %s %s, list price down to discount coverage\n", strings.Join(parts, ", "), cost.PriceCurrency)
	fmt.Fprintf(w, "  report   %s (open it in a browser)\n", d.rel(d.opts.Report))
	if s.keptUp != "" {
		fmt.Fprintf(w, "  tonight  %s\n", s.keptUp)
	}
}
