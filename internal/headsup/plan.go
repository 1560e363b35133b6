package headsup

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/sources"
)

// NoMorningSnooze is how long a link keeps a resource up when its schedule has no
// morning start.
const NoMorningSnooze = 12 * time.Hour

// Invoker plans through the shutdown function, as `curfew plan` does: a synchronous
// invocation of the payload with dryRun set, whose answer is the run's report.
type Invoker struct {
	Lambda invoke.LambdaAPI
	// Function is the shutdown function's name (accounts.ShutdownFunction in the service
	// stack).
	Function string
}

// Plan invokes the shutdown's dry run of p.
func (i Invoker) Plan(ctx context.Context, p fleet.Payload) (fleet.Report, error) {
	p.DryRun = true
	rep, _, err := invoke.Call(ctx, i.Lambda, i.Function, p)
	return rep, err
}

// part is one plan of a run. A stop schedule names several units when they share a
// schedule, and the report does not say in which unit it found an account: each unit is
// then planned apart, so that the accounts it finds get that unit's owners and schedule.
type part struct {
	payload fleet.Payload
	// unit is the one unit the payload names, whose accounts found are its own.
	unit   string
	report fleet.Report
	err    error
}

// parts splits p into the plans of a run: p itself when it may find accounts in one unit
// at most, else its listed accounts (every swept one when it names none), then each of its
// units (every swept one when it names none) apart. A part the payload's region filter
// leaves nothing to visit is left out. Every part is a dry run.
func parts(p fleet.Payload, m *accounts.Map) []*part {
	p.DryRun = true
	listed, units := p.Accounts, p.Units
	if len(p.Accounts) == 0 && len(p.Units) == 0 {
		for _, a := range m.Swept() {
			listed = append(listed, a.Name)
		}
		for _, u := range m.SweptUnits() {
			units = append(units, u.ID)
		}
	}
	if len(units) <= 1 {
		pt := &part{payload: p}
		if len(units) == 1 {
			pt.unit = units[0]
		}
		return []*part{pt}
	}
	var out []*part
	add := func(q fleet.Payload, unit string) {
		if _, err := q.Targets(m); err == nil {
			out = append(out, &part{payload: q, unit: unit})
		}
	}
	if len(listed) > 0 {
		q := p
		q.Accounts, q.Units = listed, nil
		add(q, "")
	}
	for _, u := range units {
		q := p
		q.Accounts, q.Units = nil, []string{u}
		add(q, u)
	}
	return out
}

// plan runs the plans of p, a few at a time; each keeps its own report or error.
func (h Handler) plan(ctx context.Context, p fleet.Payload) []*part {
	ps := parts(p, h.Map)
	g := new(errgroup.Group)
	g.SetLimit(h.concurrency())
	for _, pt := range ps {
		g.Go(func() error {
			pt.report, pt.err = h.Planner.Plan(ctx, pt.payload)
			return nil
		})
	}
	_ = g.Wait()
	return ps
}

// planned counts the parts that answered.
func planned(ps []*part) int {
	n := 0
	for _, pt := range ps {
		if pt.err == nil {
			n++
		}
	}
	return n
}

// item is one resource of a plan, in its region.
type item struct {
	region string
	fleet.Resource
}

// account is what the plan says of one account with something to stop.
type account struct {
	// name is the account's name in the map, or its id when it was found in a unit.
	name  string
	acct  accounts.Account
	stops []item // would stop
	kept  []item // skipped or left running, with the reason
	// failed are the regions the dry run could not read.
	failed []string

	owners []accounts.Owner
	zone   string
	loc    *time.Location
	// stop is the stop the heads-up is for; until is when its links' snooze ends.
	stop, until time.Time

	links []issued
	// linkErr is why the account's own link could not be issued.
	linkErr error
}

// schedule sets the account's stop (the first of its schedule after now) and until (the
// next morning's start after it, or NoMorningSnooze later without one).
func (a *account) schedule(m *accounts.Map, now time.Time) {
	s := m.ScheduleFor(a.acct)
	a.zone, a.loc = s.TimeZone, s.Location()
	a.stop = now
	if stop, ok := s.NextStop(now); ok {
		a.stop = stop
	}
	a.until = a.stop.Add(NoMorningSnooze)
	if start, ok := s.NextStart(a.stop); ok {
		a.until = start
	}
	a.owners = a.acct.Owners.List()
}

