package problem_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/curfew/curfew/internal/problem"
)

// The first kind an error matches gives its status: a run refused by a lease is also a
// failed run, and exits as refused.
func TestKindsExit(t *testing.T) {
	failed, refused := errors.New("run failed"), errors.New("refused by a lease")
	kinds := problem.Kinds{
		{Status: problem.ExitRefused, Errs: []error{refused}},
		{Status: problem.ExitUsage, Errs: []error{problem.ErrInvalidInput}},
		{Status: problem.ExitPartial, Errs: []error{failed}},
	}
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, problem.ExitOK},
		{errors.New("disk full"), problem.ExitFailed},
		{fmt.Errorf("%w: %w: held", failed, refused), problem.ExitRefused},
		{fmt.Errorf("x: %w", failed), problem.ExitPartial},
		{problem.Join([]error{errors.New("a"), problem.WithHint(problem.ErrInvalidInput, "fix it")}), problem.ExitUsage},
		{problem.Shown("plan: access denied", fmt.Errorf("%w", failed)), problem.ExitPartial},
	} {
		if got := kinds.Exit(tt.err); got != tt.want {
			t.Errorf("Exit(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if got := problem.Shown("plan: access denied", errors.New("operation error ...")).Error(); got != "plan: access denied" {
		t.Errorf("Shown reads %q", got)
	}
}
