// Package fleet is curfew's night shutdown and morning restart: it reaches every swept
// account×region of the account map, stops (or starts again) EC2 instances, RDS DB
// instances and Aurora clusters, scales Auto Scaling groups, ECS services and EKS managed
// node groups to zero (and back), marks what it stopped, and reports what it did.
package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/assume"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lease"
	"github.com/curfew/curfew/internal/sources"
)

// Defaults of a Handler's tuning fields.
const (
	// DefaultConcurrency lets one wave visit 64 accounts × 4 regions: a pair spends its
	// time waiting on its own calls, one after another, and AWS throttles each account and
	// region apart, so pairs visited at once do not slow each other (make bench, part 2).
	DefaultConcurrency   = 256
	DefaultStopLaunching = 20 * time.Second
	DefaultReserve       = 5 * time.Second
	// MaxRun is the deadline of a run that holds the lease and has none of its own (Lambda
	// gives one: the function's timeout), since the lease must say until when it is held.
	MaxRun = 15 * time.Minute
	// MaxAttempts is the standard retryer's attempts per call, raised from the SDK's 3 so
	// that a throttled account×region still finishes.
	MaxAttempts = 10
)

// Handler is the shutdown or restart Lambda handler: main builds it once with its
// dependencies and passes Handle to lambda.Start.
type Handler struct {
	// Kind is history.Shutdown or history.Restart.
	Kind history.Kind
	Map  *accounts.Map
	// Connect reaches the swept accounts; AssumeRoles in production.
	Connect Connect
	// Sources gives the sources of the accounts of one run (sources.ForRun): the map's
	// list and its organisational units, resolved once per run. Nil: the list only.
	Sources func(runID string) []sources.Source
	// History, when set, receives a summary of every run that is not a dry run.
	History *history.Store
	// Lease, when set, lets one run that changes anything go at a time in each account
	// (package lease says why); a run that cannot take the leases of all its accounts
	// returns a *lease.HeldError and changes nothing. Dry runs change nothing and need
	// none. Without it, the caller must keep runs apart.
	Lease *lease.Store
	// AccountList, when set, receives every account a run knew once all its sources
	// answered (package accountlist); a failed write is in the report and fails nothing.
	AccountList *accountlist.Store
	Logger      *slog.Logger
	// Metrics receives one CloudWatch embedded-metric-format line per run; nil for none.
	Metrics io.Writer
	// Now defaults to clock.Now.
	Now func() time.Time
	// Concurrency bounds the account×region pairs visited at once (DefaultConcurrency).
	Concurrency int
	// StopLaunching: no pair starts when less than this is left before the context's
	// deadline (DefaultStopLaunching); such pairs are reported as not reached.
	StopLaunching time.Duration
	// Reserve: work is cut off this long before the deadline, to answer in time (DefaultReserve).
	Reserve time.Duration
}

// Handle decodes the event strictly and runs. An invalid payload is an error returned
// before any AWS call; failures inside the run are in the report, not in the error.
func (h Handler) Handle(ctx context.Context, event json.RawMessage) (Report, error) {
	p, err := DecodePayload(event)
	if err != nil {
		h.logger().ErrorContext(ctx, "refused", "action", string(h.Kind), "outcome", "invalid-payload", "error", err.Error())
		return Report{}, err
	}
	return h.Run(ctx, p)
}

