package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/history"
)

// Clients are the AWS clients of one account×region.
type Clients struct {
	EC2         EC2API
	RDS         RDSAPI
	AutoScaling AutoScalingAPI
	ECS         ECSAPI
	Scaling     ScalingAPI
	EKS         EKSAPI
}

// ClientsFunc gives the clients of one account×region; it is called once per pair.
type ClientsFunc func(a accounts.Account, region string) Clients

// Connect returns, for one run, how to reach each account×region; runID names the
// sessions, so that CloudTrail shows which run did what.
type Connect func(runID string) ClientsFunc

// batchSize is how many EC2 ids go into one call.
const batchSize = 100

// run is one shutdown or restart over a set of account×region pairs.
type run struct {
	id      string
	kind    history.Kind
	payload Payload
	now     time.Time
	m       *accounts.Map
	clients ClientsFunc
	logger  *slog.Logger
	// concurrency bounds the pairs visited at once.
	concurrency int
	// stopLaunching: no pair starts when less than this is left before the deadline.
	stopLaunching time.Duration
	// reserve: work is cut off this long before the deadline, to answer in time.
	reserve time.Duration
}

// execute visits every target concurrently, each with its own result slot. A failure in
// one pair never cancels the others.
func (r *run) execute(ctx context.Context, targets []Target) []Result {
	results := make([]Result, len(targets))
	deadline, hasDeadline := ctx.Deadline()
	work := ctx
	if hasDeadline {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, deadline.Add(-r.reserve))
		defer cancel()
	}
	var g errgroup.Group
	g.SetLimit(r.concurrency)
	for i, t := range targets {
		results[i] = Result{Account: t.Account.Name, Region: t.Region, Resources: []Resource{}}
		if reason, ok := r.holiday(t.Account); ok {
			results[i].Status, results[i].Reason = Holiday, reason
			r.logPair(ctx, &results[i])
			continue
		}
		g.Go(func() error {
			if reason, late := r.tooLate(work, deadline, hasDeadline); late {
				results[i].Status, results[i].Reason = NotReached, reason
				r.logPair(ctx, &results[i])
				return nil
			}
			p := &pair{run: r, target: t, res: &results[i]}
			p.visit(work)
			r.logPair(ctx, &results[i])
			return nil
		})
	}
	_ = g.Wait() // every goroutine reports into its own slot and returns nil
	return results
}

// tooLate says why a pair must not start: the run was cancelled, or too little time is
// left before the deadline to visit it and still answer.
func (r *run) tooLate(work context.Context, deadline time.Time, hasDeadline bool) (string, bool) {
	switch {
	case hasDeadline && time.Until(deadline) < r.stopLaunching:
		return fmt.Sprintf("not started: less than %s was left before the deadline", r.stopLaunching), true
	case work.Err() != nil:
		return fmt.Sprintf("not started: %v", context.Cause(work)), true
	}
	return "", false
}

// holiday says whether a scheduled restart must leave account a alone today.
func (r *run) holiday(a accounts.Account) (string, bool) {
	if r.kind != history.Restart || r.payload.Trigger != Schedule {
		return "", false
	}
	s := r.m.ScheduleFor(a)
	if !s.IsHoliday(r.now) {
		return "", false
	}
	day := r.now.In(s.Location()).Format(time.DateOnly)
	return fmt.Sprintf("%s is a holiday of account %s (%s): the scheduled start does not run; a manual restart does", day, a.Name, s.TimeZone), true
}

func (r *run) logPair(ctx context.Context, res *Result) {
	level := slog.LevelInfo
	if res.Status == Failed || res.Status == NotReached {
		level = slog.LevelError
	}
	r.logger.LogAttrs(ctx, level, "pair",
		slog.String("runId", r.id), slog.String("account", res.Account), slog.String("region", res.Region),
		slog.String("action", string(r.kind)), slog.String("outcome", string(res.Status)),
		slog.String("reason", res.Reason), slog.String("error", res.Error))
}

// pair is the visit of one account×region.
type pair struct {
	*run
	target Target
	c      Clients
	res    *Result
}

