package fleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lease"
	"github.com/curfew/curfew/internal/lease/leasetest"
)

// leased returns a handler like f.handler's that holds the lease in a bucket of the home
// account, created on first use.
func (f *testFleet) leased(kind history.Kind) (fleet.Handler, *emulator.Calls, *syncBuffer) {
	f.t.Helper()
	h, c, logs := f.handler(kind)
	h.Lease = f.leaseStore()
	return h, c, logs
}

func (f *testFleet) leaseStore() *lease.Store {
	f.t.Helper()
	client := emulator.S3(leasetest.AtomicConditionalWrites(f.config("home", west)))
	bucket := "curfew-" + f.account("home").ID
	_, err := client.CreateBucket(f.t.Context(), &s3.CreateBucketInput{
		Bucket:                    aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1},
	})
	var owned *s3types.BucketAlreadyOwnedByYou
	if err != nil && !errors.As(err, &owned) {
		f.t.Fatal(err)
	}
	return &lease.Store{Client: client, Bucket: bucket}
}

// putLease writes the lease of an account by hand, as a run that crashed or is still
// running left it.
func (f *testFleet) putLease(account string, h lease.Holder) {
	f.t.Helper()
	s := f.leaseStore()
	body, err := json.Marshal(h)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := s.Client.PutObject(f.t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(lease.Key(f.account(account).ID)), Body: strings.NewReader(string(body)),
	}); err != nil {
		f.t.Fatal(err)
	}
}

// leases reads the lease objects, by account name.
func (f *testFleet) leases() map[string]lease.Holder {
	f.t.Helper()
	s := f.leaseStore()
	client := s.Client.(*s3.Client)
	out := map[string]lease.Holder{}
	for _, a := range f.m.Accounts {
		obj, err := client.GetObject(f.t.Context(), &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(lease.Key(a.ID))})
		var missing *s3types.NoSuchKey
		if errors.As(err, &missing) {
			continue
		}
		if err != nil {
			f.t.Fatal(err)
		}
		var h lease.Holder
		err = json.NewDecoder(obj.Body).Decode(&h)
		obj.Body.Close()
		if err != nil {
			f.t.Fatal(err)
		}
		out[a.Name] = h
	}
	return out
}

// checkInvariant checks the marks in moto once the runs are over, in a fleet nobody else
// touched: every resource is up and unmarked, or stopped and marked by a run that reports
// it stopped.
func checkInvariant(t *testing.T, f *testFleet, stoppedBy map[string]string) {
	t.Helper()
	for name, o := range f.observe() {
		up := o.state == "running" || o.state == "available"
		switch {
		case up && o.marked():
			t.Errorf("%s is %s and marked (%v): a later restart would take it for one curfew stopped", name, o.state, o.tags)
		case !up && !o.marked():
			t.Errorf("%s is %s and unmarked: no restart will start it", name, o.state)
		case !up && stoppedBy[name] != o.tags[accounts.StoppedByRunTag]:
			t.Errorf("%s is marked by run %q, but the run that reports it stopped is %q", name, o.tags[accounts.StoppedByRunTag], stoppedBy[name])
		}
	}
}

// stoppedBy maps each resource reported stopped to the run that stopped it.
func (f *testFleet) stoppedBy(reps ...fleet.Report) map[string]string {
	out := map[string]string{}
	for _, rep := range reps {
		for _, name := range f.names(rep)[fleet.Stopped] {
			out[name] = rep.RunID
		}
	}
	return out
}

// pausedEC2 holds the first StopInstances call until resume is closed, after telling
// reached: the shutdown has marked its instances and not stopped them yet.
type pausedEC2 struct {
	fleet.EC2API
	once            *sync.Once
	reached, resume chan struct{}
}

func (p pausedEC2) StopInstances(ctx context.Context, in *ec2.StopInstancesInput, opts ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error) {
	p.once.Do(func() {
		close(p.reached)
		<-p.resume
	})
	return p.EC2API.StopInstances(ctx, in, opts...)
}

// pauseBeforeStop makes h's run wait between marking its instances and stopping them.
func pauseBeforeStop(h *fleet.Handler) (reached, resume chan struct{}) {
	reached, resume = make(chan struct{}), make(chan struct{})
	connect, once := h.Connect, &sync.Once{}
	h.Connect = func(runID string) fleet.ClientsFunc {
		clients := connect(runID)
		return func(a accounts.Account, region string) fleet.Clients {
			c := clients(a, region)
			c.EC2 = pausedEC2{EC2API: c.EC2, once: once, reached: reached, resume: resume}
			return c
		}
	}
	return reached, resume
}

