package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// report is the run report curfew-shutdown and curfew-restart answer with, decoded from
// its JSON (fleet.Report): what one run did per account×region.
type report struct {
	RunID        string         `json:"runId"`
	Kind         string         `json:"kind"`
	Trigger      string         `json:"trigger"`
	DryRun       bool           `json:"dryRun"`
	Started      time.Time      `json:"started"`
	Results      []regionResult `json:"results"`
	Totals       totals         `json:"totals"`
	HistoryError string         `json:"historyError,omitempty"`
}

// regionResult is what a run did in one account×region.
type regionResult struct {
	Account   string     `json:"account"`
	Region    string     `json:"region"`
	Status    string     `json:"status"`
	Reason    string     `json:"reason,omitempty"`
	Error     string     `json:"error,omitempty"`
	Resources []resource `json:"resources"`
}

// resource is what a run did, or would do, to one resource.
type resource struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Size   string `json:"size,omitempty"`
	Action string `json:"action"`
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
}

// totals counts resources by action and account×region pairs by status.
type totals struct {
	Stopped         int `json:"stopped"`
	Started         int `json:"started"`
	WouldStop       int `json:"wouldStop"`
	WouldStart      int `json:"wouldStart"`
	Skipped         int `json:"skipped"`
	Failed          int `json:"failed"`
	Pairs           int `json:"pairs"`
	PairsFailed     int `json:"pairsFailed"`
	PairsNotReached int `json:"pairsNotReached"`
	PairsHoliday    int `json:"pairsHoliday"`
}

// failed reports whether anything went wrong, as fleet.Report.Failed does: a resource
// failed, or an account×region failed or was not reached. A holiday is no failure.
func (r *report) failed() bool {
	t := r.Totals
	return t.Failed > 0 || t.PairsFailed > 0 || t.PairsNotReached > 0
}

// print writes the report as a table, one row per resource, and one per account×region
// that had nothing to do or could not be visited, then the totals.
func (r *report) print(w io.Writer) error {
	title := fmt.Sprintf("%s run %s (%s)", r.Kind, r.RunID, r.Trigger)
	if r.DryRun {
		title += ", dry run: nothing was changed"
	}
	fmt.Fprintf(w, "%s\n\n", title)
	tw := newTable(w)
	tw.Row("ACCOUNT", "REGION", "TYPE", "RESOURCE", "SIZE", "ACTION", "DETAIL")
	for _, res := range r.Results {
		if res.Status != "done" {
			detail := res.Error
			if detail == "" {
				detail = res.Reason
			}
			tw.Row(res.Account, res.Region, "-", "-", "-", res.Status, detail)
		} else if len(res.Resources) == 0 {
			tw.Row(res.Account, res.Region, "-", "-", "-", "nothing to do", "")
		}
		for _, x := range res.Resources {
			detail := x.Reason
			if x.Error != "" && x.Reason != "" {
				detail = x.Error + "; " + x.Reason
			} else if x.Error != "" {
				detail = x.Error
			}
			size := x.Size
			if size == "" {
				size = "-"
			}
			tw.Row(res.Account, res.Region, x.Type, x.ID, size, x.Action, detail)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", r.Totals.summary())
	return err
}

// summary says what the totals hold, leaving out zero counts.
func (t totals) summary() string {
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

// problems counts what failed, for the exit error.
func (r *report) problems() string {
	t := r.Totals
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
