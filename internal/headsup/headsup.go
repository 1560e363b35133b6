// Package headsup is the heads-up before the night (issue 30): some time before a stop
// schedule fires, it plans that stop as `curfew plan` does (the shutdown's dry run with
// the schedule's own input), and tells each owner, in one message, what the stop will do
// in their accounts, with links that keep an account, or one of its resources, up
// tonight (package snoozelink). Nothing to stop for an owner: nothing is sent. A failure
// to plan an account, to issue a link or to reach one owner is in the summary and the log
// and never stops the others.
package headsup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/snoozelink"
)

// DefaultConcurrency bounds the plans, links and messages of a run under way at once.
const DefaultConcurrency = 16

// Planner says what a stop would do: the shutdown's dry run of a payload.
type Planner interface {
	Plan(ctx context.Context, p fleet.Payload) (fleet.Report, error)
}

// Sender delivers one owner's message: by email (the topic, marked with the owner's
// address) or to the owner's Slack webhook.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Handler is the heads-up function's handler: main builds it once with its dependencies
// and passes Handle to lambda.Start.
type Handler struct {
	Map     *accounts.Map
	Planner Planner
	Issuer  snoozelink.Issuer
	Sender  Sender
	// Now defaults to clock.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics receives one CloudWatch embedded-metric-format line per run (Failures,
	// Messages); nil for none. The schedule's invocation is asynchronous: its answer is
	// read by nobody, an alarm on Failures is.
	Metrics io.Writer
	// Concurrency bounds the plans, links and messages under way at once
	// (DefaultConcurrency).
	Concurrency int
	// SlackButtons puts a button beside each link of the Slack messages: the map names the
	// Slack app's signing secret, with which the link function checks the presses.
	SlackButtons bool
}

// ErrNothingPlanned means no part of the stop could be planned: nothing was sent, and
// the invocation fails so that its retry may do better.
var ErrNothingPlanned = errors.New("the stop could not be planned")

// Summary is the function's answer: what the heads-up found and whom it told.
type Summary struct {
	// Accounts counts the accounts with something to stop; Resources what they would stop.
	Accounts  int `json:"accounts"`
	Resources int `json:"resources"`
	// Owners are the owners with something to stop in their accounts, in the map's order.
	Owners []OwnerSummary `json:"owners"`
	// Messages counts the messages sent (one per owner at most); Links the links issued.
	Messages int `json:"messages"`
	Links    int `json:"links"`
	// Unowned are the accounts with something to stop and no owner: nobody was told.
	Unowned []string `json:"unowned,omitempty"`
	// Failures say, one line each, what could not be planned, linked or sent.
	Failures []string `json:"failures,omitempty"`
}

// OwnerSummary is what one owner was told.
type OwnerSummary struct {
	Owner    string   `json:"owner"`
	Accounts []string `json:"accounts"`
	Links    int      `json:"links"`
	Sent     bool     `json:"sent"`
	// Error is why the message was not sent, in a few words.
	Error string `json:"error,omitempty"`
}

// Handle decodes the stop schedule's input strictly, plans it, issues the links and
// sends each owner their message. An invalid payload is an error returned before any
// call; so is a stop of which no part could be planned (ErrNothingPlanned). Every other
// failure is in the summary.
func (h Handler) Handle(ctx context.Context, event json.RawMessage) (Summary, error) {
	log := h.logger()
	p, err := fleet.DecodePayload(event)
	if err == nil {
		_, err = p.Targets(h.Map)
	}
	if err != nil {
		log.ErrorContext(ctx, "refused", "action", "heads-up", "outcome", "invalid-payload", "error", err.Error())
		return Summary{}, err
	}
	now := h.now()
	var sum Summary
	plans := h.plan(ctx, p)
	found, failures := h.collect(ctx, plans)
	sum.Failures = append(sum.Failures, failures...)
	if planned(plans) == 0 {
		h.metrics(ctx, now, sum)
		return sum, fmt.Errorf("%w: %d part(s) failed", ErrNothingPlanned, len(plans))
	}
	for _, a := range found {
		a.schedule(h.Map, now)
		sum.Accounts++
		sum.Resources += len(a.stops)
		if len(a.owners) == 0 {
			sum.Unowned = append(sum.Unowned, a.name)
		}
	}
	sum.Links, failures = h.issue(ctx, found, now)
	sum.Failures = append(sum.Failures, failures...)
	for _, o := range h.sendAll(ctx, found, now) {
		sum.Owners = append(sum.Owners, o)
		if o.Sent {
			sum.Messages++
		} else {
			line := fmt.Sprintf("the heads-up of %s was not sent: %s", o.Owner, o.Error)
			if !strings.Contains(o.Error, "create it as") {
				line += "; check the owner's address or webhook parameter, and the function's log"
			}
			sum.Failures = append(sum.Failures, line)
		}
	}
	h.metrics(ctx, now, sum)
	log.InfoContext(ctx, "heads-up", "action", "heads-up", "outcome", outcome(sum), "accounts", sum.Accounts,
		"resources", sum.Resources, "owners", len(sum.Owners), "messages", sum.Messages, "links", sum.Links, "failures", len(sum.Failures))
	return sum, nil
}

// MetricsFunction is the Function dimension of the heads-up's metrics.
const MetricsFunction = accounts.HeadsUpFunction

// metrics writes the run's metrics to Metrics, when set.
func (h Handler) metrics(ctx context.Context, at time.Time, s Summary) {
	if h.Metrics == nil {
		return
	}
	if err := writeMetrics(h.Metrics, at, s); err != nil {
		h.logger().ErrorContext(ctx, "metrics", "action", "metrics", "outcome", "failed", "error", err.Error())
	}
}

// writeMetrics writes one CloudWatch embedded-metric-format line in the curfew namespace:
// Failures (lines of the summary) and Messages (sent) of the run.
func writeMetrics(w io.Writer, at time.Time, s Summary) error {
	line, err := json.Marshal(map[string]any{
		"Function": MetricsFunction, "Failures": len(s.Failures), "Messages": s.Messages,
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace":  "curfew",
				"Dimensions": [][]string{{"Function"}},
				"Metrics":    []map[string]string{{"Name": "Failures", "Unit": "Count"}, {"Name": "Messages", "Unit": "Count"}},
			}},
		},
	})
	if err != nil {
		return err
	}
	_, err = w.Write(append(line, '\n'))
	return err
}

func outcome(s Summary) string {
	if len(s.Failures) > 0 {
		return "failed"
	}
	return "ok"
}

func (h Handler) now() time.Time {
	return clock.Or(h.Now)
}

func (h Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.New(slog.NewJSONHandler(io.Discard, nil))
}

func (h Handler) concurrency() int {
	if h.Concurrency > 0 {
		return h.Concurrency
	}
	return DefaultConcurrency
}