// A shutdown is caught between marking its instances and stopping them, the moment an
// overlapping run can do harm: a restart would take the marks of the running instances for
// stale ones and remove them, leaving them stopped and unmarked; a second shutdown would
// mark them again under its own run. Both are refused, naming the account, the shutdown and
// since when, and change nothing; a dry run goes ahead, needing no lease, and so does a run
// over another account. Afterwards the marks are exactly on what the shutdowns stopped, and
// the lease is free for the restart.
func TestOverlappingRunsAreRefused(t *testing.T) {
	t.Parallel()
	f := stagingFleet(t, []string{"web", "api"}, "app-db")
	f.instance("sandbox", west, "dev", nil)
	const night = `{"trigger":"schedule","accounts":["staging"],"regions":["eu-west-1"]}`

	first, _, _ := f.leased(history.Shutdown)
	reached, resume := pauseBeforeStop(&first)
	done := make(chan fleet.Report)
	go func() {
		rep, err := first.Handle(context.WithoutCancel(t.Context()), json.RawMessage(night))
		if err != nil {
			t.Errorf("the first shutdown: %v", err)
		}
		done <- rep
	}()
	select {
	case <-reached:
	case <-time.After(time.Minute):
		t.Fatal("the first shutdown never reached its stop")
	}
	leases := f.leases()
	holder := leases["staging"]
	if len(leases) != 1 || holder.Kind != "shutdown" || holder.Trigger != "schedule" {
		t.Fatalf("leases while the shutdown runs: %+v, want staging's, held by the shutdown", leases)
	}
	if m := markedNames(f.observe()); !slicesEqual(m, "api", "web") {
		t.Fatalf("marked %v before the pause, want api and web", m)
	}

	for _, tc := range []struct {
		kind    history.Kind
		payload string
	}{
		{history.Restart, `{"trigger":"manual","accounts":["staging"]}`},
		{history.Restart, `{"trigger":"manual","accounts":["staging"],"regions":["eu-west-1"],"resources":["app-db"]}`},
		{history.Shutdown, `{"trigger":"manual"}`},
	} {
		t.Run(string(tc.kind)+" "+tc.payload, func(t *testing.T) {
			h, c, logs := f.leased(tc.kind)
			before := f.observe()
			_, err := h.Handle(t.Context(), json.RawMessage(tc.payload))
			var held *lease.HeldError
			if !errors.As(err, &held) || held.Holder != holder {
				t.Fatalf("error %v, want a *lease.HeldError naming %+v", err, holder)
			}
			for _, want := range []string{"another run is in progress in account staging (" + f.account("staging").ID + ")", "shutdown run " + holder.RunID + " (schedule)",
				"since " + holder.Since.UTC().Format(time.RFC3339), "changed nothing", "run it again once that one is done"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if n := c.Total(); n != 0 {
				t.Errorf("the refused run made %d calls to the fleet: %s", n, c)
			}
			f.unchanged(t, before, "the refused run")
			if !strings.Contains(logs.buf.String(), `"outcome":"lease-not-taken"`) {
				t.Errorf("no refusal logged: %s", logs.buf.String())
			}
		})
	}
	t.Run("a dry run needs no lease", func(t *testing.T) {
		h, _, _ := f.leased(history.Restart)
		rep := runHandler(t, h, `{"accounts":["staging"],"dryRun":true}`)
		if !rep.DryRun || rep.Failed() {
			t.Errorf("dry run: %+v", rep)
		}
	})
	// Two stop schedules firing at once for two groups of accounts.
	var sandboxNight fleet.Report
	t.Run("a run in another account goes ahead", func(t *testing.T) {
		h, _, _ := f.leased(history.Shutdown)
		sandboxNight = runHandler(t, h, `{"trigger":"schedule","accounts":["sandbox"]}`)
		if got := f.names(sandboxNight)[fleet.Stopped]; !slicesEqual(got, "dev") || sandboxNight.Failed() {
			t.Errorf("the shutdown of sandbox stopped %v: %+v", got, sandboxNight.Totals)
		}
	})
	if got := f.leases(); len(got) != 1 || got["staging"] != holder {
		t.Errorf("leases after the refused runs: %+v, want staging's only, unchanged", got)
	}

	close(resume)
	rep := <-done
	if got := f.names(rep)[fleet.Stopped]; !slicesEqual(got, "api", "app-db", "web") || rep.Failed() {
		t.Errorf("the first shutdown stopped %v (%+v), want api, app-db and web", got, rep.Totals)
	}
	checkInvariant(t, f, f.stoppedBy(rep, sandboxNight))
	if l := f.leases(); len(l) != 0 {
		t.Errorf("the shutdown left its lease behind: %+v", l)
	}
	h, _, _ := f.leased(history.Restart)
	if got := f.names(runHandler(t, h, `{"accounts":["staging"]}`))[fleet.Started]; !slicesEqual(got, "api", "app-db", "web") {
		t.Errorf("the restart after it started %v", got)
	}
	checkInvariant(t, f, f.stoppedBy(sandboxNight))
}

// Two shutdowns and a restart started at the same moment, over a fleet half stopped by an
// earlier night: each either does its whole work or is refused, and the marks invariant
// holds in moto afterwards, whatever the order they got the lease in.
func TestConcurrentRunsKeepTheMarks(t *testing.T) {
	t.Parallel()
	f := stagingFleet(t, []string{"web", "api"}, "app-db", "report-db")
	h, _, _ := f.leased(history.Shutdown)
	earlier := runHandler(t, h, `{"resources":["web","report-db"]}`)

	kinds := []history.Kind{history.Shutdown, history.Restart, history.Shutdown}
	reps := make([]fleet.Report, len(kinds))
	errs := make([]error, len(kinds))
	handlers := make([]fleet.Handler, len(kinds))
	for i, k := range kinds {
		handlers[i], _, _ = f.leased(k)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range kinds {
		wg.Go(func() {
			<-start
			reps[i], errs[i] = handlers[i].Handle(t.Context(), json.RawMessage(`{"accounts":["staging"]}`))
		})
	}
	close(start)
	wg.Wait()
	ran := 0
	for i, err := range errs {
		var held *lease.HeldError
		switch {
		case err == nil:
			ran++
			if reps[i].Failed() {
				t.Errorf("%s failed: %+v", kinds[i], reps[i])
			}
		case errors.As(err, &held):
			t.Logf("%s refused: %v", kinds[i], err)
		default:
			t.Errorf("%s: %v", kinds[i], err)
		}
	}
	if ran == 0 {
		t.Fatal("no run got the lease")
	}
	checkMarksOnly(t, f)
	// Every mark is the mark of a run that reports stopping that resource.
	stopped := map[string]bool{}
	for _, rep := range append(reps, earlier) {
		for _, name := range f.names(rep)[fleet.Stopped] {
			stopped[name+" "+rep.RunID] = true
		}
	}
	for name, o := range f.observe() {
		if by := o.tags[accounts.StoppedByRunTag]; o.marked() && !stopped[name+" "+by] {
			t.Errorf("%s is marked by run %q, which does not report stopping it", name, by)
		}
	}
	if l := f.leases(); len(l) != 0 {
		t.Errorf("a lease was left behind: %+v", l)
	}
}

// checkMarksOnly checks the invariant without knowing which run stopped what: every
// resource is up and unmarked, or stopped and marked.
func checkMarksOnly(t *testing.T, f *testFleet) {
	t.Helper()
	for name, o := range f.observe() {
		up := o.state == "running" || o.state == "available"
		if up == o.marked() {
			t.Errorf("%s is %s with marks %v: want up and unmarked, or stopped and marked", name, o.state, o.tags)
		}
	}
}

// A lease left by a run that crashed is taken over once it has expired, and the run says
// so in its log; a lease that has not expired refuses the run before any call to the fleet,
// and the leases it took of the accounts before are released.
func TestLeaseLeftBehind(t *testing.T) {
	t.Parallel()
	f := stagingFleet(t, []string{"web"})
	now := clock.Now().UTC().Truncate(time.Second)

	live := lease.Holder{RunID: "20261127T190000Z-a1b2c3", Kind: "restart", Trigger: "manual", Since: now.Add(-time.Minute), Until: now.Add(10 * time.Minute)}
	f.putLease("staging", live)
	h, c, _ := f.leased(history.Shutdown)
	before := f.observe()
	_, err := h.Handle(t.Context(), json.RawMessage(`{}`))
	var held *lease.HeldError
	if !errors.As(err, &held) || held.Holder != live {
		t.Fatalf("error %v, want a *lease.HeldError naming %+v", err, live)
	}
	if n := c.Total(); n != 0 || !equalObserved(before, f.observe()) {
		t.Errorf("the refused run made %d calls to the fleet (%s) or changed it", n, c)
	}
	if got := f.leases(); len(got) != 1 || got["staging"] != live {
		t.Errorf("the refused run changed the leases: %+v", got)
	}

	crashed := lease.Holder{RunID: "20261127T190000Z-dead00", Kind: "shutdown", Trigger: "schedule", Since: now.Add(-20 * time.Minute), Until: now.Add(-9 * time.Minute)}
	f.putLease("staging", crashed)
	h, _, logs := f.leased(history.Shutdown)
	rep := runHandler(t, h, `{}`)
	if got := f.names(rep)[fleet.Stopped]; !slicesEqual(got, "web") || rep.Failed() {
		t.Errorf("the shutdown after a crashed run stopped %v (%+v)", got, rep.Totals)
	}
	checkInvariant(t, f, f.stoppedBy(rep))
	want := fmt.Sprintf("shutdown run %s (schedule) held it since %s and let it expire at %s", crashed.RunID, crashed.Since.Format(time.RFC3339), crashed.Until.Format(time.RFC3339))
	if s := logs.buf.String(); !strings.Contains(s, `"action":"take-over"`) || !strings.Contains(s, want) {
		t.Errorf("the take-over is not logged with %q:\n%s", want, s)
	}
	if l := f.leases(); len(l) != 0 {
		t.Errorf("the leases were not released: %+v", l)
	}
}

func slicesEqual(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(sorted(want...), ",")
}
