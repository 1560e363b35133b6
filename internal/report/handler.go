package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/clock"
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

// CostReader reads the costs of a report made at a given time, and names the owners who
// get a slice of it; cost.Reader is one.
type CostReader interface {
	Read(context.Context, time.Time) *cost.Report
	Owners() []accounts.Owner
}

// RunHistory reads the runs of the shutdown and restart, skipping unreadable objects;
// history.Store is one.
type RunHistory interface {
	Read(context.Context, time.Time) (history.Scan, error)
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
	// Delivered are the channels that got the report in this invocation; Skipped those
	// an earlier invocation of the same delivery already reached.
	Delivered []Channel `json:"delivered,omitempty"`
	Skipped   []Channel `json:"alreadyDelivered,omitempty"`
	// Problems are what failed, the invocation failing or not.
	Problems []string `json:"problems,omitempty"`
	// Saved is what the night shutdown saved per account, as the report shows it.
	Saved []Saved `json:"saved,omitempty"`
	// Owners are the owners' own reports: who got which accounts.
	Owners []OwnerReport `json:"owners,omitempty"`
}

// OwnerReport is one owner's report of an invocation.
type OwnerReport struct {
	Owner    string   `json:"owner"`
	Accounts []string `json:"accounts"`
	// Key is where the owner's HTML page was stored; empty if it could not be.
	Key string `json:"key,omitempty"`
	// Sent says the owner got it in this invocation; AlreadySent in an earlier one.
	Sent        bool `json:"sent,omitempty"`
	AlreadySent bool `json:"alreadySent,omitempty"`
}

// Saved is one account's line of the report's savings: its stopped hours and the
// estimate, a range down to its discount coverage when that was read, in
// cost.PriceCurrency.
type Saved struct {
	Account   string  `json:"account"`
	Resources int     `json:"resources"`
	Hours     float64 `json:"hours"`
	Saved     string  `json:"saved"`
}

// Channel is where a report goes.
type Channel string

// The channels of a report: the email summary (SNS), Slack, and the HTML page in S3 that
// both link to.
const (
	Email Channel = "email"
	Slack Channel = "slack"
	Page  Channel = "page"
)

// Handler makes and publishes one cost report per invocation.
type Handler struct {
	Costs     CostReader
	History   RunHistory
	Publisher Publisher
	// Now is the clock; nil means clock.Now.
	Now func() time.Time
	// Log gets one line per action; nil means slog.Default().
	Log *slog.Logger
	// Metrics receives one CloudWatch embedded-metric-format line per invocation with
	// the failed deliveries per channel; nil for none.
	Metrics io.Writer
	// Pricing prices the savings from AWS's price list, a fresh cache each run, with
	// Table as its fallback; nil means Table alone.
	Pricing cost.PricingAPI
	// Table is the price table; the zero Table is the bundled one.
	Table cost.Table
}

// Delivery names one report's delivery, so that a retry of the same invocation (Lambda's
// async retries keep the request id; the scheduler's retries keep the day) sends nothing
// twice: the scheduled report of a UTC day, or a manual run's request. Empty for a manual
// run outside Lambda: every such run sends.
func Delivery(ctx context.Context, ev Event, now time.Time) string {
	if ev.Trigger == TriggerSchedule {
		return "schedule-" + now.UTC().Format(time.DateOnly)
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return "manual-" + lc.AwsRequestID
	}
	return ""
}

