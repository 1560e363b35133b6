package s3json_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/s3json"
)

func TestMain(m *testing.M) { emulator.Main(m) }

type value struct {
	RunID string `json:"runId"`
	N     int    `json:"n"`
}

// newBucket is a bucket of its own in a new account in moto, holding objects by key.
func newBucket(t *testing.T, objects map[string]string) (*s3.Client, string, string) {
	t.Helper()
	account := emulator.NewAccountID()
	client := emulator.S3(emulator.Shared(t).Account(t, account, "eu-west-1"))
	bucket := "curfew-s3json-" + account
	emulator.Bucket(t, client, bucket)
	for k, body := range objects {
		if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	return client, bucket, account
}

func TestGet(t *testing.T) {
	t.Parallel()
	client, bucket, _ := newBucket(t, map[string]string{"v.json": `{"runId":"r1","n":2}`, "torn.json": `{"runId":`})
	var v value
	if err := s3json.Get(t.Context(), client, bucket, "v.json", nil, &v); err != nil || v != (value{"r1", 2}) {
		t.Errorf("Get = %+v, %v; want r1 2", v, err)
	}

	err := s3json.Get(t.Context(), client, bucket, "missing.json", nil, &v)
	var missing *s3types.NoSuchKey
	if want := "get s3://" + bucket + "/missing.json: "; err == nil || !strings.HasPrefix(err.Error(), want) || !errors.As(err, &missing) {
		t.Errorf("Get of a missing object = %v, want %q... wrapping NoSuchKey", err, want)
	}

	err = s3json.Get(t.Context(), client, bucket, "torn.json", nil, &v)
	if want := "decode s3://" + bucket + "/torn.json: unexpected end of JSON input"; err == nil || err.Error() != want {
		t.Errorf("Get of a torn object = %v, want %q", err, want)
	}
}

// brokenBody gives the object of S3 with a body that fails to read, as a dropped
// connection would.
type brokenBody struct{ s3json.GetAPI }

func (b brokenBody) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	out, err := b.GetAPI.GetObject(ctx, in, opts...)
	if err == nil {
		out.Body.Close()
		out.Body = io.NopCloser(iotest.ErrReader(errors.New("injected: connection reset")))
	}
	return out, err
}

func TestGetReadFails(t *testing.T) {
	t.Parallel()
	client, bucket, _ := newBucket(t, map[string]string{"v.json": `{"runId":"r1","n":2}`})
	var v value
	err := s3json.Get(t.Context(), brokenBody{client}, bucket, "v.json", nil, &v)
	if want := "read s3://" + bucket + "/v.json: injected: connection reset"; err == nil || err.Error() != want {
		t.Errorf("Get = %v, want %q", err, want)
	}
}

// ownerSeen records the ExpectedBucketOwner of each GetObject it passes on.
type ownerSeen struct {
	s3json.GetAPI
	owners []*string
}

func (o *ownerSeen) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	o.owners = append(o.owners, in.ExpectedBucketOwner)
	return o.GetAPI.GetObject(ctx, in, opts...)
}

// The owner asked for goes to S3 with the call, and none when none is asked for.
func TestGetSendsTheExpectedOwner(t *testing.T) {
	t.Parallel()
	client, bucket, account := newBucket(t, map[string]string{"v.json": `{"runId":"r1","n":2}`})
	seen := &ownerSeen{GetAPI: client}
	for _, owner := range []*string{aws.String(account), nil} {
		var v value
		if err := s3json.Get(t.Context(), seen, bucket, "v.json", owner, &v); err != nil || v.RunID != "r1" {
			t.Fatalf("Get with owner %v = %+v, %v", aws.ToString(owner), v, err)
		}
	}
	if len(seen.owners) != 2 || aws.ToString(seen.owners[0]) != account || seen.owners[1] != nil {
		t.Errorf("ExpectedBucketOwner sent: %v, want %s then none", seen.owners, account)
	}
}
