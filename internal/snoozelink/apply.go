package snoozelink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/assume"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snooze"
)

// AssumeSnoozeRole connects to an account's region as its accounts.SnoozeLinkRole, with
// the map's ExternalId.
func AssumeSnoozeRole(base aws.Config, externalID string) func(a accounts.Account, region string) snooze.Clients {
	return func(a accounts.Account, region string) snooze.Clients {
		cfg := assume.Role(base, a.RoleARN(accounts.SnoozeLinkRole), "curfew-snooze-link", externalID)
		cfg.Region = region
		cfg.Retryer = func() aws.Retryer { return retry.NewStandard() }
		return snooze.Clients{EC2: ec2.NewFromConfig(cfg), RDS: rds.NewFromConfig(cfg)}
	}
}

// Origin is what curfew:snoozed-by says of a link sent at sent: "heads-up link of 19:30".
func Origin(sent time.Time, loc *time.Location) string {
	return "heads-up link of " + sent.In(loc).Format("15:04")
}

// apply claims the link's one use, snoozes every resource of l, records what it did, and
// says so. A link claimed already, even by a request this very moment, changes nothing.
func (h *Handler) apply(r request, c Claims, a accounts.Account, l Link) answer {
	use := Use{ID: c.ID, Link: l, At: r.now.UTC(), SourceIP: r.source, Slack: r.slack}
	switch err := h.Store.Claim(r.ctx, use); {
	case errors.Is(err, ErrUsed):
		r.log.Info("request refused", "outcome", "used already")
		return usedRefusal.answer()
	case err != nil:
		r.log.Error("request failed", "outcome", "use not recorded", "error", err.Error())
		return unavailable().answer()
	}
	loc := h.Map.ScheduleFor(a).Location()
	until := l.Until.In(loc).Format(time.RFC3339)
	origin := Origin(l.Sent, loc)
	if r.slack != nil {
		origin = SlackOrigin(l.Sent, loc, *r.slack)
	}
	outcomes := make([]string, len(l.Resources))
	kept := 0
	for i, t := range l.Resources {
		var ok bool
		outcomes[i], ok = h.keepUp(r, a, t, until, origin)
		if ok {
			kept++
		}
	}
	use.Outcomes = outcomes
	if err := h.Store.Complete(r.ctx, use); err != nil {
		r.log.Error("use not completed", "outcome", "history unwritable", "error", err.Error())
	}
	r.log.Info("link applied", "outcome", fmt.Sprintf("%d of %d kept up", kept, len(l.Resources)))
	return applied(a, l, loc, outcomes, kept)
}

// applied is the page of a POST: what was kept up, until when, and what was not.
func applied(a accounts.Account, l Link, loc *time.Location, outcomes []string, kept int) answer {
	p := page{Title: "Kept up tonight", Lines: []string{fmt.Sprintf("In %s, until %s:", name(a), snooze.LocalTime(l.Until, loc))}, Items: outcomes}
	status := http.StatusOK
	if kept < len(l.Resources) {
		p.Title, p.Next = "Partly kept up tonight", "Next: for what was not kept up, "+cliFor(a)+"."
	}
	if kept == 0 {
		status, p.Title = http.StatusBadGateway, "Nothing was kept up"
	}
	return answer{status, p}
}

// keepUp snoozes one resource; the line says what happened, with a short cause.
func (h *Handler) keepUp(r request, a accounts.Account, t Target, until, origin string) (string, bool) {
	what := fmt.Sprintf("%s %s in %s", kindName(t.Type), t.ID, t.Region)
	log := r.log.With("resource", t.ID, "region", t.Region, "action", "snooze")
	ctx, cancel := context.WithTimeout(r.ctx, 20*time.Second)
	defer cancel()
	c := h.Connect(a, t.Region)
	res, err := snooze.Find(ctx, c, t.ID)
	switch {
	case errors.Is(err, snooze.ErrNotFound) || err == nil && res.Type != t.Type:
		log.Info("resource gone", "outcome", "gone")
		return what + ": gone, nothing to keep up", false
	case err != nil:
		log.Error("resource not found", "outcome", "failed", "error", err.Error())
		return what + ": not kept up (" + cause.Of(err) + ")", false
	}
	if err := res.TagBy(ctx, c, until, origin); err != nil {
		log.Error("resource not tagged", "outcome", "failed", "error", err.Error())
		return what + ": not kept up (" + cause.Of(err) + ")", false
	}
	log.Info("resource kept up", "outcome", "kept up", "until", until)
	return what + ": kept up", true
}

// confirmation is the page of a GET: what the link keeps up and until when, and the
// button; it changes nothing.
func confirmation(a accounts.Account, l Link, loc *time.Location, token string) answer {
	items := make([]string, len(l.Resources))
	for i, t := range l.Resources {
		items[i] = fmt.Sprintf("%s %s in %s", kindName(t.Type), t.ID, t.Region)
	}
	these, them := "these", "them"
	if len(items) == 1 {
		these, them = "this", "it"
	}
	return answer{http.StatusOK, page{
		Title: "Keep it up tonight?",
		Lines: []string{
			fmt.Sprintf("Tonight's stop at %s would stop %s in %s:", snooze.LocalTime(l.Stop, loc), these, name(a)),
		},
		Items:  items,
		Token:  token,
		Button: fmt.Sprintf("Keep %s up until %s", them, snooze.LocalTime(l.Until, loc)),
	}}
}

func name(a accounts.Account) string {
	if a.Name != a.ID {
		return fmt.Sprintf("%s (%s)", a.Name, a.ID)
	}
	return a.ID
}

func kindName(typ string) string {
	switch typ {
	case history.EC2Instance:
		return "EC2 instance"
	case history.RDSInstance:
		return "RDS instance"
	}
	return "Aurora cluster"
}
