package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
)

// refuse is a batch call that refuses any batch holding one of bad, as EC2 refuses a
// StopInstances batch because of one instance.
type refuse struct {
	bad   []string
	code  string
	calls int
}

func (r *refuse) call(_ context.Context, ids []string) error {
	r.calls++
	for _, id := range ids {
		if slices.Contains(r.bad, id) {
			return &smithy.GenericAPIError{Code: r.code, Message: "refused because of " + id}
		}
	}
	return nil
}

func TestInBatches(t *testing.T) {
	var ids []string
	for i := range 250 {
		ids = append(ids, fmt.Sprintf("i-%03d", i))
	}
	t.Run("a refused batch is split until the culprits are alone", func(t *testing.T) {
		r := &refuse{bad: []string{"i-007", "i-180"}, code: "IncorrectInstanceState"}
		failed := inBatches(t.Context(), ids, r.call)
		if len(failed) != 2 || failed["i-007"] == nil || failed["i-180"] == nil {
			t.Errorf("failed = %v, want exactly i-007 and i-180", failed)
		}
		// 3 batches (100, 100, 50); each culprit costs 2 calls per halving of its batch of
		// 100 (7 levels down to 1).
		if r.calls > 3+2*2*7 {
			t.Errorf("%d calls", r.calls)
		}
		t.Logf("%d calls for 250 ids with 2 refused", r.calls)
	})
	t.Run("an error about the whole call is not split", func(t *testing.T) {
		r := &refuse{bad: []string{"i-007"}, code: "AuthFailure"}
		failed := inBatches(t.Context(), ids, r.call)
		if len(failed) != 100 || r.calls != 3 {
			t.Errorf("%d failed in %d calls, want the first batch of 100 failed in 3 calls", len(failed), r.calls)
		}
	})
	t.Run("no answer is not split", func(t *testing.T) {
		calls := 0
		failed := inBatches(t.Context(), ids[:10], func(context.Context, []string) error {
			calls++
			return errors.New("connection reset")
		})
		if len(failed) != 10 || calls != 1 {
			t.Errorf("%d failed in %d calls", len(failed), calls)
		}
	})
}

func TestRefusedForResource(t *testing.T) {
	for code, want := range map[string]bool{
		"IncorrectInstanceState": true, "UnsupportedOperation": true, "InvalidInstanceID.NotFound": true,
		"UnauthorizedOperation": true, "RequestLimitExceeded": false, "AuthFailure": false, "ExpiredToken": false,
	} {
		err := fmt.Errorf("stop: %w", &smithy.GenericAPIError{Code: code})
		if got := refusedForResource(err); got != want {
			t.Errorf("refusedForResource(%s) = %v, want %v", code, got, want)
		}
	}
	if refusedForResource(context.DeadlineExceeded) {
		t.Error("a deadline is not about a resource")
	}
}

func TestReportFailed(t *testing.T) {
	tests := []struct {
		name string
		res  []Result
		want bool
	}{
		{"all done", []Result{{Status: Done, Resources: []Resource{{Action: Stopped}, {Action: Skipped}}}}, false},
		{"holiday", []Result{{Status: Holiday}}, false},
		{"a resource failed", []Result{{Status: Done, Resources: []Resource{{Action: ActionFailed}}}}, true},
		{"a pair failed", []Result{{Status: Failed}}, true},
		{"a pair not reached", []Result{{Status: Done}, {Status: NotReached}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Results: tc.res}
			r.count()
			if r.Failed() != tc.want {
				t.Errorf("Failed() = %v with totals %+v", r.Failed(), r.Totals)
			}
		})
	}
}

func TestMetricsLine(t *testing.T) {
	r := Report{RunID: "r1", Kind: "shutdown", Started: now, Results: []Result{{Status: Done, Resources: []Resource{{Action: Stopped}, {Action: Stopped}, {Action: Skipped}}}}}
	r.count()
	var b strings.Builder
	if err := writeMetrics(&b, r); err != nil {
		t.Fatal(err)
	}
	line := b.String()
	for _, want := range []string{`"Namespace":"curfew"`, `"Dimensions":[["Kind","DryRun"]]`, `"Stopped":2`, `"Skipped":1`, `"Timestamp":` + fmt.Sprint(now.UnixMilli()), `"Kind":"shutdown"`} {
		if !strings.Contains(line, want) {
			t.Errorf("metrics line lacks %s: %s", want, line)
		}
	}
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Errorf("want exactly one line: %q", line)
	}
}
