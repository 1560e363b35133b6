package report_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/report"
	"github.com/curfew/curfew/internal/report/reporttest"
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
	m := reporttest.Map(t, "")
	homeID, stagingID := reporttest.ID(t, m, "identity"), reporttest.ID(t, m, "staging")
	reporttest.QueueCosts(t, s, m, p, map[string]float64{"identity": 2, "staging": 30})
	proxy.Add(
		faultproxy.SavingsPlansCoverage(stagingID, 40),
		faultproxy.ReservationCoverage(stagingID, 10),
		faultproxy.Rule{Account: homeID, Service: "ce", Action: "GetSavingsPlansCoverage", Kind: faultproxy.Error, Code: "AccessDeniedException"},
	)

	home := reporttest.NewHome(t, emulator.Connect(proxy.URL), m)
	bucket := "curfew-cost-report-coverage"
	store := home.NightStore(t, bucket, reporttest.Instance)
	topic, email := reporttest.EmailTopic(t, home.SNS)
	h := report.Handler{
		Table: costtest.Table(),
		Costs: cost.Reader{Map: m, Client: cost.AssumeClients(home.Config, m.ExternalID), Log: quiet,
			Coverage: cost.AssumeCoverageClients(home.Config, m.ExternalID)},
		History:   store,
		Publisher: report.Publisher{S3: home.S3, SNS: home.SNS, Bucket: bucket, Region: "eu-west-1", TopicARN: aws.ToString(topic.TopicArn)},
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
	notes := email.Notifications()
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
