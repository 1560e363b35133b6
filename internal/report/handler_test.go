package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/notify/notifytest"
	"github.com/curfew/curfew/internal/report"
	"github.com/curfew/curfew/internal/report/reporttest"
)

func TestMain(m *testing.M) { emulator.Main(m) }

var quiet = slog.New(slog.DiscardHandler)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		payload string
		ok      bool
	}{
		{`{"trigger":"schedule"}`, true},
		{`{"trigger":"manual"}`, true},
		{`{"trigger":"nightly"}`, false},
		{`{}`, false},
		{`{"trigger":"manual","account":"staging"}`, false},
		{`{"trigger":"manual"} {"trigger":"manual"}`, false},
		{`["manual"]`, false},
		{``, true},
		{`null`, true},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			_, err := report.ParseEvent([]byte(tt.payload))
			if (err == nil) != tt.ok {
				t.Errorf("ParseEvent(%s) error = %v, want ok %v", tt.payload, err, tt.ok)
			}
		})
	}
}

// An empty or null event is the default manual run, as for the shutdown and restart.
func TestParseEventDefaultsToManual(t *testing.T) {
	for _, payload := range []string{``, `null`, " \n", ` null `} {
		ev, err := report.ParseEvent([]byte(payload))
		if want := (report.Event{Trigger: report.TriggerManual}); err != nil || ev != want {
			t.Errorf("ParseEvent(%q) = %+v, %v, want %+v", payload, ev, err, want)
		}
	}
}

func TestHandleRefusesABadPayloadBeforeAnyCall(t *testing.T) {
	h := report.Handler{} // no clients: any AWS call would panic
	if _, err := h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule","dryRun":true}`)); err == nil ||
		!strings.Contains(err.Error(), "unknown field") {
		t.Errorf("Handle = %v, want an unknown-field error", err)
	}
}

