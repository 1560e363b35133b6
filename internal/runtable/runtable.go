// Package runtable writes a run report of the night shutdown or the morning restart as a
// plain-text table, as the CLI and the demo print it.
package runtable

import (
	"fmt"
	"io"
	"strings"

	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/table"
)

// Write writes r as a table, one row per resource, and one per account×region that had
// nothing to do or could not be visited, then the totals.
func Write(w io.Writer, r fleet.Report) error {
	title := fmt.Sprintf("%s run %s (%s)", r.Kind, r.RunID, r.Trigger)
	if r.DryRun {
		title += ", dry run: nothing was changed"
	}
	fmt.Fprintf(w, "%s\n\n", title)
	tw := table.New(w)
	row := tw.Row
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
	tw := table.New(w)
	tw.Row("ACCOUNT", "FROM", "OUTCOME", "REASON")
	for _, n := range r.Accounts {
		account := n.Account
		if account == "" {
			account = "-"
		}
		tw.Row(account, n.From, n.Outcome, n.Reason)
	}
	return tw.Flush()
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
