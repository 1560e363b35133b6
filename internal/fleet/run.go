package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
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
	// Reach, when set, makes sure the account can be reached at all (its role assumed);
	// the run calls it once per account before visiting its regions.
	Reach func(context.Context) error
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
	// unreachable says, by account id, why execute could not reach an account.
	unreachable map[string]string
}

// execute visits every target concurrently, each with its own result slot. A failure in
// one pair never cancels the others. An account that cannot be reached at all has one
// result for all its regions, saying so, in place of its first region's.
func (r *run) execute(ctx context.Context, targets []Target) []Result {
	unreachable := r.reach(ctx, targets)
	r.unreachable = map[string]string{}
	for id, res := range unreachable {
		r.unreachable[id] = res.Reason
	}
	var reachable []Target
	for _, t := range targets {
		if _, ok := unreachable[t.Account.ID]; !ok {
			reachable = append(reachable, t)
		}
	}
	visited := r.visit(ctx, reachable)
	results := make([]Result, 0, len(targets))
	for _, t := range targets {
		res, ok := unreachable[t.Account.ID]
		switch {
		case !ok:
			results = append(results, visited[0])
			visited = visited[1:]
		case res.Region == "":
			res.Region = strings.Join(regionsOf(t.Account.ID, targets), ", ")
			unreachable[t.Account.ID] = res
			results = append(results, res)
		}
	}
	return results
}

// reach calls each target account's Reach once, concurrently, and returns the result of
// every account that cannot be reached, by id (its Region left for execute to fill).
func (r *run) reach(ctx context.Context, targets []Target) map[string]Result {
	var ids []string
	byID := map[string]Target{}
	for _, t := range targets {
		if _, seen := byID[t.Account.ID]; !seen {
			ids = append(ids, t.Account.ID)
			byID[t.Account.ID] = t
		}
	}
	errs := make([]error, len(ids))
	var g errgroup.Group
	g.SetLimit(r.concurrency)
	for i, id := range ids {
		t := byID[id]
		if _, holiday := r.holiday(t.Account); holiday {
			continue
		}
		g.Go(func() error {
			if reach := r.clients(t.Account, t.Region).Reach; reach != nil {
				errs[i] = reach(ctx)
			}
			return nil
		})
	}
	_ = g.Wait() // every goroutine reports into its own slot and returns nil
	out := map[string]Result{}
	for i, id := range ids {
		if errs[i] == nil {
			continue
		}
		a := byID[id].Account
		res := Result{Account: a.Name, Status: Failed, Reason: unreachableReason(a, errs[i]), Error: errorCode(errs[i]), Resources: []Resource{}}
		r.logger.LogAttrs(ctx, slog.LevelError, "account", slog.String("runId", r.id), slog.String("account", a.Name),
			slog.String("action", "assume-role"), slog.String("outcome", "failed"), slog.String("reason", res.Reason), slog.String("error", errs[i].Error()))
		out[id] = res
	}
	return out
}

// unreachableReason says, in one line, that the account's role could not be assumed, why
// in a word, and what to check.
func unreachableReason(a accounts.Account, err error) string {
	stack := "its stack curfew-" + a.Name
	if a.Name == a.ID {
		stack = "curfew-organization's StackSet for its unit"
	}
	return fmt.Sprintf("cannot assume %s in %s: %s; is %s deployed there? Nothing was done in this account", accounts.SchedulerRole, a.ID, errorCode(err), stack)
}

// errorCode is AWS's error code of err, or what kept it from answering.
func errorCode(err error) string {
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae):
		return ae.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "cut off before STS answered"
	default:
		return "no answer from STS"
	}
}

// regionsOf lists the regions of the account's targets.
func regionsOf(id string, targets []Target) []string {
	var out []string
	for _, t := range targets {
		if t.Account.ID == id {
			out = append(out, t.Region)
		}
	}
	return out
}

// visit visits the targets concurrently, each with its own result slot.
func (r *run) visit(ctx context.Context, targets []Target) []Result {
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
	h, ok := s.Holiday(r.now)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s is a holiday of account %s (%s; %s): the scheduled start does not run; a manual restart does", h.Date, a.Name, s.TimeZone, h.Source()), true
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
	// groupMembers are the running members of each Auto Scaling group, by group name, as
	// the shutdown's instance step described them: what the group step records of its
	// instances' platform and Spot or on-demand purchase, at no call of its own.
	groupMembers map[string][]ec2types.Instance
}

// visit stops, or starts, each kind in turn, in the order of resourceKinds (the restart
// in reverse); a kind that fails does not keep the next from its turn.
func (p *pair) visit(ctx context.Context) {
	p.c = p.clients(p.target.Account, p.target.Region)
	var errs []error
	for i := range resourceKinds {
		step := resourceKinds[i].stop
		if p.kind == history.Restart {
			step = resourceKinds[len(resourceKinds)-1-i].start
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if err := step(ctx, p); err != nil {
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

// eachOf visits the pair's resources of a kind, as list describes them, one after
// another, until a visit fails or the run is cut off.
func eachOf[T any](ctx context.Context, list func(context.Context) ([]T, error), visit func(T) error) error {
	items, err := list(ctx)
	if err != nil {
		return err
	}
	for _, item := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := visit(item); err != nil {
			return err
		}
	}
	return nil
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
	if cause.HTTPStatus(err) >= 500 {
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
