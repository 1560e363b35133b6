package fleet_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lambdatest"
)

// The built curfew-shutdown and curfew-restart binaries, run as Lambda runs them under the
// Runtime Interface Emulator, stop and start the test fleet from the home account's
// credentials and write the run history.
func TestLambdasUnderTheEmulator(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	ctx := t.Context()
	home := f.config("home", west)
	creds, err := home.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "curfew-runs-" + f.account("home").ID
	s3Client := s3.NewFromConfig(home, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3Client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1},
	}); err != nil {
		t.Fatal(err)
	}
	encoded, err := f.m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL":            f.s.URL,
		"AWS_REGION":                  west,
		"AWS_ACCESS_KEY_ID":           creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       creds.SecretAccessKey,
		"AWS_SESSION_TOKEN":           creds.SessionToken,
		"AWS_LAMBDA_LOG_FORMAT":       "JSON",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "120",
		"CURFEW_ACCOUNT_MAP":          string(encoded),
		"CURFEW_BUCKET":               bucket,
	}
	shutdown := lambdatest.Start(t, "shutdown", env)
	restart := lambdatest.Start(t, "restart", env)
	since := time.Now().Add(-time.Minute)

	invoke := func(fn *lambdatest.Function, payload string) fleet.Report {
		t.Helper()
		raw, err := fn.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("invoke %s: %v\n%s", payload, err, fn.Output())
		}
		var rep fleet.Report
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("answer %s: %v", raw, err)
		}
		return rep
	}

	// What EventBridge Scheduler sends at night (cdk/schedules.go).
	rep := invoke(shutdown, `{"trigger":"schedule","accounts":["staging","sandbox"]}`)
	if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, wantStopped) || rep.Failed() || rep.HistoryError != "" {
		t.Errorf("shutdown stopped %v, want %v; report %+v", got, wantStopped, rep)
	}
	if got := markedNames(f.observe()); !slices.Equal(got, wantStopped) {
		t.Errorf("marked %v, want %v", got, wantStopped)
	}

	_, err = shutdown.Invoke(ctx, `{"accounts":["production"]}`)
	var fe *lambdatest.FunctionError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, `account "production" is production`) {
		t.Errorf("production payload: %v", err)
	}

	rep = invoke(restart, `{"trigger":"manual"}`)
	if got := f.names(rep)[fleet.Started]; !slices.Equal(got, wantStopped) || rep.Failed() {
		t.Errorf("restart started %v, want %v; report %+v", got, wantStopped, rep)
	}
	after := f.observe()
	if m := markedNames(after); len(m) != 0 || after["by-person"].state != "stopped" {
		t.Errorf("after restart: marked %v, by-person %s", m, after["by-person"].state)
	}

	runs, err := history.Store{Client: s3Client, Bucket: bucket}.Since(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Kind != history.Shutdown || runs[1].Kind != history.Restart ||
		len(runs[0].Changes) != len(wantStopped) || len(runs[1].Changes) != len(wantStopped) {
		t.Errorf("run history: %+v", runs)
	}

	out := shutdown.Output()
	for _, want := range []string{`"outcome":"stopped"`, `"account":"staging"`, `"requestId"`, `"_aws"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the shutdown's output lacks %s:\n%s", want, out)
		}
	}
}
