package cause_test

import (
	"fmt"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/cause/causetest"
)

func TestOfSaysTheCauseInAFewWords(t *testing.T) {
	for _, c := range causetest.Errors(t) {
		t.Run(c.Name, func(t *testing.T) {
			if got := cause.Of(c.Err); got != c.Cause {
				t.Errorf("Of = %q, want %q\n(error: %v)", got, c.Cause, c.Err)
			}
			causetest.NoSDKText(t, "Of", cause.Of(c.Err))
		})
	}
}

// The innermost AWS call is the one named, as the credentials provider's AssumeRole is
// under the call it signs.
func TestOfNamesTheInnermostCall(t *testing.T) {
	var inner error
	for _, c := range causetest.Errors(t) {
		if c.Cause == "Cost Explorer GetCostForecast: access denied" {
			inner = c.Err
		}
	}
	outer := fmt.Errorf("read daily costs: %w", &smithy.OperationError{ServiceID: "Lambda", OperationName: "Invoke",
		Err: fmt.Errorf("wrapped: %w", inner)})
	if got := cause.Of(outer); got != "Cost Explorer GetCostForecast: access denied" {
		t.Errorf("Of = %q", got)
	}
	if cause.Of(nil) != "" {
		t.Error("Of(nil) is not empty")
	}
}
