package report_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/report"
)

// The handler's report shows the savings as a range down to the account's discount
// coverage, read through CurfewCostReader with the real SDK client. moto lacks the
// coverage APIs: the proxy answers them in the Cost Explorer API reference's shape
// (faultproxy.SavingsPlansCoverage, faultproxy.ReservationCoverage) and refuses
// identity's.
func TestHandleShowsTheSavingsRange(t *testing.T) {
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	p := cost.PeriodsAt(now)
	homeID, stagingID := emulator.NewAccountID(), emulator.NewAccountID()
	m, err := accounts.Parse(fmt.Appendf(nil, `identity: identity
home: identity
homeRegion: eu-west-1
externalId: curfew-test-ext
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [platform@example.com]}
accounts:
  - {name: identity, id: %q, environment: production}
  - {name: staging, id: %q, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`, homeID, stagingID))
	if err != nil {
		t.Fatal(err)
	}
	queueCosts(t, s, homeID, costResults(p, 2)...)
	queueCosts(t, s, stagingID, costResults(p, 30)...)
	proxy.Add(
		faultproxy.SavingsPlansCoverage(stagingID, 40),
		faultproxy.ReservationCoverage(stagingID, 10),
		faultproxy.Rule{Account: homeID, Service: "ce", Action: "GetSavingsPlansCoverage", Kind: faultproxy.Error, Code: "AccessDeniedException"},
	)

	home := emulator.Connect(proxy.URL).Account(t, homeID, "eu-west-1")
	s3c := s3.NewFromConfig(home, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "curfew-cost-report-coverage"
	if _, err := s3c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
	store := history.Store{Client: s3c, Bucket: bucket}
	stop, start := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	change := func(at time.Time) []history.Change {
		return []history.Change{{Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-1", Size: "m5.large", At: at}}
	}
	for _, r := range []history.Run{{ID: "s1", Kind: history.Shutdown, Started: stop, Changes: change(stop)},
		{ID: "r1", Kind: history.Restart, Started: start, Changes: change(start)}} {
		if err := store.Put(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	topic, email := emailTopic(t, sns.NewFromConfig(home))
	h := report.Handler{
		Table: costtest.Table(),
		Costs: cost.Reader{Map: m, Client: cost.AssumeClients(home, m.ExternalID), Log: quiet,
			Coverage: cost.AssumeCoverageClients(home, m.ExternalID)},
		History:   store,
		Publisher: report.Publisher{S3: s3c, SNS: sns.NewFromConfig(home), Bucket: bucket, Region: "eu-west-1", TopicARN: aws.ToString(topic.TopicArn)},
		Now:       func() time.Time { return now },
		Log:       quiet,
	}
	res, err := h.Handle(t.Context(), json.RawMessage(`{"trigger":"manual"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []report.Saved{{Account: "staging", Resources: 1, Hours: 11, Saved: "0.57 to 1.06"}}; !slices.Equal(res.Saved, want) {
		t.Errorf("the invocation's savings = %+v, want %+v", res.Saved, want)
	}
	var notes []map[string]string
	for _, b := range email.all() {
		var n map[string]string
		if json.Unmarshal(b, &n) == nil && n["Type"] == "Notification" {
			notes = append(notes, n)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("the topic delivered %d notifications, want 1", len(notes))
	}
	// 11 h of m5.large at 0.096 is 1.056 at list price; staging's Savings Plans cover 40%
	// of what its reservations (10%) leave, 1 − 0.6 × 0.9 = 46%, so 0.57 at the low end.
	if subject := notes[0]["Subject"]; !strings.HasSuffix(subject, "; saved 0.57-1.06 USD in 30 days") {
		t.Errorf("subject = %q, want the range saved", subject)
	}
	causetest.NoSDKText(t, "the email", notes[0]["Message"])
	flat := strings.Join(strings.Fields(notes[0]["Message"]), " ")
	for _, want := range []string{"0.57 to 1.06 [", "Saved by staging: 46% covered by discounts.", "A range: the low end takes off each account's Savings Plans and Reserved Instances coverage"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the report has no %q:\n%s", want, notes[0]["Message"])
		}
	}
	// Each account's coverage was asked in the account itself, through CurfewCostReader.
	for _, id := range []string{homeID, stagingID} {
		if n := proxy.Count(id, "ce", "GetSavingsPlansCoverage"); n != 1 {
			t.Errorf("account %s: %d Savings Plans coverage requests, want 1", id, n)
		}
	}
}