// collect reads the reports of the parts: the accounts with something to stop, in the
// order the plans name them, and a line for everything that could not be planned.
func (h Handler) collect(ctx context.Context, ps []*part) ([]*account, []string) {
	log := h.logger()
	var failures []string
	byName := map[string]*account{}
	var order []*account
	unknown := map[string]error{}
	var unknownOrder []string
	for _, pt := range ps {
		what := describe(pt.payload)
		if pt.err != nil {
			failures = append(failures, fmt.Sprintf("the stop of %s could not be planned: %s; run `curfew plan` to see why", what, planCause(pt.err)))
			log.ErrorContext(ctx, "plan", "action", "plan", "outcome", "failed", "resource", what, "error", pt.err.Error())
			continue
		}
		for _, n := range pt.report.Accounts {
			if n.Outcome == sources.Error {
				failures = append(failures, fmt.Sprintf("%s: %s; the owners of the accounts it holds were not told", n.From, n.Reason))
			}
		}
		for _, res := range pt.report.Results {
			a, ok := byName[res.Account]
			if !ok {
				acct, err := h.accountOf(pt, res.Account)
				if err != nil {
					// Another part, of the account's unit, may know it.
					if _, said := unknown[res.Account]; !said {
						unknown[res.Account], unknownOrder = err, append(unknownOrder, res.Account)
					}
					continue
				}
				a = &account{name: res.Account, acct: acct}
				byName[res.Account] = a
				order = append(order, a)
			}
			if res.Status == fleet.Failed || res.Status == fleet.NotReached {
				a.failed = append(a.failed, res.Region)
				failures = append(failures, fmt.Sprintf("%s in %s could not be planned (%s): %s; its owners were not told what the stop does there: `curfew plan --account %s` shows it",
					res.Account, res.Region, res.Status, resultCause(res), res.Account))
				log.ErrorContext(ctx, "plan", "action", "plan", "outcome", string(res.Status), "account", res.Account, "region", res.Region, "error", res.Error)
				continue
			}
			for _, x := range res.Resources {
				switch x.Action {
				case fleet.WouldStop:
					a.stops = append(a.stops, item{res.Region, x})
				case fleet.Skipped, fleet.NotStopped:
					a.kept = append(a.kept, item{res.Region, x})
				}
			}
		}
	}
	for _, name := range unknownOrder {
		if _, ok := byName[name]; !ok {
			failures = append(failures, unknown[name].Error())
		}
	}
	var found []*account
	for _, a := range order {
		if len(a.stops) > 0 {
			found = append(found, a)
		}
	}
	return found, failures
}

// accountOf returns the account a plan's result names: one of the map, or one found in
// the part's unit (or in the map's only swept unit).
func (h Handler) accountOf(pt *part, name string) (accounts.Account, error) {
	if a, ok := h.Map.Account(name); ok {
		return a, nil
	}
	units := h.Map.SweptUnits()
	if pt.unit != "" && !slices.Contains(pt.payload.Accounts, name) {
		if i := slices.IndexFunc(units, func(u accounts.OU) bool { return u.ID == pt.unit }); i >= 0 {
			return units[i].Account(name), nil
		}
	}
	if len(units) == 1 {
		return units[0].Account(name), nil
	}
	return accounts.Account{}, fmt.Errorf("account %s was found in a unit the heads-up cannot tell: its owners were not told; name its unit, not the account, in the input", name)
}

// describe names what a part plans, for a failure line.
func describe(p fleet.Payload) string {
	var parts []string
	if len(p.Accounts) > 0 {
		parts = append(parts, strings.Join(p.Accounts, ", "))
	}
	if len(p.Units) > 0 {
		parts = append(parts, "the accounts of "+strings.Join(p.Units, ", "))
	}
	if len(parts) == 0 {
		return "every swept account"
	}
	return strings.Join(parts, " and ")
}

// planCause says in a few words why a plan failed: the function's own error stays in the
// log.
func planCause(err error) string {
	switch {
	case errors.Is(err, invoke.ErrRefused):
		return "another run held the accounts"
	case errors.Is(err, invoke.ErrRunFailed):
		return "the shutdown's dry run failed"
	case errors.Is(err, fleet.ErrInvalidPayload):
		return "the shutdown refused the input"
	}
	return cause.Of(err)
}

var (
	// sdkCall is how the SDK starts the text of a failed call: the service and operation.
	sdkCall = regexp.MustCompile(`operation error ([^:]+): (\w+)`)
	// apiCode is the AWS error code in the SDK's text.
	apiCode = regexp.MustCompile(`api error ([\w.]+)`)
)

// resultCause says in a few words why the dry run could not read an account×region: the
// engine's own reason, else the AWS call and error code its error names (the report
// carries the error as text, the SDK's included, which stays in the log).
func resultCause(res fleet.Result) string {
	if res.Reason != "" {
		return res.Reason
	}
	call, code := sdkCall.FindStringSubmatch(res.Error), apiCode.FindStringSubmatch(res.Error)
	switch {
	case call != nil && code != nil:
		return call[1] + " " + call[2] + ": " + code[1]
	case call != nil:
		return call[1] + " " + call[2] + " failed"
	}
	return "the shutdown's log says why"
}
