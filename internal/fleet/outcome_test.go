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

// A notification means a start when its message is one RDS documents for a start, or the
// one DescribeEvents was seen to answer for it, in any case, with or without the final
// period; any other notification that speaks of a start cannot be told.
func TestReadStart(t *testing.T) {
	tests := []struct {
		category, message string
		want              startSaid
	}{
		{"notification", "The DB instance has been started.", saysStarted},                                                            // RDS-EVENT-0088, documented
		{"notification", "DB instance started", saysStarted},                                                                          // RDS-EVENT-0088, as answered
		{"notification", "The DB instance is being started due to it exceeding the maximum allowed time being stopped.", saysStarted}, // RDS-EVENT-0154
		{"notification", "DB instance is being started due to it exceeding the maximum allowed time being stopped.", saysStarted},
		{"notification", "The DB cluster has been started.", saysStarted}, // RDS-EVENT-0151
		{"notification", "The DB cluster started.", saysStarted},
		{"notification", "DB cluster started", saysStarted},
		{"notification", "The DB cluster is being started due to it exceeding the maximum allowed time being stopped.", saysStarted}, // RDS-EVENT-0153
		{"notification", "  the db instance has been started  ", saysStarted},
		{"notification", "DB INSTANCE STARTED.", saysStarted},
		{"notification", "Operator-issued notification. For more information, see the event message.", saysNoStart}, // RDS-EVENT-0044 as documented
		{"notification", "Operator-issued notification: the DB instance will be started to apply a required update.", mentionsStart},
		{"notification", "The DB instance has been started by the operator.", mentionsStart},
		{"notification", "DB instance start requested by a scheduled action", mentionsStart},
		{"notification", "The DB cluster is starting.", mentionsStart},
		{"notification", "The DB instance has been stopped.", saysNoStart}, // RDS-EVENT-0087
		{"notification", "DB instance stopped", saysNoStart},
		{"notification", "The DB cluster stopped.", saysNoStart},                       // RDS-EVENT-0150
		{"notification", "The DB cluster stop failed.", saysNoStart},                   // RDS-EVENT-0152
		{"notification", "Patching of the DB instance has been delayed.", saysNoStart}, // RDS-EVENT-0048
		{"availability", "The DB instance restarted.", saysNoStart},                    // RDS-EVENT-0006
		{"creation", "DB instance created", saysNoStart},
	}
	for _, tc := range tests {
		e := rdstypes.Event{EventCategories: []string{tc.category}, Message: aws.String(tc.message)}
		if got := readStart(e); got != tc.want {
			t.Errorf("readStart(%s %q) = %v, want %v", tc.category, tc.message, got, tc.want)
		}
	}
}

// The restart reads a database's notifications since the mark for a start after it. The
// mark has whole seconds and RDS's event dates milliseconds: both are compared in whole
// seconds, and an event in the mark's second is taken for one before the mark. A
// documented start tells even beside a notification that cannot be told.
func TestStartedAfter(t *testing.T) {
	mark := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	event := func(source rdstypes.SourceType, d time.Duration, message string) rdstypes.Event {
		return rdstypes.Event{SourceType: source, SourceIdentifier: aws.String("app-db"), EventCategories: []string{"notification"},
			Date: aws.Time(mark.Add(d)), Message: aws.String(message)}
	}
	instance := func(d time.Duration, message string) rdstypes.Event {
		return event(rdstypes.SourceTypeDbInstance, d, message)
	}
	cluster := func(d time.Duration, message string) rdstypes.Event {
		return event(rdstypes.SourceTypeDbCluster, d, message)
	}
	const (
		started        = "The DB instance has been started."
		afterSevenDays = "The DB instance is being started due to it exceeding the maximum allowed time being stopped."
		clusterStarted = "The DB cluster has been started."
		clusterSeven   = "The DB cluster is being started due to it exceeding the maximum allowed time being stopped."
		operator       = "Operator-issued notification: the DB instance will be started to apply a required update."
		reworded       = "DB cluster start requested by a scheduled action"
	)
	tests := []struct {
		name    string
		events  []rdstypes.Event
		at      time.Duration // when the start was, after the mark; -1: none
		wantErr string
	}{
		{"no events", nil, -1, ""},
		{"instance started in the mark's second", []rdstypes.Event{instance(300*time.Millisecond, started)}, -1, ""},
		{"instance started at the mark's last millisecond", []rdstypes.Event{instance(999*time.Millisecond, started)}, -1, ""},
		{"instance started the second after", []rdstypes.Event{instance(1300*time.Millisecond, started)}, 1300 * time.Millisecond, ""},
		{"instance started by RDS after seven days", []rdstypes.Event{instance(7*24*time.Hour, afterSevenDays)}, 7 * 24 * time.Hour, ""},
		{"instance: an operator's notification", []rdstypes.Event{instance(time.Hour, operator)}, -1, `notification at 2026-11-27T20:00:00Z speaks of a start in words curfew does not know: "` + operator + `"`},
		{"instance: an operator's notification in the mark's second", []rdstypes.Event{instance(500*time.Millisecond, operator)}, -1, ""},
		{"instance: an operator's notification, then a start", []rdstypes.Event{instance(time.Hour, operator), instance(2*time.Hour, started)}, 2 * time.Hour, ""},
		{"instance: other notifications", []rdstypes.Event{instance(time.Hour, "Patching of the DB instance has been delayed."),
			instance(2*time.Hour, "The DB instance has been stopped.")}, -1, ""},
		{"cluster started in the mark's second", []rdstypes.Event{cluster(300*time.Millisecond, clusterStarted)}, -1, ""},
		{"cluster started the second after", []rdstypes.Event{cluster(1300*time.Millisecond, clusterStarted)}, 1300 * time.Millisecond, ""},
		{"cluster started by RDS after seven days", []rdstypes.Event{cluster(7*24*time.Hour, clusterSeven)}, 7 * 24 * time.Hour, ""},
		{"cluster: a reworded notification", []rdstypes.Event{cluster(time.Hour, reworded)}, -1, `speaks of a start in words curfew does not know: "` + reworded + `"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, detail, err := startedAfter(mark, tc.events)
			want := time.Time{}
			if tc.at >= 0 {
				want = mark.Add(tc.at)
			}
			if !at.Equal(want) || (err == nil) != (tc.wantErr == "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("startedAfter = %v %q %v, want %v, error %q", at, detail, err, want, tc.wantErr)
			}
			if !at.IsZero() && !strings.Contains(detail, "RDS event at") {
				t.Errorf("detail %q does not name the event", detail)
			}
		})
	}
}