// Run checks the payload against the account map, resolves the accounts of the run,
// then visits every target.
func (h Handler) Run(ctx context.Context, p Payload) (Report, error) {
	log := h.logger()
	_, err := p.Targets(h.Map)
	if err != nil {
		log.ErrorContext(ctx, "refused", "action", string(h.Kind), "outcome", "invalid-payload", "error", err.Error())
		return Report{}, err
	}
	if p.Trigger == "" {
		p.Trigger = Manual
	}
	started := h.now().UTC()
	id := newRunID(started)
	r := &run{
		id: id, kind: h.Kind, payload: p, now: started, m: h.Map, clients: h.Connect(id), logger: log,
		concurrency:   orDefault(h.Concurrency, DefaultConcurrency),
		stopLaunching: orDefault(h.StopLaunching, DefaultStopLaunching),
		reserve:       orDefault(h.Reserve, DefaultReserve),
	}
	rep := Report{RunID: id, Kind: h.Kind, Trigger: p.Trigger, DryRun: p.DryRun, Started: started}
	srcs := []sources.Source{sources.Listed{Map: h.Map}}
	if h.Sources != nil {
		srcs = h.Sources(id)
	}
	var known accountlist.Recorder
	resolved := sources.Resolve(ctx, h.Map, known.Wrap(srcs)...)
	rep.Accounts = resolved.Notes
	for _, n := range resolved.Notes {
		log.LogAttrs(ctx, noteLevel(n), "account", slog.String("runId", id), slog.String("account", n.Account),
			slog.String("from", n.From), slog.String("action", string(h.Kind)), slog.String("outcome", n.Outcome), slog.String("reason", n.Reason))
	}
	targets := p.Within(resolved)
	rep.Accounts = append(rep.Accounts, notFound(p, h.Map, resolved)...)
	if h.Lease == nil || p.DryRun {
		rep.Results = r.execute(ctx, targets)
	} else {
		rep.Results, err = h.leased(ctx, id, p.Trigger, started, targets, func(ctx context.Context) []Result { return r.execute(ctx, targets) })
	}
	// After the visits, so that the list says which accounts could not be reached; also
	// when another run held the leases.
	rep.AccountListError = h.publishAccounts(ctx, &known, resolved, r.unreachable, id, started)
	if err != nil {
		return Report{}, err
	}
	rep.count()
	if h.History != nil && !p.DryRun {
		err := h.History.Put(context.WithoutCancel(ctx), history.Run{
			ID: id, Kind: h.Kind, Started: started, Trigger: string(p.Trigger), Filtered: len(p.Resources) > 0,
			Changes: rep.changes(), Visits: rep.visits(), Swept: sweptPairs(rep, resolved.Swept),
		})
		if err != nil {
			rep.HistoryError = err.Error()
			log.ErrorContext(ctx, "history", "runId", id, "action", "put", "outcome", "failed", "error", err.Error())
		}
	}
	if h.Metrics != nil {
		if err := writeMetrics(h.Metrics, rep); err != nil {
			log.ErrorContext(ctx, "metrics", "runId", id, "error", err.Error())
		}
	}
	log.InfoContext(ctx, "run", "runId", id, "action", string(h.Kind), "outcome", outcome(rep),
		"dryRun", p.DryRun, "trigger", string(p.Trigger), "totals", rep.Totals)
	return rep, nil
}

// leased runs visit holding the lease of every account of targets, or returns why it could
// not take them. The leases are released once every call to the fleet has ended; the
// history is written after.
func (h Handler) leased(ctx context.Context, id string, trigger Trigger, started time.Time, targets []Target, visit func(context.Context) []Result) ([]Result, error) {
	log := h.logger()
	deadline, ok := ctx.Deadline()
	if !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, MaxRun)
		defer cancel()
		deadline, _ = ctx.Deadline()
	}
	var scopes []lease.Scope
	for _, t := range targets {
		sc := lease.Scope{ID: t.Account.ID, Name: fmt.Sprintf("account %s (%s)", t.Account.Name, t.Account.ID)}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	// The lease ends on the run's clock (what the lease store compares it with), as long
	// after the start as the context has left: the deadline is the wall clock's.
	holder := lease.Holder{RunID: id, Kind: string(h.Kind), Trigger: string(trigger), Since: started, Until: h.now().Add(time.Until(deadline)).Add(lease.Margin)}
	l, err := h.Lease.Take(ctx, holder, scopes)
	if err != nil {
		log.ErrorContext(ctx, "refused", "runId", id, "action", string(h.Kind), "outcome", "lease-not-taken", "error", err.Error())
		return nil, err
	}
	for _, o := range l.TookOver {
		log.WarnContext(ctx, "lease", "runId", id, "account", o.Scope.Name, "action", "take-over", "outcome", "taken",
			"reason", fmt.Sprintf("%s held it since %s and let it expire at %s", o.From,
				o.From.Since.UTC().Format(time.RFC3339), o.From.Until.UTC().Format(time.RFC3339)))
	}
	results := visit(ctx)
	if err := l.Release(context.WithoutCancel(ctx)); err != nil {
		log.ErrorContext(ctx, "lease", "runId", id, "action", "release", "outcome", "failed", "error", err.Error())
	}
	return results, nil
}

