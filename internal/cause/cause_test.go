package cause_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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

func TestHTTPStatusReadsAWSAnswer(t *testing.T) {
	answered := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusPreconditionFailed}},
		Err:      errors.New("precondition failed")}}
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"answer", answered, http.StatusPreconditionFailed},
		{"wrapped answer", fmt.Errorf("put s3://b/k: %w", answered), http.StatusPreconditionFailed},
		{"no answer", errors.New("dial tcp: connection refused"), 0},
		{"nil", nil, 0},
	} {
		if got := cause.HTTPStatus(c.err); got != c.want {
			t.Errorf("%s: HTTPStatus = %d, want %d", c.name, got, c.want)
		}
	}
}
