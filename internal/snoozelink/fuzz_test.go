package snoozelink

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snooze"
)

// fuzzMap is a swept account and a production one, Madrid's 20:00 stop.
const fuzzMap = `
identity: home
home: home
homeRegion: eu-west-1
externalId: curfew-fuzz
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}, start: {at: "07:30", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [platform@example.com]}
accounts:
  - {name: home, id: "900000000000", environment: production}
  - {name: staging, id: "900000000001", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
  - {name: production, id: "900000000002", environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
`

// memS3 is a bucket in memory, for the fuzzer: S3's answers to the calls the links make.
type memS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func s3Status(code int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: fmt.Errorf("status %d", code)}}
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := aws.ToString(in.Key)
	if _, ok := m.objects[key]; ok && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, s3Status(http.StatusPreconditionFailed)
	}
	body, _ := io.ReadAll(in.Body)
	m.objects[key] = body
	return &s3.PutObjectOutput{}, nil
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	body, ok := m.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, s3Status(http.StatusNotFound)
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(body))}, nil
}

func (m *memS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[aws.ToString(in.Key)]; !ok {
		return nil, s3Status(http.StatusNotFound)
	}
	return &s3.HeadObjectOutput{}, nil
}

// tagRecorder answers DescribeInstances for any id and records every tag write.
type tagRecorder struct {
	snooze.EC2API
	snooze.RDSAPI
	mu     sync.Mutex
	writes int
}

func (r *tagRecorder) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{{Instances: []ec2types.Instance{{InstanceId: aws.String(in.InstanceIds[0])}}}}}, nil
}

func (r *tagRecorder) CreateTags(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	return &ec2.CreateTagsOutput{}, nil
}

// fixture is a handler's world in memory: a swept account's link stored, its valid token.
type fixture struct {
	m      *accounts.Map
	key    []byte
	now    time.Time
	stored map[string][]byte
	valid  string
}

func newFixture(tb testing.TB) fixture {
	tb.Helper()
	m, err := accounts.Parse([]byte(fuzzMap))
	if err != nil {
		tb.Fatal(err)
	}
	fx := fixture{m: m, key: bytes.Repeat([]byte{7}, MinKey), now: time.Date(2026, 11, 25, 18, 35, 0, 0, time.UTC)}
	link := Link{Account: "staging", AccountID: "900000000001", Stop: fx.now.Add(25 * time.Minute), Until: fx.now.Add(12 * time.Hour), Sent: fx.now.Add(-5 * time.Minute),
		Resources: []Target{{Type: history.EC2Instance, Region: "eu-west-1", ID: "i-0123456789abcdef0"}}}
	bucket := &memS3{objects: map[string][]byte{}}
	issuer, err := NewIssuer(fx.key, bucket, "curfew-runs", "https://links.example.test/")
	if err != nil {
		tb.Fatal(err)
	}
	u, err := issuer.Issue(tb.Context(), link)
	if err != nil {
		tb.Fatal(err)
	}
	fx.valid, fx.stored = strings.TrimPrefix(u, "https://links.example.test/?t="), bucket.objects
	return fx
}

// handler is a handler over a copy of the fixture's bucket, recording its tag writes.
func (fx fixture) handler() (*Handler, *tagRecorder) {
	objects := map[string][]byte{}
	for k, v := range fx.stored {
		objects[k] = v
	}
	rec := &tagRecorder{}
	return &Handler{Map: fx.m, Key: fx.key, Store: Store{Client: &memS3{objects: objects}, Bucket: "curfew-runs"}, Logger: slog.New(slog.DiscardHandler),
		Now:     func() time.Time { return fx.now },
		Connect: func(accounts.Account, string) snooze.Clients { return snooze.Clients{EC2: rec, RDS: rec} }}, rec
}

