package lease_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/lease"
	"github.com/curfew/curfew/internal/lease/leasetest"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

var t0 = time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)

// newStore is a lease store over a bucket of its own in moto, with a fake clock at t0; ops
// counts its S3 calls by operation.
func newStore(t *testing.T) (lease.Store, *clock, *s3.Client, map[string]int) {
	t.Helper()
	account := emulator.NewAccountID()
	cfg := emulator.Shared(t).Account(t, account, "eu-west-1")
	var mu sync.Mutex
	ops := map[string]int{}
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			mu.Lock()
			ops[awsmiddleware.GetOperationName(ctx)]++
			mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	})
	client := emulator.S3(leasetest.AtomicConditionalWrites(cfg))
	bucket := "curfew-lease-" + account // bucket names are global
	emulator.Bucket(t, client, bucket)
	clear(ops)
	c := &clock{t: t0}
	return lease.Store{Client: client, Bucket: bucket, Now: c.now}, c, client, ops
}

// Scopes of the tests: accounts.
var (
	staging = lease.Scope{ID: "222222222222", Name: "account staging (222222222222)"}
	sandbox = lease.Scope{ID: "333333333333", Name: "account sandbox (333333333333)"}
	qa      = lease.Scope{ID: "444444444444", Name: "account qa (444444444444)"}
	one     = []lease.Scope{staging}
)

func holder(id, kind string, since time.Time) lease.Holder {
	return lease.Holder{RunID: id, Kind: kind, Trigger: "schedule", Since: since, Until: since.Add(11 * time.Minute)}
}

func held(t *testing.T, err error) lease.Holder {
	t.Helper()
	var he *lease.HeldError
	if !errors.As(err, &he) {
		t.Fatalf("error %v, want a *lease.HeldError", err)
	}
	return he.Holder
}

// While one run holds the lease no other takes it, and the refusal names the holder and
// since when; once released, the next run takes it.
func TestHeldUntilReleased(t *testing.T) {
	t.Parallel()
	s, c, _, _ := newStore(t)
	ctx := t.Context()
	first, err := s.Take(ctx, holder("night", "shutdown", t0), one)
	if err != nil {
		t.Fatal(err)
	}
	c.set(t0.Add(10 * time.Minute)) // still before Until
	_, err = s.Take(ctx, holder("manual", "restart", c.now()), one)
	if h := held(t, err); h != first.Holder {
		t.Errorf("held by %+v, want %+v", h, first.Holder)
	}
	for _, want := range []string{"in progress in account staging (222222222222)", "shutdown run night (schedule)", "since 2026-11-27T19:00:00Z",
		"until 2026-11-27T19:11:00Z", "s3://" + s.Bucket + "/lease/222222222222.json", "changed nothing", "run it again once that one is done"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := s.Take(ctx, holder("manual", "restart", c.now()), one)
	if err != nil || second.TookOver != nil {
		t.Fatalf("take after release: %v, took over %v", err, second)
	}
}

// A crashed run's lease is taken over once its Until has passed, not before; the crashed
// run, should it come back, cannot remove the new holder's lease.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	t.Parallel()
	s, c, _, _ := newStore(t)
	ctx := t.Context()
	crashed, err := s.Take(ctx, holder("crashed", "shutdown", t0), one)
	if err != nil {
		t.Fatal(err)
	}
	c.set(crashed.Holder.Until.Add(-time.Second))
	if _, err := s.Take(ctx, holder("early", "restart", c.now()), one); held(t, err).RunID != "crashed" {
		t.Fatal("taken before it expired")
	}
	c.set(crashed.Holder.Until.Add(time.Second))
	next, err := s.Take(ctx, holder("next", "restart", c.now()), one)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.TookOver) != 1 || next.TookOver[0].From.RunID != "crashed" || next.TookOver[0].Scope != staging {
		t.Errorf("took over %+v, want the crashed run", next.TookOver)
	}
	if err := crashed.Release(ctx); err == nil || !strings.Contains(err.Error(), "another run took it over after it expired") {
		t.Errorf("the crashed run's release: %v, want refused", err)
	}
	if _, err := s.Take(ctx, holder("third", "shutdown", c.now()), one); held(t, err).RunID != "next" {
		t.Error("the crashed run's release removed the new holder's lease")
	}
}

// Of many runs taking the leases of the same accounts at once, exactly one gets them; so
// too of many taking over the same expired leases.
func TestOneOfManyTakesIt(t *testing.T) {
	t.Parallel()
	s, c, _, _ := newStore(t)
	race := func(round string) (winners []*lease.Lease) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				l, err := s.Take(t.Context(), holder(fmt.Sprintf("%s-%d", round, i), "shutdown", c.now()), []lease.Scope{staging, sandbox, qa})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					winners = append(winners, l)
				} else {
					held(t, err)
				}
			})
		}
		wg.Wait()
		return winners
	}
	if w := race("free"); len(w) != 1 || len(w[0].TookOver) != 0 {
		t.Fatalf("%d runs took the free lease, want 1", len(w))
	}
	c.set(t0.Add(time.Hour))
	if w := race("expired"); len(w) != 1 || len(w[0].TookOver) != 3 {
		t.Fatalf("%d runs took over the expired lease, want 1", len(w))
	}
}

// A lease object curfew did not write lets no run in, and stays as it was.
func TestForeignLeaseObject(t *testing.T) {
	t.Parallel()
	s, _, client, _ := newStore(t)
	ctx := t.Context()
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(lease.Key(staging.ID)), Body: strings.NewReader("locked")}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Take(ctx, holder("run", "shutdown", t0), one)
	if err == nil || !strings.Contains(err.Error(), `holds "locked"`) || !strings.Contains(err.Error(), "if no run is in progress, delete it") {
		t.Fatalf("take over a foreign object: %v", err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(lease.Key(staging.ID))})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if aws.ToInt64(out.ContentLength) != int64(len("locked")) {
		t.Error("the foreign object was overwritten")
	}
}

