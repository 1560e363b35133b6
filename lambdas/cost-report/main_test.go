package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/lambdatest"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// TestLambdaUnderRIE runs the built function in the Lambda Runtime Interface Emulator with
// the environment the service stack gives it, against moto.
func TestLambdaUnderRIE(t *testing.T) {
	s := emulator.Shared(t)
	homeID, stagingID := emulator.NewAccountID(), emulator.NewAccountID()
	accountMap := fmt.Sprintf(`identity: identity
home: identity
homeRegion: eu-west-1
externalId: curfew-test-ext
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [platform@example.com]}
accounts:
  - {name: identity, id: %q, environment: production}
  - {name: staging, id: %q, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`, homeID, stagingID)
	m, err := accounts.Parse([]byte(accountMap))
	if err != nil {
		t.Fatal(err)
	}
	p := cost.PeriodsAt(clock.Now())
	var days []map[string]any
	for d := p.Daily().Start; d.Before(p.Today); d = d.AddDate(0, 0, 1) {
		days = append(days, map[string]any{
			"TimePeriod": map[string]any{"Start": d.Format(time.DateOnly), "End": d.AddDate(0, 0, 1).Format(time.DateOnly)},
			"Total":      map[string]any{"AmortizedCost": map[string]any{"Amount": "4.25", "Unit": "USD"}}}) // the default metric
	}
	body, _ := json.Marshal(map[string]any{"account_id": homeID, "results": []any{map[string]any{"ResultsByTime": days}}})
	resp, err := http.Post(s.URL+"/moto-api/static/ce/cost-and-usage-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	home := s.Account(t, homeID, "eu-west-1")
	s3c := s3.NewFromConfig(home, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "curfew-rie-test"
	if _, err := s3c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	snsc := sns.NewFromConfig(home)
	topic, err := snsc.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("curfew")})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var messages []string
	subscriber := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]string
		if json.NewDecoder(r.Body).Decode(&n) == nil && n["Type"] == "Notification" {
			mu.Lock()
			messages = append(messages, n["Message"])
			mu.Unlock()
		}
	}))
	defer subscriber.Close()
	if _, err := snsc.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("http"),
		Endpoint: aws.String(subscriber.URL)}); err != nil {
		t.Fatal(err)
	}
	creds, err := home.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	f := lambdatest.Start(t, "cost-report", m, map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": creds.SessionToken,
		"CURFEW_BUCKET": bucket, "CURFEW_TOPIC_ARN": aws.ToString(topic.TopicArn),
		"CURFEW_SLACK_WEBHOOK_PARAMETER": "/curfew/slack-webhook",
	})
	defer func() {
		if t.Failed() {
			t.Logf("RIE and function output:\n%s", f.Output())
		}
	}()

	_, err = f.Invoke(t.Context(), `{"trigger":"manual","accounts":["staging"]}`)
	var fe *lambdatest.FunctionError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "unknown field") {
		t.Errorf("a payload with an unknown field answered %v, want an unknown-field error", err)
	}
	raw, err := f.Invoke(t.Context(), `{"trigger":"manual"}`)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("invoke answered %s", raw)
	}
	// identity: daily and by-service answers; staging: one empty daily answer; moto has no
	// GetCostForecast, so no forecast is answered.
	if key, _ := out["key"].(string); !strings.HasPrefix(key, "reports/") || out["costExplorerRequests"] != 3.0 {
		t.Errorf("invocation = %v, want a report under reports/ and 3 Cost Explorer requests", out)
	}
	if failed := fmt.Sprint(out["failedAccounts"]); failed != "[staging]" {
		t.Errorf("failed accounts = %s, want [staging] (no cost data)", failed)
	}
	if delivered := fmt.Sprint(out["delivered"]); delivered != "[email]" {
		t.Errorf("delivered = %s, want [email] (no Slack parameter)", delivered)
	}
	// The map's report runs on Mondays only: a weekly report, with the last 7 days.
	mu.Lock()
	if len(messages) != 1 || !strings.Contains(messages[0], "identity") || !strings.Contains(messages[0], "29.75") {
		t.Errorf("published %d messages, want one summary with identity's 7 days at 4.25, 29.75:\n%s", len(messages), strings.Join(messages, "\n---\n"))
	}
	mu.Unlock()
	// The failed deliveries per channel reach CloudWatch as embedded metrics on stdout.
	if out := f.Output(); !strings.Contains(out, `{"Channel":"email","DeliveryFailed":0,"Function":"curfew-cost-report","_aws":{`) {
		t.Errorf("no DeliveryFailed metric for the email in the function's output:\n%s", out)
	}
}
