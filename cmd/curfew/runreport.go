package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/curfew/curfew/internal/fleet"
)

// printReport writes a run report as a table, one row per resource, and one per
// account×region that had nothing to do or could not be visited, then the totals.
func printReport(w io.Writer, r fleet.Report) error {
	title := fmt.Sprintf("%s run %s (%s)", r.Kind, r.RunID, r.Trigger)
	if r.DryRun {
		title += ", dry run: nothing was changed"
	}
	fmt.Fprintf(w, "%s\n\n", title)
	tw := newTable(w)
	tw.Row("ACCOUNT", "REGION", "TYPE", "RESOURCE", "SIZE", "ACTION", "DETAIL")
	for _, res := range r.Results {
		if res.Status != fleet.Done {
			tw.Row(res.Account, res.Region, "-", "-", "-", string(res.Status), joinDetail(res.Error, res.Reason))
		} else if len(res.Resources) == 0 {
			tw.Row(res.Account, res.Region, "-", "-", "-", "nothing to do", "")
		}
		for _, x := range res.Resources {
			size := x.Size
			if size == "" {
				size = "-"
			}
			tw.Row(res.Account, res.Region, x.Type, x.ID, size, string(x.Action), joinDetail(x.Error, x.Reason))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", summary(r.Totals))
	return err
}

// joinDetail puts an error before the reason, either may be empty.
func joinDetail(err, reason string) string {
	if err != "" && reason != "" {
		return err + "; " + reason
	}
	return err + reason
}

// summary says what the totals hold, leaving out zero counts.
func summary(t fleet.Totals) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{t.Stopped, "stopped"}, {t.Started, "started"}, {t.WouldStop, "would stop"}, {t.WouldStart, "would start"},
		{t.Skipped, "skipped"}, {t.Failed, "failed"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no resource matched")
	}
	pairs := fmt.Sprintf("%d account×region pair(s)", t.Pairs)
	for _, c := range []struct {
		n    int
		what string
	}{{t.PairsFailed, "failed"}, {t.PairsNotReached, "not reached"}, {t.PairsHoliday, "on holiday"}} {
		if c.n > 0 {
			pairs += fmt.Sprintf(", %d %s", c.n, c.what)
		}
	}
	return strings.Join(parts, ", ") + "; " + pairs
}

// failures says what failed, for the exit error of a report that Failed().
func failures(t fleet.Totals) string {
	var parts []string
	if t.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d resource(s) failed", t.Failed))
	}
	if t.PairsFailed > 0 {
		parts = append(parts, fmt.Sprintf("%d account×region pair(s) failed", t.PairsFailed))
	}
	if t.PairsNotReached > 0 {
		parts = append(parts, fmt.Sprintf("%d account×region pair(s) not reached before the deadline", t.PairsNotReached))
	}
	return strings.Join(parts, ", ")
}