// Handle reads the costs and the savings, stores the HTML report, publishes the summary
// to SNS and, when the webhook parameter exists, posts it to Slack. Each channel is tried
// whatever happened to the others; after each success a marker in the bucket records it,
// and channels already marked for the same delivery are not sent again — when every
// channel is, nothing is read at all. The invocation fails when the payload is invalid or
// the email or Slack failed (so that Lambda's retry tries them again); failed accounts and
// a failed HTML page are reported in the summary and counted in the metrics.
func (h Handler) Handle(ctx context.Context, payload json.RawMessage) (Result, error) {
	ev, err := ParseEvent(payload)
	if err != nil {
		return Result{}, err
	}
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	now := clock.Or(h.Now)
	delivery := Delivery(ctx, ev, now)
	log.Info("cost report", "action", "start", "trigger", ev.Trigger, "delivery", delivery)
	var res Result
	channels := []Channel{Email}
	if h.Publisher.SlackParameter != "" {
		channels = append(channels, Slack)
	}
	sent := map[Channel]bool{}
	if delivery != "" {
		// When the markers cannot be read, sending twice beats not sending.
		if sent, err = h.Publisher.Delivered(ctx, delivery); err != nil {
			res.Problems = append(res.Problems, problem("delivery markers not read", err))
			log.Error("read delivery markers", "action", "check-delivered", "outcome", "failed", "error", err)
			sent = map[Channel]bool{}
		}
	}
	for _, o := range h.Costs.Owners() {
		channels = append(channels, ownerChannel(o))
	}
	var pending []Channel
	for _, c := range channels {
		if sent[c] {
			res.Skipped = append(res.Skipped, c)
			log.Info("deliver", "action", string(c), "outcome", "already-delivered", "delivery", delivery)
			continue
		}
		pending = append(pending, c)
	}
	if len(pending) == 0 {
		return res, nil // no Cost Explorer query: they are billed
	}

	readCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		readCtx, cancel = context.WithDeadline(ctx, dl.Add(-publishReserve))
		defer cancel()
	}
	r := h.Costs.Read(readCtx, now)
	res.Requests = r.Requests
	for _, a := range r.Failed() {
		res.Failed = append(res.Failed, a.Name)
	}
	runs, prices := h.readHistory(readCtx, r, now, log)
	if r.Savings != nil {
		for _, a := range r.Savings.Accounts {
			res.Saved = append(res.Saved, Saved{Account: a.Account, Resources: a.Resources, Hours: a.Hours, Saved: savedRange(a)})
		}
	}

	failed := map[Channel]error{}
	var link Link
	key := Key(now)
	if page, err := HTML(r); err != nil {
		link.Err = err
	} else {
		link = h.Publisher.StoreHTML(ctx, key, page)
	}
	if link.Err != nil {
		failed[Page] = link.Err
		log.Error("store HTML report", "action", "store-report", "outcome", "failed", "error", link.Err)
	} else {
		res.Key = key
		log.Info("store HTML report", "action", "store-report", "outcome", "ok", "resource", key)
	}

	subject := Subject(r)
	for _, c := range pending {
		if !slices.Contains([]Channel{Email, Slack}, c) {
			continue // an owner's, below
		}
		var err error
		switch c {
		case Email:
			err = h.Publisher.Notify(ctx, subject, Text(r, link))
		case Slack:
			// Slack gets the link as a link of its own, after the table.
			err = h.Publisher.Slack(ctx, subject, Text(r, Link{Err: link.Err}), link)
			if errors.Is(err, ErrNoSlack) {
				log.Info("deliver", "action", string(c), "outcome", "skipped", "reason", err.Error())
				continue
			}
		}
		if err != nil {
			failed[c] = err
			log.Error("deliver", "action", string(c), "outcome", "failed", "error", err)
			continue
		}
		res.Delivered = append(res.Delivered, c)
		log.Info("deliver", "action", string(c), "outcome", "ok", "delivery", delivery, "requests", r.Requests, "failed_accounts", len(res.Failed))
		if delivery == "" {
			continue
		}
		if err := h.Publisher.MarkDelivered(ctx, delivery, c, now); err != nil {
			res.Problems = append(res.Problems, problem(string(c)+" not marked delivered", err))
			log.Error("mark delivered", "action", "mark-delivered", "outcome", "failed", "resource", string(c), "error", err)
		}
	}
	owners := h.deliverOwners(ctx, r, runs, prices, key, delivery, pending, now, log, &res)
	var errs []error
	for _, c := range []Channel{Page, Email, Slack} {
		if err := failed[c]; err != nil {
			res.Problems = append(res.Problems, problem(string(c)+" failed", err))
			if c != Page {
				errs = append(errs, fmt.Errorf("%s: %w", c, err))
			}
		}
	}
	for _, c := range []Channel{Email, Slack} {
		if err := owners[c]; err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c, err))
			if failed[c] == nil {
				failed[c] = err // the metric counts the channel failing, for anyone
			}
		}
	}
	if h.Metrics != nil {
		if err := writeMetrics(h.Metrics, now, failed); err != nil {
			log.Error("write metrics", "error", err)
		}
	}
	return res, errors.Join(errs...)
}

