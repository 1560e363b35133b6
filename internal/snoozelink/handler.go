package snoozelink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snooze"
)

// Handler serves the link function's requests (a Lambda function URL): GET shows what a
// link keeps up and a button; POST from that page applies it. Every request is
// rate-limited and its token verified before any AWS call; the account is checked against
// the map before any call to it.
type Handler struct {
	Map *accounts.Map
	// Key is the signing key (LoadKey).
	Key []byte
	// Store is the history bucket where the links and their uses are.
	Store Store
	// Connect returns the clients of one account and region, as accounts.SnoozeLinkRole
	// (AssumeSnoozeRole).
	Connect func(a accounts.Account, region string) snooze.Clients
	Logger  *slog.Logger
	// Now is the clock; clock.Now when nil.
	Now func() time.Time
	// Limiter limits requests per source and overall; a Handler without one makes its own.
	Limiter *Limiter
	// Found reads the accounts the last run found in the map's units (FoundAccounts);
	// without it, a link for an account the map does not list is refused.
	Found func(ctx context.Context) (accountlist.List, error)
	// SlackSecret is the Slack app's signing secret (LoadSlackSecret); without it, presses
	// of buttons in Slack are refused.
	SlackSecret []byte
	// SlackReply posts the answer of a press to its response_url, where Slack shows it;
	// nil posts nothing (Slack then shows no answer, and the snooze stands).
	SlackReply *http.Client
}

// request is one request being served.
type request struct {
	ctx    context.Context
	method string
	source string
	now    time.Time
	log    *slog.Logger
	// slack is who pressed the button, for a press in Slack.
	slack *SlackUser
}

// Handle answers one request with a page (or, for a press of a button in Slack, with
// Slack's JSON message); it never returns an error, so that a person always reads a page
// rather than Lambda's.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	r := h.begin(ctx, req)
	if h.Limiter == nil {
		h.Limiter = &Limiter{} // Lambda serves one request at a time per instance
	}
	if !h.Limiter.Allow(r.source, r.now) {
		r.log.Warn("request refused", "outcome", "rate limited")
		limited := refusal{http.StatusTooManyRequests, "The request was not served", "too many requests in the last minute", "wait a minute and open the link again"}
		if isSlack(req) {
			return slackRefusal(limited), nil
		}
		return limited.response(), nil
	}
	if isSlack(req) {
		return h.slack(r, req), nil
	}
	token, bad := tokenOf(req)
	if bad != nil {
		r.log.Info("request refused", "outcome", bad.why)
		return bad.response(), nil
	}
	return h.serve(r, token).response(), nil
}

func (h *Handler) begin(ctx context.Context, req events.LambdaFunctionURLRequest) request {
	now := clock.Now
	if h.Now != nil {
		now = h.Now
	}
	log := h.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	source := req.RequestContext.HTTP.SourceIP
	method := req.RequestContext.HTTP.Method
	return request{ctx: ctx, method: method, source: source, now: now(), log: log.With("method", method, "source", source)}
}

// serve checks the token, the account and the link, then shows or applies it.
func (h *Handler) serve(r request, token string) answer {
	c, err := Verify(h.Key, token, r.now)
	if err != nil {
		r.log.Info("request refused", "outcome", "bad token", "error", err.Error())
		return tokenRefusal(err).answer()
	}
	r.log = r.log.With("link", c.ID, "account", c.Account)
	a, bad := h.account(r.ctx, c.Account)
	if bad != nil {
		r.log.Warn("request refused", "outcome", bad.why)
		return bad.answer()
	}
	l, bad := h.link(r, c, a)
	if bad != nil {
		return bad.answer()
	}
	used, err := h.Store.Used(r.ctx, c.ID)
	switch {
	case err != nil:
		r.log.Error("request failed", "outcome", "history unreadable", "error", err.Error())
		return unavailable().answer()
	case used:
		r.log.Info("request refused", "outcome", "used already")
		return usedRefusal.answer()
	case r.method == http.MethodGet:
		r.log.Info("confirmation shown", "outcome", "shown")
		return confirmation(a, l, h.Map.ScheduleFor(a).Location(), token)
	}
	return h.apply(r, c, a, l)
}

