package snoozelink

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/snooze"
)

// failingEC2 fails every call with err, as a role that cannot be assumed or a denied
// call fails it.
type failingEC2 struct {
	snooze.EC2API
	err error
}

func (f failingEC2) DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return nil, f.err
}

// failingS3 fails every read of the history bucket with err.
type failingS3 struct {
	S3API
	err error
}

func (f failingS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return nil, f.err
}

// When AWS fails (the account's role, its API, the history bucket), the page says what
// failed in a few words and what to do, never the SDK's text, which goes to the log.
func TestFailuresReadWithoutSDKText(t *testing.T) {
	fx := newFixture(t)
	form := "t=" + fx.valid
	for _, c := range causetest.Errors(t) {
		t.Run(c.Name, func(t *testing.T) {
			h, _ := fx.handler()
			h.Connect = func(accounts.Account, string) snooze.Clients { return snooze.Clients{EC2: failingEC2{err: c.Err}} }
			resp, _ := h.Handle(t.Context(), fixtureRequest("POST", "", form, "", "192.0.2.1"))
			body := html.UnescapeString(resp.Body)
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "not kept up ("+c.Cause+")") || !strings.Contains(body, "Next: ") {
				t.Errorf("a failing account: %d\n%s", resp.StatusCode, body)
			}
			causetest.NoSDKText(t, "the page of a failing account", body)

			h, _ = fx.handler()
			h.Store.Client = failingS3{S3API: h.Store.Client, err: c.Err}
			resp, _ = h.Handle(t.Context(), fixtureRequest("GET", form, "", "", "192.0.2.1"))
			// A 404 reads as a link with no record; anything else as records out of reach.
			if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Body, "Next: ") {
				t.Errorf("a failing bucket: %d\n%s", resp.StatusCode, resp.Body)
			}
			causetest.NoSDKText(t, "the page of a failing bucket", resp.Body)
		})
	}
}