// noteLevel logs an account a run could not settle as an error, one skipped by design as
// information.
func noteLevel(n sources.Note) slog.Level {
	if n.Outcome == sources.Error {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// now reads the handler's clock: Now, else clock.Now.
func (h Handler) now() time.Time {
	return clock.Or(h.Now)
}

func (h Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func outcome(r Report) string {
	if r.Failed() {
		return "failed"
	}
	return "done"
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// newRunID is sortable by time and unique: 20261127T190000Z-1a2b3c.
func newRunID(t time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// AssumeRoles reaches each swept account as CurfewScheduler with the map's ExternalId and
// the session name curfew-<runID>. One config, hence one cached AssumeRole, serves every
// region of an account; clients get the standard retryer with MaxAttempts.
func AssumeRoles(base aws.Config, externalID string) Connect {
	return func(runID string) ClientsFunc {
		var mu sync.Mutex
		configs := map[string]aws.Config{}
		return func(a accounts.Account, region string) Clients {
			mu.Lock()
			cfg, ok := configs[a.ID]
			if !ok {
				cfg = assume.Role(base, a.RoleARN(accounts.SchedulerRole), "curfew-"+runID, externalID)
				configs[a.ID] = cfg
			}
			mu.Unlock()
			cfg.Region = region
			cfg.Retryer = func() aws.Retryer {
				return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = MaxAttempts })
			}
			// A base config's own maximum (AWS_MAX_ATTEMPTS, say) would override the retryer's.
			cfg.RetryMaxAttempts = MaxAttempts
			return Clients{EC2: ec2.NewFromConfig(cfg), RDS: rds.NewFromConfig(cfg), AutoScaling: autoscaling.NewFromConfig(cfg),
				ECS: ecs.NewFromConfig(cfg), Scaling: applicationautoscaling.NewFromConfig(cfg), EKS: eks.NewFromConfig(cfg),
				// The credentials are cached per account: this AssumeRole is the one every
				// region's clients then use.
				Reach: func(ctx context.Context) error { return retrieve(ctx, cfg.Credentials, cfg.Retryer()) }}
		}
	}
}

// retrieve gets credentials, retried as the retryer retries a call: a throttled
// AssumeRole (all of a run's leave from the home account, so at hundreds of accounts STS
// throttles them together) is tried again, as it was within the first call that needed
// the credentials.
func retrieve(ctx context.Context, creds aws.CredentialsProvider, r aws.Retryer) error {
	for attempt := 1; ; attempt++ {
		_, err := creds.Retrieve(ctx)
		if err == nil || !r.IsErrorRetryable(err) || attempt >= r.MaxAttempts() {
			return err
		}
		delay, derr := r.RetryDelay(attempt, err)
		if derr != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// writeMetrics writes the run's counts as one CloudWatch embedded-metric-format line.
func writeMetrics(w io.Writer, r Report) error {
	t := r.Totals
	values := map[string]int{
		"Stopped": t.Stopped, "Started": t.Started, "WouldStop": t.WouldStop, "WouldStart": t.WouldStart,
		"Skipped": t.Skipped, "NotStopped": t.NotStopped, "LeftStopped": t.LeftStopped, "Failed": t.Failed, "PairsFailed": t.PairsFailed,
		"PairsNotReached": t.PairsNotReached, "PairsHoliday": t.PairsHoliday,
		"AccountsSkipped": t.AccountsSkipped, "AccountErrors": t.AccountErrors,
	}
	var metrics []map[string]string
	line := map[string]any{"Kind": string(r.Kind), "DryRun": fmt.Sprint(r.DryRun), "RunId": r.RunID}
	for _, name := range []string{"Stopped", "Started", "WouldStop", "WouldStart", "Skipped", "NotStopped", "LeftStopped", "Failed", "PairsFailed", "PairsNotReached", "PairsHoliday", "AccountsSkipped", "AccountErrors"} {
		metrics = append(metrics, map[string]string{"Name": name, "Unit": "Count"})
		line[name] = values[name]
	}
	line["_aws"] = map[string]any{
		"Timestamp": r.Started.UnixMilli(),
		"CloudWatchMetrics": []map[string]any{{
			"Namespace":  "curfew",
			"Dimensions": [][]string{{"Kind", "DryRun"}},
			"Metrics":    metrics,
		}},
	}
	data, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