// problem is one line of Result.Problems: what failed and its cause; the error whole is
// in the log.
func problem(what string, err error) string {
	return what + ": " + cause.Of(err) + " (" + inLog + ")"
}

// readHistory reads the run history into the report's savings and history health. Only
// a history that cannot be listed loses the savings; an unreadable object is skipped and
// counted. It returns the runs and the prices it used, for the owners' savings (nil runs
// when the history could not be listed).
func (h Handler) readHistory(ctx context.Context, r *cost.Report, now time.Time, log *slog.Logger) ([]history.Run, cost.Prices) {
	start := r.Periods.Chart.Start
	since := start.Add(-cost.HistoryMargin)
	scan, err := h.History.Read(ctx, since)
	if err != nil {
		r.SavingsErr = err
		log.Error("read run history", "action", "read-history", "outcome", "failed", "error", err)
		return nil, nil
	}
	health := &cost.HistoryHealth{Since: since, Runs: len(scan.Runs)}
	for _, run := range scan.Runs {
		switch run.Kind {
		case history.Shutdown:
			health.Shutdowns++
		case history.Restart:
			health.Restarts++
		}
		health.Latest = run.Started
	}
	for _, u := range scan.Unreadable {
		reason := cause.Of(u.Err)
		var syntax *json.SyntaxError
		if errors.As(u.Err, &syntax) || errors.Is(u.Err, io.ErrUnexpectedEOF) {
			reason = "not a run summary: " + errors.Unwrap(u.Err).Error()
		}
		health.Unreadable = append(health.Unreadable, cost.Unreadable{Key: u.Key, Reason: reason})
		log.Error("read run", "action", "read-history", "outcome", "skipped", "resource", u.Key, "error", u.Err)
	}
	r.History = health
	var prices cost.Prices = h.Table
	if h.Pricing != nil {
		prices = &cost.PriceList{Client: h.Pricing, Log: log, Table: h.Table}
	}
	r.Savings = cost.EstimateWith(ctx, scan.Runs, start, now, prices)
	r.Savings.ApplyCoverage(r.Accounts)
	log.Info("read run history", "action", "read-history", "outcome", "ok", "runs", health.Runs, "unreadable", len(health.Unreadable))
	return scan.Runs, prices
}

// writeMetrics writes one CloudWatch embedded-metric-format line: DeliveryFailed, 0 or 1,
// per channel, so that an alarm on it reaches people without going through the channel
// that failed.
func writeMetrics(w io.Writer, at time.Time, failed map[Channel]error) error {
	for _, c := range []Channel{Email, Slack, Page} {
		n := 0
		if failed[c] != nil {
			n = 1
		}
		line := map[string]any{
			"Function": "curfew-cost-report", "Channel": string(c), "DeliveryFailed": n,
			"_aws": map[string]any{
				"Timestamp": at.UnixMilli(),
				"CloudWatchMetrics": []map[string]any{{
					"Namespace":  "curfew",
					"Dimensions": [][]string{{"Function", "Channel"}},
					"Metrics":    []map[string]string{{"Name": "DeliveryFailed", "Unit": "Count"}},
				}},
			},
		}
		data, err := json.Marshal(line)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(data, '\n')); err != nil {
			return err
		}
	}
	return nil
}
