package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/curfew/curfew/internal/fleet"
)

// table writes aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer) *table {
	return &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
}

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

func (t *table) flush() error { return t.tw.Flush() }

// printReport writes a run report of the shutdown or restart: one row per resource, one
// per account×region with nothing to do or not visited, then the totals.
func printReport(w io.Writer, r fleet.Report) error {
	fmt.Fprintf(w, "%s run %s (%s)\n", r.Kind, r.RunID, r.Trigger)
	t := newTable(w)
	t.row("ACCOUNT", "REGION", "TYPE", "RESOURCE", "SIZE", "ACTION", "DETAIL")
	for _, res := range r.Results {
		if res.Status != fleet.Done {
			t.row(res.Account, res.Region, "-", "-", "-", string(res.Status), res.Error+res.Reason)
		} else if len(res.Resources) == 0 {
			t.row(res.Account, res.Region, "-", "-", "-", "nothing to do", "")
		}
		for _, x := range res.Resources {
			detail := x.Reason
			if x.Error != "" {
				detail = strings.TrimPrefix(x.Error+"; "+x.Reason, "; ")
			}
			t.row(res.Account, res.Region, x.Type, x.ID, orDash(x.Size), string(x.Action), detail)
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	tt := r.Totals
	_, err := fmt.Fprintf(w, "totals: %d stopped, %d started, %d skipped, %d failed; %d account×region pair(s)\n",
		tt.Stopped, tt.Started, tt.Skipped, tt.Failed, tt.Pairs)
	return err
}
