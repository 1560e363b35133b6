package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/lambdatest"
	"github.com/curfew/curfew/internal/report/reporttest"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// TestLambdaUnderRIE runs the built function in the Lambda Runtime Interface Emulator with
// the environment the service stack gives it, against moto.
func TestLambdaUnderRIE(t *testing.T) {
	s := emulator.Shared(t)
	m := reporttest.Map(t, "")
	homeID := reporttest.ID(t, m, "identity")
	p := cost.PeriodsAt(clock.Now())
	var days []map[string]any
	for d := p.Daily().Start; d.Before(p.Today); d = d.AddDate(0, 0, 1) {
		days = append(days, map[string]any{
			"TimePeriod": map[string]any{"Start": d.Format(time.DateOnly), "End": d.AddDate(0, 0, 1).Format(time.DateOnly)},
			"Total":      map[string]any{"AmortizedCost": map[string]any{"Amount": "4.25", "Unit": "USD"}}}) // the default metric
	}
	s.QueueCosts(t, homeID, map[string]any{"ResultsByTime": days})

	h := reporttest.NewHome(t, s, m)
	bucket := "curfew-rie-test"
	emulator.Bucket(t, h.S3, bucket)
	topic, email := reporttest.EmailTopic(t, h.SNS)
	creds, err := h.Config.Credentials.Retrieve(t.Context())
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
	_, messages := email.Messages()
	if len(messages) != 1 || !strings.Contains(messages[0], "identity") || !strings.Contains(messages[0], "29.75") {
		t.Errorf("published %d messages, want one summary with identity's 7 days at 4.25, 29.75:\n%s", len(messages), strings.Join(messages, "\n---\n"))
	}
	// The failed deliveries per channel reach CloudWatch as embedded metrics on stdout.
	if out := f.Output(); !strings.Contains(out, `{"Channel":"email","DeliveryFailed":0,"Function":"curfew-cost-report","_aws":{`) {
		t.Errorf("no DeliveryFailed metric for the email in the function's output:\n%s", out)
	}
}
