package fleet_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// proxied returns a handler over the fleet whose calls go through a fault-injecting proxy
// in front of moto.
func (f *testFleet) proxied(kind history.Kind) (fleet.Handler, *faultproxy.Proxy) {
	f.t.Helper()
	p, err := faultproxy.New(f.s.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(p.Close)
	h, _, _ := f.handler(kind)
	base := f.config("home", west)
	base.BaseEndpoint = &p.URL
	h.Connect = fleet.AssumeRoles(base, f.m.ExternalID)
	return h, p
}

// hasID reports whether an EC2 query call names the instance (InstanceId.N or ResourceId.N).
func hasID(c faultproxy.Call, id string) bool {
	for k, vs := range c.Params {
		if (strings.HasPrefix(k, "InstanceId.") || strings.HasPrefix(k, "ResourceId.")) && slices.Contains(vs, id) {
			return true
		}
	}
	return false
}

// A StopInstances batch refused because of one instance is split so that the others stop;
// the refused instance loses its mark again. A refused CreateTags means no stop; a
// throttled call is retried.
func TestRefusedBatchIsSplit(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	h, p := f.proxied(history.Shutdown)
	web, dev, api := f.ids["web"], f.ids["dev"], f.ids["api"]
	p.Add(
		faultproxy.Rule{Service: "ec2", Action: "StopInstances", Match: func(c faultproxy.Call) bool { return hasID(c, web) },
			Kind: faultproxy.Error, Code: "IncorrectInstanceState"},
		faultproxy.Rule{Service: "ec2", Action: "CreateTags", Match: func(c faultproxy.Call) bool { return hasID(c, dev) },
			Kind: faultproxy.Error, Code: "InvalidInstanceID.NotFound"},
		faultproxy.Rule{Service: "ec2", Action: "StopInstances", Match: func(c faultproxy.Call) bool { return hasID(c, api) },
			Kind: faultproxy.Error, Code: "RequestLimitExceeded", Times: 1},
	)
	rep := runHandler(t, h, `{}`)
	got := f.names(rep)
	if want := without(wantStopped, "web", "dev"); !slices.Equal(got[fleet.Stopped], want) {
		t.Errorf("stopped %v, want %v", got[fleet.Stopped], want)
	}
	if r := f.resource(rep, "web"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "IncorrectInstanceState") || !strings.Contains(r.Error, "mark was removed") {
		t.Errorf("web: %+v", r)
	}
	if r := f.resource(rep, "dev"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "not stopped: mark it first") {
		t.Errorf("dev: %+v", r)
	}
	obs := f.observe()
	for _, name := range []string{"web", "dev"} {
		if o := obs[name]; o.state != "running" || o.marked() {
			t.Errorf("%s: %+v, want running and unmarked", name, o)
		}
	}
	if got := markedNames(obs); !slices.Equal(got, without(wantStopped, "web", "dev")) {
		t.Errorf("marked %v: every stopped resource, and only those, must carry the mark", got)
	}
	if !rep.Failed() || rep.Totals.Failed != 2 {
		t.Errorf("totals %+v", rep.Totals)
	}
	// staging/eu-west-1: the batch of two, then each half alone.
	if n := p.Count(f.account("staging").ID, "ec2", "StopInstances"); n != 3+2 {
		t.Errorf("staging StopInstances calls: %d, want 3 in eu-west-1 (split) + 2 in eu-central-1 (one throttled, retried)", n)
	}
	// One AssumeRole per account, named for the run, with the map's ExternalId.
	var assumed []string
	for _, c := range p.Calls() {
		if c.Action != "AssumeRole" {
			continue
		}
		assumed = append(assumed, c.Params.Get("RoleArn"))
		if c.Params.Get("RoleSessionName") != "curfew-"+rep.RunID || c.Params.Get("ExternalId") != f.m.ExternalID {
			t.Errorf("AssumeRole %v", c.Params)
		}
	}
	slices.Sort(assumed)
	want := sorted(f.account("staging").RoleARN(accounts.SchedulerRole), f.account("sandbox").RoleARN(accounts.SchedulerRole))
	if !slices.Equal(assumed, want) {
		t.Errorf("assumed %v, want once each %v", assumed, want)
	}
}

// A failure in one account or region never stops the others.
func TestFailingAccountDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	h, p := f.proxied(history.Shutdown)
	p.Add(
		faultproxy.Rule{Account: f.account("staging").ID, Region: west, Service: "ec2", Action: "DescribeInstances",
			Kind: faultproxy.Error, Code: "UnauthorizedOperation", Status: 403},
		faultproxy.Rule{Service: "sts", Action: "AssumeRole",
			Match: func(c faultproxy.Call) bool {
				return strings.Contains(c.Params.Get("RoleArn"), f.account("sandbox").ID)
			},
			Kind: faultproxy.Error, Code: "AccessDenied", Status: 403},
	)
	rep := runHandler(t, h, `{}`)
	status := map[string]fleet.Status{}
	for _, res := range rep.Results {
		status[res.Account+"/"+res.Region] = res.Status
		if res.Status == fleet.Failed && res.Error == "" {
			t.Errorf("%s/%s failed without an error", res.Account, res.Region)
		}
	}
	want := map[string]fleet.Status{"staging/eu-west-1": fleet.Failed, "staging/eu-central-1": fleet.Done, "sandbox/eu-west-1": fleet.Failed}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("%s: %s, want %s", k, status[k], v)
		}
	}
	// staging/eu-west-1 still stops its databases; eu-central-1 is untouched by the fault.
	if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, sorted("app-db", "aurora", "api", "bad-snooze")) {
		t.Errorf("stopped %v", got)
	}
	if !rep.Failed() || rep.Totals.PairsFailed != 2 {
		t.Errorf("totals %+v", rep.Totals)
	}
}

// The run watches its deadline: work is cut off before it, pairs not started in time are
// reported as not reached, and the report comes back before the deadline.
func TestDeadline(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	h, p := f.proxied(history.Shutdown)
	h.Concurrency, h.StopLaunching, h.Reserve = 1, time.Second, 500*time.Millisecond
	p.Add(faultproxy.Rule{Account: f.account("staging").ID, Region: west, Service: "ec2", Action: "DescribeInstances",
		Kind: faultproxy.Delay, Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := h.Handle(ctx, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2200*time.Millisecond {
		t.Errorf("answered after %s, want before the deadline less the reserve", elapsed)
	}
	for _, res := range rep.Results {
		if res.Status != fleet.NotReached || res.Reason == "" {
			t.Errorf("%s/%s: %s %q", res.Account, res.Region, res.Status, res.Reason)
		}
	}
	if rep.Totals.PairsNotReached != 3 || !rep.Failed() {
		t.Errorf("totals %+v", rep.Totals)
	}
	if got := markedNames(f.observe()); len(got) != 0 {
		t.Errorf("marked %v", got)
	}
}
