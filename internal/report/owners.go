package report

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

// ownerChannel is the channel of an owner's own report, as its delivery marker names it:
// email/<address> or slack/<parameter>.
func ownerChannel(o accounts.Owner) Channel {
	if o.Email != "" {
		return Channel("email/" + o.Email)
	}
	return Channel("slack" + o.Slack)
}

// OwnerKey is where an owner's HTML page is stored: beside the whole report's, named
// for the owner.
func OwnerKey(key string, o accounts.Owner) string {
	name := strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, o.String()), "-.")
	return strings.TrimSuffix(key, ".html") + "-" + name + ".html"
}

// deliverOwners sends each owner whose channel is pending the report of their accounts:
// the slice of r (no Cost Explorer request: cost.Report.For), with the savings estimated
// from their accounts' runs at the same prices (answers the price list gave are reused),
// a page of its own, and the summary by email (an SNS message only their subscription
// takes) or to their Slack webhook. Each failure is a problem line of its own; it returns
// the first failure of each kind (Email, Slack), which fails the invocation. Each success
// is marked per owner, so that a retry sends only what was not sent.
func (h Handler) deliverOwners(ctx context.Context, r *cost.Report, runs []history.Run, prices cost.Prices, key, delivery string,
	pending []Channel, now time.Time, log *slog.Logger, res *Result) map[Channel]error {
	failed := map[Channel]error{}
	for _, o := range h.Costs.Owners() {
		c := ownerChannel(o)
		s := r.For(o)
		rep := OwnerReport{Owner: o.String()}
		for _, a := range s.Accounts {
			rep.Accounts = append(rep.Accounts, a.Name)
		}
		if !slices.Contains(pending, c) {
			rep.AlreadySent = true
			res.Owners = append(res.Owners, rep)
			continue
		}
		if runs != nil && prices != nil {
			s.Savings = cost.EstimateWith(ctx, cost.RunsOf(runs, s.Names()), r.Periods.Chart.Start, now, prices)
			s.Savings.ApplyCoverage(s.Accounts)
		}
		var link Link
		if page, err := HTML(s); err != nil {
			link.Err = err
		} else {
			link = h.Publisher.StoreHTML(ctx, OwnerKey(key, o), page)
		}
		if link.Err != nil {
			log.Error("store an owner's HTML report", "action", "store-report", "outcome", "failed", "owner", o.String(), "error", link.Err)
		} else {
			rep.Key = OwnerKey(key, o)
		}
		var err error
		kind := Email
		if o.Email != "" {
			err = h.Publisher.NotifyOwner(ctx, o.Email, Subject(s), Text(s, link))
		} else {
			kind = Slack
			err = h.Publisher.SlackTo(ctx, o.Slack, Subject(s), Text(s, Link{Err: link.Err}), link)
			if errors.Is(err, ErrNoSlack) {
				err = fmt.Errorf("%w: create it as a SecureString with the owner's webhook URL", err)
			}
		}
		if err != nil {
			if failed[kind] == nil {
				failed[kind] = fmt.Errorf("owner %s: %w", o, err)
			}
			res.Problems = append(res.Problems, problem("the report of owner "+o.String()+" failed", err))
			log.Error("deliver", "action", string(c), "outcome", "failed", "owner", o.String(), "error", err)
			res.Owners = append(res.Owners, rep)
			continue
		}
		rep.Sent = true
		res.Owners = append(res.Owners, rep)
		log.Info("deliver", "action", string(c), "outcome", "ok", "owner", o.String(), "accounts", len(s.Accounts), "delivery", delivery)
		if delivery == "" {
			continue
		}
		if err := h.Publisher.MarkDelivered(ctx, delivery, c, now); err != nil {
			res.Problems = append(res.Problems, problem(string(c)+" not marked delivered", err))
			log.Error("mark delivered", "action", "mark-delivered", "outcome", "failed", "resource", string(c), "error", err)
		}
	}
	return failed
}