// FuzzLinkRequest sends the link function arbitrary requests (method, path, query, body,
// its encoding, content type, Slack's signature headers, or a body Slack's secret really
// signed at an arbitrary timestamp), seeded with a valid link's token and a valid press:
// none panics; GET never tags; nothing is tagged, and no POST answers 2xx, unless the POST
// carries exactly the valid token (in the page's form, or in a press Slack signed within
// five minutes); a request to the Slack route that Slack did not sign makes no AWS call at
// all; every answer carries the security headers.
func FuzzLinkRequest(f *testing.F) {
	fx := newFixture(f)
	valid := fx.valid
	form := "t=" + valid
	press := PressBody(valid, "U012ABCDEF", "alice")
	now := strconv.FormatInt(fx.now.Unix(), 10)
	for _, seed := range []struct {
		method, path, query, body, contentType string
		b64                                    bool
		signature, timestamp                   string
		sign                                   bool
	}{
		{"GET", "/", "t=" + valid, "", "", false, "", "", false},
		{"POST", "/", "", form, "application/x-www-form-urlencoded", false, "", "", false},
		{"POST", "/", "", base64.StdEncoding.EncodeToString([]byte(form)), "application/x-www-form-urlencoded", true, "", "", false},
		{"POST", "/", "t=" + valid, "", "", false, "", "", false},
		{"POST", "/", "", "t=" + valid[:len(valid)-1] + "A", "", false, "", "", false},
		{"POST", "/", "", "t=" + valid + "&t=x", "text/plain", false, "", "", false},
		{"PUT", "/", "t=" + valid, form, "", false, "", "", false},
		{"GET", "/", "t=%zz", "", "", false, "", "", false},
		{"POST", "/", "", "%%%", "", true, "", "", false},
		{"DELETE", "/", "", "", "", false, "", "", false},
		{"get", "/", "t=" + strings.Repeat("A", 3000), "", "", false, "", "", false},
		{"POST", SlackPath, "", base64.StdEncoding.EncodeToString([]byte(press)), "application/x-www-form-urlencoded", true, "", now, true},
		{"POST", SlackPath, "", press, "application/x-www-form-urlencoded", false, "", now, true},
		{"POST", SlackPath, "", press, "application/x-www-form-urlencoded", false, "", strconv.FormatInt(fx.now.Unix()-301, 10), true},
		{"POST", SlackPath, "", press, "", false, "v0=" + strings.Repeat("0", 64), now, false},
		{"POST", "/", "", press, "", false, "v0=abc", now, false},
		{"POST", SlackPath, "", form, "", false, "", "", false},
		{"GET", SlackPath, "t=" + valid, "", "", false, "", now, true},
	} {
		f.Add(seed.method, seed.path, seed.query, seed.body, seed.contentType, seed.b64, seed.signature, seed.timestamp, seed.sign)
	}
	f.Fuzz(func(t *testing.T, method, path, query, body, contentType string, b64 bool, signature, timestamp string, sign bool) {
		h, bucket, capture, _ := fx.slackHandler()
		raw := body
		if b64 {
			if decoded, err := base64.StdEncoding.DecodeString(body); err == nil {
				raw = string(decoded)
			}
		}
		if sign {
			mac := hmac.New(sha256.New, slackSecret)
			mac.Write([]byte("v0:" + timestamp + ":" + raw))
			signature = "v0=" + hex.EncodeToString(mac.Sum(nil))
		}
		headers := map[string]string{"content-type": contentType}
		if signature != "" {
			headers["x-slack-signature"] = signature
		}
		if timestamp != "" {
			headers["x-slack-request-timestamp"] = timestamp
		}
		req := events.LambdaFunctionURLRequest{RawPath: path, RawQueryString: query, Body: body, IsBase64Encoded: b64, Headers: headers,
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "198.51.100.7"}}}
		resp, err := h.Handle(t.Context(), req)
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		if resp.Headers["Content-Security-Policy"] == "" || resp.Headers["Cache-Control"] != "no-store" {
			t.Fatalf("answer %d without the security headers", resp.StatusCode)
		}
		slack := path == SlackPath || signature != ""
		ts, tsErr := strconv.ParseInt(timestamp, 10, 64)
		signed := sign && tsErr == nil && ts >= fx.now.Unix()-300 && ts <= fx.now.Unix()+300 && method == http.MethodPost
		applied := method == http.MethodPost && !slack && formCarries(body, b64, valid)
		if slack {
			applied = signed && strings.Contains(pressToken(raw), valid)
			if !signed && bucket.calls > 0 {
				t.Fatalf("%s %s unsigned by Slack made %d bucket calls", method, path, bucket.calls)
			}
		}
		if capture.writes > 0 && !applied {
			t.Fatalf("%s %s %q %q tagged %d times without the valid token in a POST form or a signed press", method, path, query, body, capture.writes)
		}
		if method == http.MethodPost && !slack && resp.StatusCode < 300 && !applied {
			t.Fatalf("POST %q %q answered %d without the valid token", query, body, resp.StatusCode)
		}
	})
}

// pressToken is what a press's form carries in its payload, however it is shaped.
func pressToken(raw string) string {
	form, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	return form.Get("payload")
}

// formCarries says whether a POST body, as the function reads it, has t=valid.
func formCarries(body string, b64 bool, valid string) bool {
	if b64 {
		raw, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return false
		}
		body = string(raw)
	}
	form, err := url.ParseQuery(body)
	return err == nil && form.Get("t") == valid
}
