// Package runtable writes a run report of the night shutdown or the morning restart as a
// plain-text table, as the CLI and the demo print it.
package runtable

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/curfew/curfew/internal/fleet"
)

// Write writes r as a table, one row per resource, and one per account×region that had
// nothing to do or could not be visited, then the totals.
func Write(w io.Writer, r fleet.Report) error {
	title := fmt.Sprintf("%s run %s (%s)", r.Kind, r.RunID, r.Trigger)
	if r.DryRun {
		title += ", dry run: nothing was changed"
	}
	fmt.Fprintf(w, "%s\n\n", title)
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	row := func(cells ...string) { io.WriteString(tw, strings.Join(cells, "\t")+"\n") }
	row("ACCOUNT", "REGION", "TYPE", "RESOURCE", "SIZE", "ACTION", "DETAIL")
	for _, res := range failures(r.Results) {
		if res.Status != fleet.Done {
			row(res.Account, res.Region, "-", "-", "-", string(res.Status), joinDetail(res.Error, res.Reason))
		} else if len(res.Resources) == 0 {
			row(res.Account, res.Region, "-", "-", "-", "nothing to do", "")
		}
		for _, x := range res.Resources {
			size := x.Size
			if size == "" {
				size = "-"
			}
			row(res.Account, res.Region, x.Type, x.ID, size, string(x.Action), joinDetail(x.Error, x.Reason))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := io.WriteString(w, trimLines(buf.String())); err != nil {
		return err
	}
	if err := writeAccounts(w, r); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", summary(r.Totals))
	return err
}

// writeAccounts lists the accounts the run found and left alone, and what it could not
// settle, so that nobody has to guess why an account was not visited.
func writeAccounts(w io.Writer, r fleet.Report) error {
	if len(r.Accounts) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\naccounts not visited:\n")
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	io.WriteString(tw, "ACCOUNT\tFROM\tOUTCOME\tREASON\n")
	for _, n := range r.Accounts {
		account := n.Account
		if account == "" {
			account = "-"
		}
		io.WriteString(tw, strings.Join([]string{account, n.From, n.Outcome, n.Reason}, "\t")+"\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, trimLines(buf.String()))
	return err
}

// summary says what the totals hold, leaving out zero counts.
func summary(t fleet.Totals) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{t.Stopped, "stopped"}, {t.Started, "started"}, {t.WouldStop, "would stop"}, {t.WouldStart, "would start"},
		{t.Skipped, "skipped"}, {t.NotStopped, "not stopped (mid-change; the next run tries again)"},
		{t.LeftStopped, "left stopped (stopped again by someone else)"}, {t.Failed, "failed"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	switch {
	case len(parts) == 0 && t.PairsFailed+t.PairsNotReached > 0:
		parts = append(parts, "nothing done")
	case len(parts) == 0:
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
	if n := t.AccountsSkipped + t.AccountErrors; n > 0 {
		pairs += fmt.Sprintf("; %d account(s) not visited (%d error(s))", n, t.AccountErrors)
	}
	return strings.Join(parts, ", ") + "; " + pairs
}

// joinDetail puts an error before the reason, either may be empty.
func joinDetail(err, reason string) string {
	if err != "" && reason != "" {
		return err + "; " + reason
	}
	return err + reason
}

// trimLines drops the blanks tabwriter leaves after an empty last cell.
func trimLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimSuffix(l, "\n"), " ")
		if strings.HasSuffix(l, "\n") {
			lines[i] += "\n"
		}
	}
	return strings.Join(lines, "")
}
