package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

// Triggers a cost report accepts.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// publishReserve is the time kept, before the Lambda's deadline, to publish whatever was
// read when reading runs late.
const publishReserve = 20 * time.Second

// Event is the payload of an invocation.
type Event struct {
	Trigger string `json:"trigger"`
}

// ParseEvent decodes a payload strictly: unknown fields, trailing data and triggers
// other than "schedule" and "manual" are errors. An empty or null event is a manual run,
// as for the shutdown and restart (fleet.DecodePayload).
func ParseEvent(payload []byte) (Event, error) {
	if trimmed := bytes.TrimSpace(payload); len(trimmed) == 0 || string(trimmed) == "null" {
		return Event{Trigger: TriggerManual}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var ev Event
	if err := dec.Decode(&ev); err != nil {
		return Event{}, fmt.Errorf("decode the payload: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Event{}, errors.New("decode the payload: data after the JSON object")
	}
	switch ev.Trigger {
	case TriggerSchedule, TriggerManual:
		return ev, nil
	}
	return Event{}, fmt.Errorf("payload trigger %q: want %q or %q", ev.Trigger, TriggerSchedule, TriggerManual)
}

// CostReader reads the costs of a report made at a given time; cost.Reader is one.
type CostReader interface {
	Read(context.Context, time.Time) *cost.Report
}

// RunHistory reads the runs of the shutdown and restart; history.Store is one.
type RunHistory interface {
	Since(context.Context, time.Time) ([]history.Run, error)
}

var (
	_ CostReader = cost.Reader{}
	_ RunHistory = history.Store{}
)

// Result is what an invocation returns.
type Result struct {
	// Key is where the HTML report was stored; empty if it could not be.
	Key string `json:"key,omitempty"`
	// Requests is how many Cost Explorer requests were answered.
	Requests int `json:"costExplorerRequests"`
	// Failed names the accounts whose costs could not be read.
	Failed []string `json:"failedAccounts,omitempty"`
	// Problems are the outputs that failed without failing the invocation.
	Problems []string `json:"problems,omitempty"`
}

// Handler makes and publishes one cost report per invocation.
type Handler struct {
	Costs     CostReader
	History   RunHistory
	Publisher Publisher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log gets one line per action; nil means slog.Default().
	Log *slog.Logger
}

// Handle reads the costs and the savings, stores the HTML report, publishes the summary
// to SNS and, when the webhook parameter exists, posts it to Slack. Failed accounts and a failed HTML store
// or Slack post are reported, not returned as errors; the invocation fails only when the
// payload is invalid or the summary could not be published, so a retry sends no
// duplicate email.
func (h Handler) Handle(ctx context.Context, payload json.RawMessage) (Result, error) {
	ev, err := ParseEvent(payload)
	if err != nil {
		return Result{}, err
	}
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	readCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		readCtx, cancel = context.WithDeadline(ctx, dl.Add(-publishReserve))
		defer cancel()
	}
	log.Info("cost report", "action", "start", "trigger", ev.Trigger)

	r := h.Costs.Read(readCtx, now)
	res := Result{Requests: r.Requests}
	for _, a := range r.Failed() {
		res.Failed = append(res.Failed, a.Name)
	}
	start := r.Periods.Chart.Start
	if runs, err := h.History.Since(readCtx, start.Add(-cost.HistoryMargin)); err != nil {
		r.SavingsErr = err
		log.Error("read run history", "action", "read-history", "outcome", "failed", "error", err)
	} else {
		r.Savings = cost.Estimate(runs, start, now)
	}

	var link Link
	key := Key(now)
	if page, err := HTML(r); err != nil {
		link.Err = err
	} else {
		link = h.Publisher.StoreHTML(ctx, key, page, now)
	}
	if link.Err != nil {
		res.Problems = append(res.Problems, link.Err.Error())
		log.Error("store HTML report", "action", "store-report", "outcome", "failed", "error", link.Err)
	} else {
		res.Key = key
		log.Info("store HTML report", "action", "store-report", "outcome", "ok", "resource", key)
	}

	subject := Subject(r)
	if err := h.Publisher.Notify(ctx, subject, Text(r, link)); err != nil {
		return res, err // the Lambda runtime logs it
	}
	log.Info("publish summary", "action", "publish", "outcome", "ok", "resource", h.Publisher.TopicARN,
		"requests", r.Requests, "failed_accounts", len(res.Failed))

	if h.Publisher.SlackParameter != "" {
		// Slack gets the link as a link of its own, after the table.
		switch err := h.Publisher.Slack(ctx, subject, Text(r, Link{Err: link.Err}), link); {
		case errors.Is(err, ErrNoSlack):
			log.Info("post to Slack", "action", "slack", "outcome", "skipped", "reason", err.Error())
		case err != nil:
			res.Problems = append(res.Problems, err.Error())
			log.Error("post to Slack", "action", "slack", "outcome", "failed", "error", err)
		default:
			log.Info("post to Slack", "action", "slack", "outcome", "ok")
		}
	}
	return res, nil
}