func TestHandlePublishesEverywhere(t *testing.T) {
	s := emulator.Shared(t)
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	p := cost.PeriodsAt(now)
	m := reporttest.Map(t, "")
	reporttest.QueueCosts(t, s, m, p, map[string]float64{"identity": 2, "staging": 30})

	home := reporttest.NewHome(t, s, m)
	s3c, snsc, ssmc := home.S3, home.SNS, home.SSM
	bucket := "curfew-cost-report-test"
	store := home.NightStore(t, bucket, reporttest.Instance)
	// A torn object costs only its own run: the savings stay.
	if _, err := s3c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("runs/2026/11/26/20261126T190000Z-shutdown-torn.json"), Body: strings.NewReader(`{"id":"torn","kind":"shut`)}); err != nil {
		t.Fatal(err)
	}

	topic, email := reporttest.EmailTopic(t, snsc)
	slack, webhook := reporttest.SlackWebhook(t, ssmc)

	h := report.Handler{
		Table:   costtest.Table(),
		Costs:   cost.Reader{Map: m, Client: cost.AssumeClients(home.Config, m.ExternalID), Log: quiet},
		History: store,
		Publisher: report.Publisher{
			S3: s3c, SNS: snsc, SSM: ssmc, HTTP: notifytest.SlackClient(webhook),
			Bucket: bucket, Region: "eu-west-1", TopicARN: aws.ToString(topic.TopicArn), SlackParameter: "/curfew/slack-webhook",
		},
		Now:     func() time.Time { return now },
		Log:     quiet,
		Pricing: failingPricing{},
	}
	res, err := h.Handle(t.Context(), json.RawMessage(`{"trigger":"manual"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 || len(res.Failed) > 0 {
		t.Fatalf("result = %+v, want no problems", res)
	}
	if res.Key != "reports/2026/11/27/cost-20261127T070000Z.html" {
		t.Errorf("key = %s", res.Key)
	}
	// Two usage queries per account; moto has no GetCostForecast, so no forecast answered.
	if res.Requests != 4 {
		t.Errorf("requests = %d, want 4", res.Requests)
	}

	obj, err := s3c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(res.Key)})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if n := strings.Count(string(page), "<svg"); n != 3 || aws.ToString(obj.ContentType) != "text/html; charset=utf-8" {
		t.Errorf("stored report has %d charts, content type %s; want 3 (a cost panel per account, savings of staging), text/html", n, aws.ToString(obj.ContentType))
	}

	notes := email.Notifications()
	if len(notes) != 1 {
		t.Fatalf("the topic delivered %d notifications, want 1", len(notes))
	}
	msg := notes[0]["Message"]
	causetest.NoSDKText(t, "the email's subject", notes[0]["Subject"])
	causetest.NoSDKText(t, "the email", msg)
	causetest.NoSDKText(t, "the HTML page", string(page))
	if want := "curfew 1-26 Nov: 832.00 USD (= 0.0%), 7 days 224.00; saved 1.06 USD in 30 days"; notes[0]["Subject"] != want {
		t.Errorf("subject = %q, want %q", notes[0]["Subject"], want)
	}
	// staging: 30 a day, no forecast (moto has no GetCostForecast).
	// One table: each account's costs, forecast and savings on its row.
	lines := map[string]string{}
	for _, line := range strings.Split(msg, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			lines[f[0]] = strings.Join(f, " ")
		}
	}
	if got, want := lines["staging"], "staging 210.00 210.00 = 0.0% 780.00 780.00 = 0.0% 900.00 * 1.06"; got != want {
		t.Errorf("staging's line = %q, want %q (saved: 11 h of m5.large)", got, want)
	}
	if got, want := lines["total"], "total 224.00 224.00 = 0.0% 832.00 832.00 = 0.0% 960.00 * 1.06"; got != want {
		t.Errorf("total line = %q, want %q", got, want)
	}
	flat := strings.Join(strings.Fields(msg), " ")
	for _, want := range []string{"staging 210.00 210.00 = 0.0% 780.00 780.00 = 0.0% 900.00 *",
		"Run history since 14 Oct: 2 runs (1 shutdown, 1 restart), the latest 26 Nov 06:00 UTC.",
		"1 unreadable object skipped, missing from the savings:\n- runs/2026/11/26/20261126T190000Z-shutdown-torn.json: not a run summary: unexpected end of JSON input",
		// One reason, named once, in a few words: the SDK's text is in the log.
		"No Cost Explorer forecast for identity, staging: Cost Explorer GetCostForecast: service error 500 after",
		"s3://" + bucket + "/" + res.Key} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("summary has no %q:\n%s", want, msg)
		}
	}
	// The price list cannot be reached: the table priced the hours, and the page's "how
	// this is computed" says so.
	if want := "Prices: 11 h from the bundled table (the Pricing API failed)."; !strings.Contains(html.UnescapeString(string(page)), want) {
		t.Errorf("the page has no %q", want)
	}
	// The summary names the page by its console URL and s3:// address, read with the
	// reader's own credentials: no signature of the Lambda's, no promise of a validity.
	console := report.ConsoleURL("eu-west-1", bucket, res.Key)
	if !strings.Contains(msg, "\n"+console+"\n") || !strings.Contains(msg, "aws s3 cp s3://"+bucket+"/"+res.Key+" report.html") {
		t.Errorf("summary names neither the console page %s nor the s3:// address:\n%s", console, msg)
	}
	for _, promise := range []string{"X-Amz-", "valid until", "valid for", "expire"} {
		if strings.Contains(msg, promise) {
			t.Errorf("summary has %q: a presigned link or a validity it cannot keep:\n%s", promise, msg)
		}
	}
	u, err := url.Parse(console)
	if err != nil {
		t.Fatal(err)
	}
	addressed, err := s3c.GetObject(t.Context(), &s3.GetObjectInput{
		Bucket: aws.String(strings.TrimPrefix(u.Path, "/s3/object/")), Key: aws.String(u.Query().Get("prefix"))})
	if err != nil {
		t.Fatalf("the console URL's bucket and key: %v", err)
	}
	linked, _ := io.ReadAll(addressed.Body)
	addressed.Body.Close()
	if !bytes.Equal(linked, page) {
		t.Errorf("the console URL %s names another object than the stored page", console)
	}

	posts := slack.All()
	if len(posts) != 1 {
		t.Fatalf("Slack got %d posts, want 1", len(posts))
	}
	var post map[string]string
	if err := json.Unmarshal(posts[0], &post); err != nil {
		t.Fatal(err)
	}
	causetest.NoSDKText(t, "the Slack post", post["text"])
	if !strings.Contains(post["text"], "```") || !strings.Contains(post["text"], "staging") ||
		!strings.Contains(post["text"], "<"+strings.ReplaceAll(console, "&", "&amp;")+"|Charts, top services") || strings.Contains(post["text"], "valid until") {
		t.Errorf("Slack text = %s", post["text"])
	}
}

func TestHandleReportsWhatItCannotDo(t *testing.T) {
	s := emulator.Shared(t)
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	m := reporttest.Map(t, "")
	homeID := reporttest.ID(t, m, "identity")
	s.QueueCosts(t, homeID, reporttest.Costs(cost.PeriodsAt(now), 2)...) // staging has no results

	home := reporttest.NewHome(t, s, m)
	s3c, snsc := home.S3, home.SNS
	topic, email := reporttest.EmailTopic(t, snsc)
	handler := func(topicARN string) report.Handler {
		return report.Handler{
			Table:   costtest.Table(),
			Costs:   cost.Reader{Map: m, Client: cost.AssumeClients(home.Config, m.ExternalID), Log: quiet},
			History: history.Store{Client: s3c, Bucket: "no-such-bucket"},
			Publisher: report.Publisher{S3: s3c, SNS: snsc, SSM: home.SSM,
				Bucket: "no-such-bucket", Region: "eu-west-1", TopicARN: topicARN, SlackParameter: "/curfew/slack-webhook"},
			Now: func() time.Time { return now },
			Log: quiet,
		}
	}

	res, err := handler(aws.ToString(topic.TopicArn)).Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatalf("Handle = %v, want the summary published despite the missing bucket", err)
	}
	// The markers cannot be read or written either: the email is sent all the same.
	if res.Key != "" || len(res.Problems) != 3 || !slices.Contains(res.Problems, "page failed: S3 PutObject: NoSuchBucket (detail in curfew-cost-report's log)") ||
		!slices.Equal(res.Delivered, []report.Channel{report.Email}) {
		t.Errorf("result = %+v, want the email delivered and three problems: the markers not read nor written, the HTML report not stored (no Slack parameter is no problem)", res)
	}
	if len(res.Failed) != 1 || res.Failed[0] != "staging" {
		t.Errorf("failed = %v, want staging", res.Failed)
	}
	var msg string
	for _, n := range email.Notifications() {
		msg = n["Message"]
	}
	causetest.NoSDKText(t, "the email", msg)
	causetest.NoSDKText(t, "the invocation's problems", strings.Join(res.Problems, "\n"))
	flat := strings.Join(strings.Fields(msg), " ")
	for _, want := range []string{"staging failed [", "staging (", "): read daily costs: no results from Cost Explorer",
		"the run history could not be read: S3 ListObjectsV2: NoSuchBucket", "The HTML report could not be stored: S3 PutObject: NoSuchBucket"} {
		if !strings.Contains(flat, want) {
			t.Errorf("summary has no %q:\n%s", want, msg)
		}
	}

	missing := strings.Replace(aws.ToString(topic.TopicArn), "curfew-cost-report", "gone", 1)
	if _, err := handler(missing).Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`)); err == nil {
		t.Error("Handle succeeded though the summary could not be published")
	}
}

// TestSlackGetsTheReportWhenSNSFails publishes to a topic that does not exist: Slack
// still gets the report, the invocation fails naming the email, and the metrics count
// the failed email. Lambda's retry of the same invocation (same request id) then sends
// the email only, and a third invocation sends nothing and reads no cost at all.
func TestSlackGetsTheReportWhenSNSFails(t *testing.T) {
	s := emulator.Shared(t)
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	m := reporttest.Map(t, "MON-FRI")
	s.QueueCosts(t, reporttest.ID(t, m, "identity"), reporttest.Costs(cost.PeriodsAt(now), 2)...)

	home := reporttest.NewHome(t, s, m)
	s3c, snsc, ssmc := home.S3, home.SNS, home.SSM
	bucket := "curfew-delivery-test"
	emulator.Bucket(t, s3c, bucket)
	topic, email := reporttest.EmailTopic(t, snsc)
	slack, webhook := reporttest.SlackWebhook(t, ssmc)
	handler := func(topicARN string, metrics io.Writer) report.Handler {
		return report.Handler{
			Table:   costtest.Table(),
			Costs:   cost.Reader{Map: m, Client: cost.AssumeClients(home.Config, m.ExternalID), Log: quiet},
			History: history.Store{Client: s3c, Bucket: bucket},
			Publisher: report.Publisher{S3: s3c, SNS: snsc, SSM: ssmc, HTTP: notifytest.SlackClient(webhook),
				Bucket: bucket, Region: "eu-west-1", TopicARN: topicARN, SlackParameter: "/curfew/slack-webhook"},
			Now:     func() time.Time { return now },
			Log:     quiet,
			Metrics: metrics,
		}
	}
	ctx := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "8f0e-retried"})
	notifications := func() int { return len(email.Notifications()) }

	var metrics bytes.Buffer
	missing := strings.Replace(aws.ToString(topic.TopicArn), "curfew-cost-report", "gone", 1)
	res, err := handler(missing, &metrics).Handle(ctx, json.RawMessage(`{"trigger":"manual"}`))
	if err == nil || !strings.Contains(err.Error(), "email: publish to "+missing) {
		t.Errorf("Handle = %v, want the email's failure", err)
	}
	if n := len(slack.All()); n != 1 || !slices.Equal(res.Delivered, []report.Channel{report.Slack}) {
		t.Errorf("Slack got %d posts, delivered %v; want the report in Slack despite SNS", n, res.Delivered)
	}
	failed := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(metrics.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil || l["_aws"] == nil {
			t.Fatalf("metrics line %q is not embedded metric format", line)
		}
		failed[l["Channel"].(string)] = l["DeliveryFailed"].(float64)
	}
	if want := map[string]float64{"email": 1, "slack": 0, "page": 0}; !maps.Equal(failed, want) {
		t.Errorf("DeliveryFailed per channel = %v, want %v", failed, want)
	}

	// Lambda retries the failed invocation with the same request id; SNS works again.
	res, err = handler(aws.ToString(topic.TopicArn), nil).Handle(ctx, json.RawMessage(`{"trigger":"manual"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Delivered, []report.Channel{report.Email}) || !slices.Equal(res.Skipped, []report.Channel{report.Slack}) {
		t.Errorf("retry delivered %v and skipped %v, want the email only, Slack already done", res.Delivered, res.Skipped)
	}
	if n, m := len(slack.All()), notifications(); n != 1 || m != 1 {
		t.Errorf("Slack got %d posts and the topic %d emails, want one each", n, m)
	}
	for _, b := range append(email.All(), slack.All()...) {
		causetest.NoSDKText(t, "what the email and Slack got", string(b))
	}

	// Once more: everything was delivered, so no Cost Explorer query (each is billed).
	res, err = handler(aws.ToString(topic.TopicArn), nil).Handle(ctx, json.RawMessage(`{"trigger":"manual"}`))
	if err != nil || res.Requests != 0 || len(res.Delivered) != 0 || len(res.Skipped) != 2 {
		t.Errorf("third invocation = %+v, %v; want nothing read or sent", res, err)
	}
	if n, m := len(slack.All()), notifications(); n != 1 || m != 1 {
		t.Errorf("Slack got %d posts and the topic %d emails, want one each", n, m)
	}

	// And the other way round: Slack answers 500, the email still goes, the run fails.
	broken := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "internal_error", http.StatusInternalServerError)
	}))
	defer broken.Close()
	metrics.Reset()
	h := handler(aws.ToString(topic.TopicArn), &metrics)
	h.Publisher.HTTP = notifytest.SlackClient(broken)
	other := lambdacontext.NewContext(t.Context(), &lambdacontext.LambdaContext{AwsRequestID: "77aa-slack-down"})
	res, err = h.Handle(other, json.RawMessage(`{"trigger":"manual"}`))
	if err == nil || !strings.Contains(err.Error(), "slack: post to the Slack webhook: HTTP 500") {
		t.Errorf("Handle = %v, want Slack's failure", err)
	}
	if !slices.Equal(res.Delivered, []report.Channel{report.Email}) || notifications() != 2 {
		t.Errorf("delivered %v, %d emails in all; want the email despite Slack", res.Delivered, notifications())
	}
	if !strings.Contains(metrics.String(), `"Channel":"slack","DeliveryFailed":1`) {
		t.Errorf("metrics do not count Slack's failure:\n%s", metrics.String())
	}

	// The marker is written once: a second write of the same delivery is refused.
	err = report.Publisher{S3: s3c, Bucket: bucket}.MarkDelivered(t.Context(), "manual-8f0e-retried", report.Email, now)
	if !errors.Is(err, report.ErrAlreadyMarked) {
		t.Errorf("a second marker = %v, want ErrAlreadyMarked (S3 conditional write)", err)
	}
}