// A run takes the leases of all its accounts or of none: refused in one, it releases
// those it took; runs over other accounts go ahead.
func TestAllOrNone(t *testing.T) {
	t.Parallel()
	s, _, _, _ := newStore(t)
	ctx := t.Context()
	if _, err := s.Take(ctx, holder("sandbox-night", "shutdown", t0), []lease.Scope{sandbox}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Take(ctx, holder("everything", "restart", t0), []lease.Scope{staging, sandbox, qa})
	if h := held(t, err); h.RunID != "sandbox-night" {
		t.Errorf("refused by %+v, want sandbox-night", h)
	}
	if !strings.Contains(err.Error(), "in progress in account sandbox (333333333333)") {
		t.Errorf("error %q does not name the account", err)
	}
	for _, scope := range []lease.Scope{staging, qa} {
		l, err := s.Take(ctx, holder("after-"+scope.ID, "restart", t0), []lease.Scope{scope})
		if err != nil {
			t.Fatalf("%s after the refused run: %v (its lease was not released)", scope.Name, err)
		}
		if err := l.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Take(ctx, holder("bad", "restart", t0), []lease.Scope{{ID: "../runs/x", Name: "account bad"}}); err == nil || !strings.Contains(err.Error(), "is not an id") {
		t.Errorf("a scope id with a path: %v", err)
	}
}

// What the leases cost a run, in S3 calls (asserted) and time against moto (logged).
func TestCost(t *testing.T) {
	t.Parallel()
	s, c, _, ops := newStore(t)
	ctx := t.Context()
	measure := func(name string, want map[string]int, fn func()) {
		t.Helper()
		clear(ops)
		start := time.Now()
		fn()
		t.Logf("%s: %v, %d ms against moto", name, ops, time.Since(start).Milliseconds())
		if fmt.Sprint(ops) != fmt.Sprint(want) {
			t.Errorf("%s made %v, want %v", name, ops, want)
		}
	}
	for _, scopes := range [][]lease.Scope{one, {staging, sandbox, qa}} {
		n := len(scopes)
		measure(fmt.Sprintf("take and release %d free", n), map[string]int{"PutObject": n, "DeleteObject": n}, func() {
			l, err := s.Take(ctx, holder("a", "shutdown", t0), scopes)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Release(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := s.Take(ctx, holder("b", "shutdown", t0), one); err != nil {
		t.Fatal(err)
	}
	measure("refused, held", map[string]int{"PutObject": 1, "GetObject": 1}, func() {
		held(t, func() error { _, err := s.Take(ctx, holder("c", "restart", t0), one); return err }())
	})
	c.set(t0.Add(time.Hour))
	measure("take over, expired", map[string]int{"PutObject": 2, "GetObject": 1}, func() {
		if _, err := s.Take(ctx, holder("d", "restart", c.now()), one); err != nil {
			t.Fatal(err)
		}
	})
}

// lossy does each request it is given, then loses the answers of the first lose writes
// that succeeded: the SDK, taking the connection for reset, sends them again.
type lossy struct {
	next aws.HTTPClient
	mu   sync.Mutex
	lose int
}

func (l *lossy) Do(r *http.Request) (*http.Response, error) {
	resp, err := l.next.Do(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	write := r.Method == http.MethodPut || r.Method == http.MethodDelete
	if err != nil || !write || resp.StatusCode >= 300 || l.lose == 0 {
		return resp, err
	}
	l.lose--
	resp.Body.Close()
	return nil, errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer")
}

// A conditional write whose answer is lost is sent again by the SDK, and S3 refuses the
// second attempt because the first stored it: the run finds its own lease there and holds
// it. A release whose answer is lost finds the lease gone, which is released all the same.
func TestLostAnswers(t *testing.T) {
	t.Parallel()
	s, c, client, _ := newStore(t)
	ctx := t.Context()
	l := &lossy{next: awshttp.NewBuildableClient()}
	s.Client = s3.New(client.Options(), func(o *s3.Options) {
		o.HTTPClient = leasetest.AtomicConditionalWrites(aws.Config{HTTPClient: l}).HTTPClient
	})
	lose := func(n int) { l.mu.Lock(); defer l.mu.Unlock(); l.lose = n }
	lost := func(step string) {
		t.Helper()
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.lose != 0 {
			t.Fatalf("%s: no answer was lost", step)
		}
	}

	lose(1)
	mine, err := s.Take(ctx, holder("mine", "shutdown", t0), one)
	lost("take")
	if err != nil {
		t.Fatalf("take with its answer lost: %v", err)
	}
	if _, err := s.Take(ctx, holder("other", "restart", t0), one); held(t, err).RunID != "mine" {
		t.Fatal("the lease is not held")
	}
	lose(1)
	err = mine.Release(ctx)
	lost("release")
	if err != nil {
		t.Errorf("release with its answer lost: %v", err)
	}

	if _, err := s.Take(ctx, holder("crashed", "shutdown", t0), one); err != nil {
		t.Fatal(err)
	}
	c.set(t0.Add(time.Hour))
	lose(1)
	later, err := s.Take(ctx, holder("later", "restart", c.now()), one)
	lost("take over")
	if err != nil || len(later.TookOver) != 1 {
		t.Fatalf("take over with its answer lost: %v", err)
	}
	if _, err := s.Take(ctx, holder("other", "restart", c.now()), one); held(t, err).RunID != "later" {
		t.Fatal("the lease taken over is not held")
	}
}