// visit runs each step in turn: on shutdown ECS services first (their tasks end before
// the capacity under them), then instances, Auto Scaling groups and EKS node groups, then
// databases; on restart the other way round: databases first, so that applications find
// their databases starting, then node groups, groups and instances, then ECS services,
// whose tasks need that capacity.
func (p *pair) visit(ctx context.Context) {
	p.c = p.clients(p.target.Account, p.target.Region)
	steps := []func(context.Context) error{p.stopECS, p.stopEC2, p.stopASGs, p.stopNodegroups, p.stopRDS}
	if p.kind == history.Restart {
		steps = []func(context.Context) error{p.startClusters, p.startDBInstances, p.startNodegroups, p.startASGs, p.startEC2, p.startECS}
	}
	var errs []error
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if err := step(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	err := errors.Join(errs...)
	switch {
	case err == nil:
		p.res.Status = Done
	case ctx.Err() != nil:
		p.res.Status = NotReached
		p.res.Reason = "cut off to answer before the deadline"
		p.res.Error = err.Error()
	default:
		p.res.Status = Failed
		p.res.Error = err.Error()
	}
}

// add records what happened to one resource and logs it.
func (p *pair) add(ctx context.Context, r Resource) {
	if r.Action == Stopped || r.Action == Started {
		r.at = clock.Now().UTC()
	}
	p.res.Resources = append(p.res.Resources, r)
	verb := "stop"
	if p.kind == history.Restart {
		verb = "start"
	}
	level := slog.LevelInfo
	if r.Action == ActionFailed {
		level = slog.LevelError
	}
	p.logger.LogAttrs(ctx, level, "resource",
		slog.String("runId", p.id), slog.String("account", p.target.Account.Name), slog.String("region", p.target.Region),
		slog.String("resource", r.ID), slog.String("type", r.Type), slog.String("action", verb),
		slog.String("outcome", string(r.Action)), slog.String("reason", r.Reason), slog.String("error", r.Error))
}

// where names the pair in errors.
func (p *pair) where() string { return p.target.Account.Name + "/" + p.target.Region }

// inBatches calls fn on ids in batches. A batch refused because of some resource in it
// (an instance in a state that cannot stop, say) is split in halves until the resources
// at fault are alone, so that every other one still goes through. It returns the error of
// each id that failed.
func inBatches(ctx context.Context, ids []string, fn func(context.Context, []string) error) map[string]error {
	failed := map[string]error{}
	var do func([]string)
	do = func(batch []string) {
		err := fn(ctx, batch)
		if err == nil {
			return
		}
		if len(batch) == 1 || !refusedForResource(err) || ctx.Err() != nil {
			for _, id := range batch {
				failed[id] = err
			}
			return
		}
		half := len(batch) / 2
		do(batch[:half])
		do(batch[half:])
	}
	for batch := range slices.Chunk(ids, batchSize) {
		do(batch)
	}
	return failed
}

// wholeCallCodes are AWS error codes about the call as a whole, never about one of the
// resources in it: splitting a batch refused with one of them only makes more calls.
// UnauthorizedOperation is not among them: the scheduler role's policy may deny one
// resource (one tagged curfew:skip=true since it was described, say) and allow the rest.
var wholeCallCodes = []string{
	"AuthFailure", "AccessDenied", "AccessDeniedException",
	"ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch", "RequestExpired",
	"RequestLimitExceeded", "Throttling", "ThrottlingException",
	"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable",
}

// refusedForResource reports whether a failed batch call may have been refused because of
// one of its resources, so that splitting it lets the others through.
func refusedForResource(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false // network failure or cancellation: the call never got an answer
	}
	return !slices.Contains(wholeCallCodes, ae.ErrorCode())
}

// mayHaveStopped reports whether a failed stop call may have stopped the resource all the
// same, so that its mark must stay: a network failure, a cancelled call or a server error
// (5xx) leaves the outcome unknown, and RDS refuses a stop retried after an answer was lost
// because the database is already stopping. Any other answer from AWS is a refusal that
// changed nothing.
func mayHaveStopped(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return true
	}
	return slices.Contains(dbStateCodes, ae.ErrorCode())
}

// dbStateCodes are RDS's refusals of a stop because of the database's state.
var dbStateCodes = []string{"InvalidDBInstanceState", "InvalidDBClusterStateFault"}

// refusedForState reports whether RDS refused a call because of the database's state.
func refusedForState(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && slices.Contains(dbStateCodes, ae.ErrorCode())
}
