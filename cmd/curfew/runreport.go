package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// report is the run report curfew-shutdown and curfew-restart return, decoded from JSON.
type report struct {
	RunID   string    `json:"runId"`
	Kind    string    `json:"kind"`
	Trigger string    `json:"trigger"`
	DryRun  bool      `json:"dryRun"`
	Started time.Time `json:"started"`
	Results []outcome `json:"results"`
}

// outcome is what a run did, or would do, to one resource.
type outcome struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	Error   string `json:"error,omitempty"`
}

func (r *report) failures() int {
	n := 0
	for _, o := range r.Results {
		if o.Error != "" || o.Outcome == "failed" {
			n++
		}
	}
	return n
}

func (r *report) print(w io.Writer) error {
	title := r.Kind
	if r.DryRun {
		title += " (dry run: nothing was changed)"
	}
	fmt.Fprintf(w, "%s run %s\n\n", title, r.RunID)
	if len(r.Results) == 0 {
		_, err := fmt.Fprintln(w, "nothing to do: no resource matched")
		return err
	}
	tw := newTable(w)
	tw.Row("ACCOUNT", "REGION", "TYPE", "RESOURCE", "OUTCOME", "DETAIL")
	counts := map[string]int{}
	for _, o := range r.Results {
		detail := o.Reason
		if o.Error != "" {
			detail = o.Error
		}
		tw.Row(o.Account, o.Region, o.Type, o.ID, o.Outcome, detail)
		counts[o.Outcome]++
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	_, err := fmt.Fprintf(w, "\n%s\n", strings.Join(parts, ", "))
	return err
}