// tokenRefusal says why a token is refused, without its details (they are logged).
func tokenRefusal(err error) refusal {
	switch {
	case errors.Is(err, ErrExpired):
		return refusal{http.StatusGone, "The link was not applied", "it has expired: it was good until that night's stop", nextCLI}
	case errors.Is(err, ErrSignature):
		return refusal{http.StatusForbidden, "The link was not applied", "its signature does not match (changed, or signed with an older key)", "open the link from the heads-up unchanged, or " + nextCLI}
	case errors.Is(err, ErrShortKey):
		return unavailable()
	}
	return refusal{http.StatusBadRequest, "The link was not applied", "it is damaged or incomplete", "open the link from the heads-up unchanged (some mail programs cut long links), or " + nextCLI}
}

// usedRefusal answers a link used already.
var usedRefusal = refusal{http.StatusConflict, "The link was not applied again", "it was used already, and a link works once", "nothing more to do; to change the snooze, " + nextCLI}

func unavailable() refusal {
	return refusal{http.StatusServiceUnavailable, "The link was not applied", "curfew could not reach its records", "try again in a few minutes, or " + nextCLI}
}

// account is the swept account id names in the map, or found in its units: never
// production, never an account the shutdown leaves alone.
func (h *Handler) account(ctx context.Context, id string) (accounts.Account, *refusal) {
	for _, a := range h.Map.Accounts {
		if a.ID != id {
			continue
		}
		if a.IsProduction() {
			return a, &refusal{http.StatusForbidden, "The link was not applied", fmt.Sprintf("%s is a production account, which curfew never touches", a.Name), "nothing to do: the shutdown never stops it"}
		}
		if !a.ShutdownEnabled() || a.Name == h.Map.Identity {
			return a, &refusal{http.StatusForbidden, "The link was not applied", fmt.Sprintf("the shutdown leaves %s alone", a.Name), "nothing to do: the shutdown does not stop it"}
		}
		return a, nil
	}
	return h.foundAccount(ctx, id)
}

// link reads the link of c and checks it against the map: tonight's stop, its account's
// regions and the kinds a link may snooze.
func (h *Handler) link(r request, c Claims, a accounts.Account) (Link, *refusal) {
	l, err := h.Store.Link(r.ctx, c)
	switch {
	case errors.Is(err, ErrNoLink):
		r.log.Warn("request refused", "outcome", "no link on record")
		return l, &refusal{http.StatusNotFound, "The link was not applied", "curfew has no record of it", nextCLI}
	case errors.Is(err, ErrAltered):
		r.log.Error("request refused", "outcome", "link on record altered")
		return l, &refusal{http.StatusForbidden, "The link was not applied", "its record was changed since the heads-up signed it", "ask the owner of curfew's home account to look into it, or " + nextCLI}
	case err != nil:
		r.log.Error("request failed", "outcome", "link unreadable", "error", err.Error())
		return l, ptr(unavailable())
	}
	if why := h.checkLink(l, a, r.now); why != "" {
		r.log.Warn("request refused", "outcome", why)
		return l, &refusal{http.StatusForbidden, "The link was not applied", why, cliFor(a)}
	}
	return l, nil
}

func ptr(r refusal) *refusal { return &r }

// linkTypes are the kinds a link may snooze.
var linkTypes = map[string]bool{history.EC2Instance: true, history.RDSInstance: true, history.AuroraCluster: true}

// checkLink says why l may not be applied now, or "".
func (h *Handler) checkLink(l Link, a accounts.Account, now time.Time) string {
	s := h.Map.ScheduleFor(a)
	next, ok := s.NextStop(now)
	switch {
	case !ok || !next.Equal(l.Stop):
		return "it is for another night than the next stop"
	case !l.Until.After(l.Stop) || l.Until.Sub(now) > snooze.Max:
		return "its snooze does not end the morning after the stop"
	case len(l.Resources) == 0:
		return "it names nothing to keep up"
	}
	for _, t := range l.Resources {
		if !linkTypes[t.Type] || !slices.Contains(a.Regions, t.Region) || t.ID == "" {
			return "it names a resource the shutdown does not stop in that account"
		}
	}
	return ""
}
