package fleet

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curfew/curfew/internal/accounts"
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

// An instance was started after curfew's mark when its LaunchTime, in whole seconds, is
// later than the mark; without a readable mark or a launch time the restart cannot tell.
func TestEC2StoppedAgain(t *testing.T) {
	mark := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	instance := func(launched *time.Time, markValue string) ec2types.Instance {
		return ec2types.Instance{LaunchTime: launched, Tags: []ec2types.Tag{
			{Key: aws.String(accounts.StoppedAtTag), Value: aws.String(markValue)},
			{Key: aws.String(accounts.StoppedByRunTag), Value: aws.String("20261127T190000Z-1a2b3c")}}}
	}
	at := func(d time.Duration) *time.Time { t := mark.Add(d); return &t }
	tests := []struct {
		name    string
		in      ec2types.Instance
		again   bool
		wantErr string
	}{
		{"launched before the mark", instance(at(-48*time.Hour), mark.Format(time.RFC3339)), false, ""},
		{"launched within the mark's second", instance(at(700*time.Millisecond), mark.Format(time.RFC3339)), false, ""},
		{"launched the second after", instance(at(time.Second), mark.Format(time.RFC3339)), true, ""},
		{"launched at 21:00", instance(at(2*time.Hour), mark.Format(time.RFC3339)), true, ""},
		{"no launch time", instance(nil, mark.Format(time.RFC3339)), false, "no launch time"},
		{"unreadable mark", instance(at(time.Hour), "yesterday"), false, "not an RFC 3339 time"},
		{"no time in the mark", ec2types.Instance{LaunchTime: at(time.Hour), Tags: []ec2types.Tag{
			{Key: aws.String(accounts.StoppedByRunTag), Value: aws.String("20261127T190000Z-1a2b3c")}}}, false, "has no curfew:stopped-at tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			again, detail, err := ec2StoppedAgain(tc.in)
			if again != tc.again || (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ec2StoppedAgain = %v %q %v, want %v, error %q", again, detail, err, tc.again, tc.wantErr)
			}
		})
	}
}

// The start notifications of RDS's documented messages count; other notifications do not.
func TestStartEvent(t *testing.T) {
	tests := []struct {
		category, message string
		want              bool
	}{
		{"notification", "DB instance started", true},
		{"notification", "The DB instance has been started.", true},
		{"notification", "DB cluster started", true},
		{"notification", "DB instance is being started due to it exceeding the maximum allowed time being stopped.", true},
		{"notification", "DB instance stopped", false},
		{"notification", "DB cluster stopped", false},
		{"availability", "DB instance restarted", false},
		{"creation", "DB instance created", false},
	}
	for _, tc := range tests {
		e := rdstypes.Event{EventCategories: []string{tc.category}, Message: aws.String(tc.message)}
		if got := startEvent(e); got != tc.want {
			t.Errorf("startEvent(%s %q) = %v, want %v", tc.category, tc.message, got, tc.want)
		}
	}
}
