package fleet

import (
	"context"
	"errors"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// A stop keeps its mark unless AWS answered with a refusal that surely changed nothing.
func TestMayHaveStopped(t *testing.T) {
	answer := func(status int, code string) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err:      &smithy.GenericAPIError{Code: code},
		}}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused: instance state", answer(400, "IncorrectInstanceState"), false},
		{"refused: access denied", answer(403, "UnauthorizedOperation"), false},
		{"refused: throttled through every attempt", answer(400, "RequestLimitExceeded"), false},
		{"server error", answer(500, "InternalError"), true},
		{"unavailable", answer(503, "ServiceUnavailable"), true},
		{"RDS: already stopping, after a lost answer", answer(400, "InvalidDBInstanceState"), true},
		{"RDS cluster: already stopping", answer(400, "InvalidDBClusterStateFault"), true},
		{"deadline", context.DeadlineExceeded, true},
		{"connection reset", errors.New("read tcp: connection reset by peer"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mayHaveStopped(tc.err); got != tc.want {
				t.Errorf("mayHaveStopped(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
