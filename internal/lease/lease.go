// Package lease lets one shutdown or restart run at a time in each account, through one
// object per account in curfew's bucket, written with S3's conditional writes.
//
// Why a lease, not reserved concurrency or a proof that runs may overlap: a reserved
// concurrency of 1 fails to deploy in accounts whose Lambda concurrency quota is 10 (Lambda
// keeps 10 unreserved), and overlapping runs are not safe. Two interleavings, each allowed
// by the code as it is, break the marks invariant:
//   - a shutdown marks a running instance; a restart, finding it running and marked, takes
//     the mark for a stale one and removes it; the shutdown then stops it: stopped, unmarked;
//   - two shutdowns mark the same database; the first stops it; RDS refuses the second's
//     stop (the database is stopping), so the second removes the mark: stopped, unmarked.
//
// Runs meet only through the resources of the accounts they visit, so a lease per account
// is enough: runs over other accounts (two schedules firing at once for two groups of
// accounts, a manual start of one account during another's night) never wait for each
// other. A run takes the leases of its accounts one by one in the map's order, all or none.
//
// The holder writes a lease with If-None-Match: *, so exactly one of two writers gets it,
// and removes it with If-Match on its own ETag, so it never removes another run's. A run
// that crashes leaves its leases behind; a lease says until when it may be held, which is
// the holder's own deadline (the Lambda timeout, when Lambda kills it) plus Margin, so a
// lease past that time is held by nobody. Taking one over is again conditional (If-Match on
// the expired lease's ETag): of two runs that find it expired, one gets it.
package lease

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/clock"
)

// Prefix is where the leases live in curfew's bucket.
const Prefix = "lease/"

// Key is the object of the lease of scope id.
func Key(id string) string { return Prefix + id + ".json" }

// Scope is what one lease keeps to one run at a time: an account.
type Scope struct {
	// ID names the lease's object (an account id).
	ID string
	// Name says what it is in messages, e.g. "account staging (222222222222)".
	Name string
}

// Margin is added to the holder's deadline to give the lease's expiry: it covers calls
// still in flight when the holder is killed and the clocks of two Lambda hosts disagreeing.
const Margin = time.Minute

// errForeign: the lease object holds something curfew did not write.
var errForeign = errors.New("the lease is not one curfew wrote")

// attempts bounds the rounds of Take on one lease that changes hands under it.
const attempts = 3

// releaseLimit bounds the leases released at once.
const releaseLimit = 16

// S3API is the part of the S3 client the lease uses.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// Holder is what the lease says of the run that holds it.
type Holder struct {
	RunID   string `json:"runId"`
	Kind    string `json:"kind"`    // shutdown or restart
	Trigger string `json:"trigger"` // schedule or manual
	// Since is when the run started; Until is when the lease expires at the latest.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

func (h Holder) String() string {
	return fmt.Sprintf("%s run %s (%s)", h.Kind, h.RunID, h.Trigger)
}

// Store takes and releases the lease in one bucket.
type Store struct {
	Client S3API
	Bucket string
	// Now defaults to clock.Now; it decides whether a lease has expired.
	Now func() time.Time
}

// HeldError is the error of Take when another run holds a lease.
type HeldError struct {
	Scope  Scope
	Holder Holder
	// Object is the lease's s3:// address.
	Object string
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("another run is in progress in %s: %s has held its lease %s since %s, until %s at the latest; "+
		"this run changed nothing: run it again once that one is done",
		e.Scope.Name, e.Holder, e.Object, e.Holder.Since.UTC().Format(time.RFC3339), e.Holder.Until.UTC().Format(time.RFC3339))
}

// Lease is the leases taken by one run.
type Lease struct {
	Holder Holder
	// TookOver lists the expired leases this run took over.
	TookOver []TakenOver
	store    Store
	held     []held
}

// TakenOver is an expired lease taken over, and the run that had let it expire.
type TakenOver struct {
	Scope Scope
	From  Holder
}

// held is one lease of a run, with the ETag that releases it.
type held struct {
	scope Scope
	etag  string
}

// Take takes the lease of every scope for h, in order, or none: when another run holds
// one, it releases those it took and returns a *HeldError naming that run. A lease whose
// Until has passed is taken over.
func (s Store) Take(ctx context.Context, h Holder, scopes []Scope) (*Lease, error) {
	body, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode the lease: %w", err)
	}
	l := &Lease{Holder: h, store: s}
	for _, sc := range scopes {
		if sc.ID == "" || strings.ContainsAny(sc.ID, "/.") {
			err = fmt.Errorf("lease of %s: %q is not an id", sc.Name, sc.ID)
		} else {
			err = s.take(ctx, l, sc, h, body)
		}
		if err != nil {
			if rerr := l.Release(context.WithoutCancel(ctx)); rerr != nil {
				err = errors.Join(err, rerr)
			}
			return nil, err
		}
	}
	return l, nil
}

