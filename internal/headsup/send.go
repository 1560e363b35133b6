package headsup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/notify"
)

// Channels sends the messages as the cost report sends an owner's report (issue 31):
// email as a message of curfew's topic marked with the owner's address
// (accounts.OwnerMessageAttribute, which only that owner's subscription takes), Slack to
// the webhook in the owner's parameter.
type Channels struct {
	SNS      notify.SNSAPI
	TopicARN string
	Slack    notify.Slack
}

// Send delivers m to its owner.
func (c Channels) Send(ctx context.Context, m Message) error {
	if m.Owner.Email != "" {
		return notify.Publish(ctx, c.SNS, c.TopicARN, m.Owner.Email, m.Subject, m.Text)
	}
	var err error
	if len(m.SlackBlocks) > 0 {
		err = c.Slack.PostBlocks(ctx, m.Owner.Slack, m.Slack, m.SlackBlocks)
	} else {
		err = c.Slack.Post(ctx, m.Owner.Slack, m.Slack)
	}
	if errors.Is(err, notify.ErrNoSlack) {
		err = fmt.Errorf("%w: create it as a SecureString with the owner's webhook URL", err)
	}
	return err
}

// sendAll groups the accounts by owner, in the map's order of owners, and sends each
// owner one message, a few at a time; each owner's outcome is its own.
func (h Handler) sendAll(ctx context.Context, found []*account, now time.Time) []OwnerSummary {
	log := h.logger()
	type pending struct {
		owner accounts.Owner
		as    []*account
	}
	var todo []*pending
	for _, o := range h.Map.AllOwners() {
		p := &pending{owner: o}
		for _, a := range found {
			if slices.Contains(a.owners, o) {
				p.as = append(p.as, a)
			}
		}
		if len(p.as) > 0 {
			todo = append(todo, p)
		}
	}
	out := make([]OwnerSummary, len(todo))
	g := new(errgroup.Group)
	g.SetLimit(h.concurrency())
	for i, p := range todo {
		g.Go(func() error {
			m := compose(p.owner, p.as, now, h.SlackButtons)
			s := OwnerSummary{Owner: p.owner.String(), Accounts: m.Accounts, Links: m.Links}
			if err := h.Sender.Send(ctx, m); err != nil {
				s.Error = cause.Of(err)
				log.ErrorContext(ctx, "send", "action", "heads-up", "outcome", "failed", "owner", s.Owner, "error", err.Error())
			} else {
				s.Sent = true
				log.InfoContext(ctx, "send", "action", "heads-up", "outcome", "ok", "owner", s.Owner, "accounts", len(m.Accounts), "links", m.Links)
			}
			out[i] = s
			return nil
		})
	}
	_ = g.Wait()
	return out
}