// take takes the lease of one scope for h into l.
func (s Store) take(ctx context.Context, l *Lease, sc Scope, h Holder, body []byte) error {
	var last error
	// expired is the holder this run tried to take the lease over from, if any.
	var expired *Holder
	// adopt holds a lease this run wrote but never heard back about: the SDK sent the
	// write again, and S3 refused the second attempt because the first had stored it.
	adopt := func(etag string) {
		l.held = append(l.held, held{sc, etag})
		if expired != nil {
			l.TookOver = append(l.TookOver, TakenOver{Scope: sc, From: *expired})
		}
	}
	for range attempts {
		etag, err := s.put(ctx, sc, body, &s3.PutObjectInput{IfNoneMatch: aws.String("*")})
		if err == nil {
			l.held = append(l.held, held{sc, etag})
			return nil
		}
		if !lost(err) {
			return fmt.Errorf("take the lease %s: %w", s.object(sc), err)
		}
		// Someone holds it, or held it: read who. A read that fails here most likely
		// found the lease released in between (S3 answers 403 rather than 404 for a
		// missing object to a role that may not list the bucket): try again.
		current, currentTag, err := s.get(ctx, sc)
		if errors.Is(err, errForeign) {
			return err
		}
		if err != nil {
			last = err
			continue
		}
		if current.RunID == h.RunID {
			adopt(currentTag)
			return nil
		}
		if s.now().Before(current.Until) {
			return &HeldError{Scope: sc, Holder: current, Object: s.object(sc)}
		}
		expired = &current
		etag, err = s.put(ctx, sc, body, &s3.PutObjectInput{IfMatch: aws.String(currentTag)})
		if err == nil {
			l.held = append(l.held, held{sc, etag})
			l.TookOver = append(l.TookOver, TakenOver{Scope: sc, From: current})
			return nil
		}
		if !lost(err) && !gone(err) {
			return fmt.Errorf("take over the expired lease %s of %s: %w", s.object(sc), current, err)
		}
		last = err // another run took it over, or it was removed: look again
	}
	current, currentTag, err := s.get(ctx, sc)
	switch {
	case err == nil && current.RunID == h.RunID:
		adopt(currentTag)
		return nil
	case err == nil && s.now().Before(current.Until):
		return &HeldError{Scope: sc, Holder: current, Object: s.object(sc)}
	}
	return fmt.Errorf("take the lease %s: it changed hands %d times while this run tried: %w", s.object(sc), attempts, last)
}

// Release removes the leases that are still this run's, at once; a lease it cannot
// remove expires by itself at Until.
func (l *Lease) Release(ctx context.Context) error {
	s := l.store
	errs := make([]error, len(l.held))
	var g errgroup.Group
	g.SetLimit(releaseLimit)
	for i, h := range l.held {
		g.Go(func() error {
			_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{
				Bucket: aws.String(s.Bucket), Key: aws.String(Key(h.scope.ID)), IfMatch: aws.String(h.etag),
			})
			switch {
			case err == nil, gone(err):
				// Gone: an earlier attempt whose answer was lost removed it, or a person
				// did; either way no run holds it.
			case lost(err):
				errs[i] = fmt.Errorf("release the lease %s: another run took it over after it expired at %s: %w",
					s.object(h.scope), l.Holder.Until.UTC().Format(time.RFC3339), err)
			default:
				errs[i] = fmt.Errorf("release the lease %s (it expires by itself at %s): %w", s.object(h.scope), l.Holder.Until.UTC().Format(time.RFC3339), err)
			}
			return nil
		})
	}
	_ = g.Wait() // every release reports into its own slot
	l.held = nil
	return errors.Join(errs...)
}

func (s Store) put(ctx context.Context, sc Scope, body []byte, in *s3.PutObjectInput) (string, error) {
	in.Bucket, in.Key = aws.String(s.Bucket), aws.String(Key(sc.ID))
	in.Body, in.ContentType = bytes.NewReader(body), aws.String("application/json")
	out, err := s.Client.PutObject(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ETag), nil
}

func (s Store) get(ctx context.Context, sc Scope) (Holder, string, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(Key(sc.ID))})
	if err != nil {
		return Holder{}, "", fmt.Errorf("read the lease %s: %w", s.object(sc), err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return Holder{}, "", fmt.Errorf("read the lease %s: %w", s.object(sc), err)
	}
	var h Holder
	if err := json.Unmarshal(data, &h); err != nil || h.RunID == "" || h.Until.IsZero() {
		// Only curfew writes there; a lease nobody can read must not let two runs in.
		return Holder{}, "", fmt.Errorf("%w: %s holds %q; if no run is in progress, delete it", errForeign, s.object(sc), truncate(data, 200))
	}
	return h, aws.ToString(out.ETag), nil
}

func (s Store) now() time.Time {
	return clock.Or(s.Now)
}

func (s Store) object(sc Scope) string { return "s3://" + s.Bucket + "/" + Key(sc.ID) }

// lost reports whether a conditional write lost to another writer: 412 Precondition Failed
// (the condition no longer holds), or 409 ConditionalRequestConflict (S3 was completing
// another write of the same key).
func lost(err error) bool { return cause.HTTPStatus(err) == 412 || cause.HTTPStatus(err) == 409 }

// gone reports whether the object was not there.
func gone(err error) bool { return cause.HTTPStatus(err) == 404 }

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
