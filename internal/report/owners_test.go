package report_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/notify/notifytest"
	"github.com/curfew/curfew/internal/report"
	"github.com/curfew/curfew/internal/report/reporttest"
)

// ownersWorld is a home account in moto with the report's bucket and topic, a map of
// identity, staging (30 a day) and sandbox (10 a day) whose owners are given, and an
// HTTP subscription per filter policy.
type ownersWorld struct {
	h     report.Handler
	inbox map[string]*notifytest.Received
	slack *notifytest.Received
}

func newOwnersWorld(t *testing.T, now time.Time, owners string, filters map[string]string, withWebhook bool) *ownersWorld {
	t.Helper()
	s := emulator.Shared(t)
	p := cost.PeriodsAt(now)
	m := reporttest.Map(t, "", reporttest.Account{Name: "staging", Extra: strings.Split(owners, "|")[0]},
		reporttest.Account{Name: "sandbox", Extra: strings.Split(owners, "|")[1]})
	homeID := reporttest.ID(t, m, "identity")
	reporttest.QueueCosts(t, s, m, p, map[string]float64{"identity": 2, "staging": 30, "sandbox": 10})

	home := reporttest.NewHome(t, s, m)
	s3c, snsc, ssmc := home.S3, home.SNS, home.SSM
	bucket := "curfew-cost-report-owners-" + homeID // bucket names are global
	store := home.NightStore(t, bucket, reporttest.Instance,
		history.Change{Account: "sandbox", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-2", Size: "m5.xlarge"})
	topic := reporttest.Topic(t, snsc)
	w := &ownersWorld{inbox: map[string]*notifytest.Received{}, slack: &notifytest.Received{}}
	for who, filter := range filters {
		w.inbox[who] = notifytest.Subscribe(t, snsc, topic.TopicArn, filter)
	}
	webhook := httptest.NewTLSServer(w.slack)
	t.Cleanup(webhook.Close)
	if withWebhook {
		if _, err := ssmc.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String("/curfew/owners/team-b"),
			Type: ssmtypes.ParameterTypeSecureString, Value: aws.String("https://hooks.slack.com/services/T0/B1/team-b")}); err != nil {
			t.Fatal(err)
		}
	}
	w.h = report.Handler{
		Table:   costtest.Table(),
		Costs:   cost.Reader{Map: m, Client: cost.AssumeClients(home.Config, m.ExternalID), Log: quiet},
		History: store,
		Publisher: report.Publisher{S3: s3c, SNS: snsc, SSM: ssmc, HTTP: notifytest.SlackClient(webhook),
			Bucket: bucket, Region: "eu-west-1", TopicARN: aws.ToString(topic.TopicArn)},
		Now:     func() time.Time { return now },
		Log:     quiet,
		Pricing: failingPricing{},
	}
	return w
}

// rowOf returns the text's table row of an account, its fields joined by one space.
func rowOf(text, name string) string {
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == name {
			return strings.Join(f, " ")
		}
	}
	return ""
}

// Two owners over overlapping accounts: team-a (email) owns staging, team-b (Slack) owns
// staging and sandbox. The recipients get the whole report, each owner only theirs —
// same layout, their rows, their savings — from the same Cost Explorer requests as a
// map without owners, and a retry sends nothing twice.
func TestOwnersGetTheirOwnReport(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	const (
		teamA = "team-a@example.com"
		both  = `, owners: {emails: [team-a@example.com], slack: [/curfew/owners/team-b]}, budget: 500`
		teamB = `, owners: {slack: [/curfew/owners/team-b]}`
	)
	w := newOwnersWorld(t, now, both+"|"+teamB, map[string]string{
		"recipients": `{"owner": [{"exists": false}]}`,
		"team-a":     `{"owner": ["` + teamA + `"]}`,
	}, true)
	plain := newOwnersWorld(t, now, "|", map[string]string{"recipients": `{"owner": [{"exists": false}]}`}, true)

	res, err := w.h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatal(err)
	}
	without, err := plain.h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != without.Requests || res.Requests != 6 {
		t.Errorf("Cost Explorer requests: %d with owners, %d without; want 6 both (2 an account, moto has no forecast)", res.Requests, without.Requests)
	}
	wantOwners := []report.OwnerReport{
		{Owner: teamA, Accounts: []string{"staging"}, Key: report.OwnerKey(res.Key, accounts.Owner{Email: teamA}), Sent: true},
		{Owner: "Slack /curfew/owners/team-b", Accounts: []string{"staging", "sandbox"}, Key: report.OwnerKey(res.Key, accounts.Owner{Slack: "/curfew/owners/team-b"}), Sent: true},
	}
	if !slices.EqualFunc(res.Owners, wantOwners, func(a, b report.OwnerReport) bool {
		return a.Owner == b.Owner && slices.Equal(a.Accounts, b.Accounts) && a.Key == b.Key && a.Sent == b.Sent
	}) {
		t.Errorf("owners = %+v, want %+v", res.Owners, wantOwners)
	}

	_, whole := w.inbox["recipients"].Messages()
	subjects, mine := w.inbox["team-a"].Messages()
	if len(whole) != 1 || len(mine) != 1 {
		t.Fatalf("recipients got %d messages and team-a %d, want 1 each", len(whole), len(mine))
	}
	_, plainWhole := plain.inbox["recipients"].Messages()
	if len(plainWhole) != 1 || rowOf(whole[0], "staging") != rowOf(plainWhole[0], "staging") {
		t.Errorf("the whole report's staging row changed with owners:\n%s\n%s", rowOf(whole[0], "staging"), rowOf(plainWhole[0], "staging"))
	}
	for _, name := range []string{"identity", "staging", "sandbox"} {
		if rowOf(whole[0], name) == "" {
			t.Errorf("the whole report has no row of %s:\n%s", name, whole[0])
		}
	}
	// team-a's report: staging's row as the whole report has it, its total the same
	// figures, its savings staging's alone (11 h of m5.large), its budget.
	a := mine[0]
	causetest.NoSDKText(t, "team-a's report", a)
	if rowOf(a, "identity") != "" || rowOf(a, "sandbox") != "" || rowOf(a, "staging") != rowOf(whole[0], "staging") {
		t.Errorf("team-a's report is not staging's row alone:\n%s", a)
	}
	staging := strings.Fields(rowOf(a, "staging"))
	if total := strings.Fields(rowOf(a, "total")); len(total) < 8 || !slices.Equal(total[1:8], staging[1:8]) {
		t.Errorf("team-a's total %v is not staging's %v", total, staging)
	}
	for _, want := range []string{
		"For team-a@example.com: the 1 account you own of the organisation's 3; costReport.recipients get them all.",
		"Budget of staging, 500.00 a month: forecast over budget by 400.00 (forecast 900.00 USD *).",
	} {
		if !strings.Contains(strings.Join(strings.Fields(a), " "), want) {
			t.Errorf("team-a's report has no %q:\n%s", want, a)
		}
	}
	if os.Getenv("CURFEW_SHOW_OWNER_REPORT") != "" {
		t.Log("\n" + subjects[0] + "\n\n" + a)
	}
	if !strings.HasPrefix(subjects[0], "curfew, your 1 account, 1-26 Nov: 780.00 USD") {
		t.Errorf("team-a's subject = %q", subjects[0])
	}
	// team-b's Slack post: staging and sandbox, the budget of staging, no identity.
	posts := w.slack.All()
	if len(posts) != 1 {
		t.Fatalf("team-b's webhook got %d posts, want 1", len(posts))
	}
	var post map[string]string
	if err := json.Unmarshal(posts[0], &post); err != nil {
		t.Fatal(err)
	}
	b := post["text"]
	if rowOf(b, "identity") != "" || rowOf(b, "staging") == "" || rowOf(b, "sandbox") == "" || !strings.Contains(b, "Budget of staging") {
		t.Errorf("team-b's post is not staging and sandbox with staging's budget:\n%s", b)
	}
	// The slices' month to date add up to the whole's, staging counted once.
	mtd := func(text, row string) string { return strings.Fields(rowOf(text, row))[5] }
	if mtd(whole[0], "total") != "1,092.00" || mtd(a, "total") != "780.00" || mtd(b, "total") != "1,040.00" || mtd(b, "sandbox") != "260.00" {
		t.Errorf("month to date: whole %s, team-a %s, team-b %s; want 1,092.00 = 780.00 (staging) + 260.00 (sandbox) + 52.00 (identity)",
			mtd(whole[0], "total"), mtd(a, "total"), mtd(b, "total"))
	}

	// A retry of the same delivery reads nothing and sends nothing again.
	again, err := w.h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, texts := w.inbox["team-a"].Messages(); again.Requests != 0 || len(texts) != 1 || len(w.slack.All()) != 1 {
		t.Errorf("the retry made %d requests and team-a has %d messages, team-b %d posts; want 0, 1 and 1", again.Requests, len(texts), len(w.slack.All()))
	}
}

// An owner's webhook parameter that does not exist fails the run with a line saying
// whose and what to do; the other owner and the recipients still get theirs, and the
// retry sends only what failed.
func TestAnOwnersMissingWebhookFailsTheRunAlone(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	w := newOwnersWorld(t, now, `, owners: {emails: [team-a@example.com], slack: [/curfew/owners/team-b]}|`, map[string]string{
		"recipients": `{"owner": [{"exists": false}]}`,
		"team-a":     `{"owner": ["team-a@example.com"]}`,
	}, false)
	res, err := w.h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err == nil {
		t.Fatal("the run succeeded, want it failed for the owner's missing webhook")
	}
	want := "the report of owner Slack /curfew/owners/team-b failed: no Slack webhook parameter /curfew/owners/team-b: " +
		"create it as a SecureString with the owner's webhook URL (detail in curfew-cost-report's log)"
	if !slices.Equal(res.Problems, []string{want}) {
		t.Errorf("problems = %q, want %q", res.Problems, want)
	}
	_, whole := w.inbox["recipients"].Messages()
	_, mine := w.inbox["team-a"].Messages()
	if len(whole) != 1 || len(mine) != 1 {
		t.Errorf("recipients got %d messages and team-a %d, want 1 each", len(whole), len(mine))
	}
	again, err := w.h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err == nil || len(again.Delivered) != 0 || !slices.Equal(again.Skipped, []report.Channel{report.Email, "email/team-a@example.com"}) {
		t.Errorf("retry: delivered %v, skipped %v, error %v; want only the Slack owner tried again", again.Delivered, again.Skipped, err)
	}
	if _, mine := w.inbox["team-a"].Messages(); len(mine) != 1 {
		t.Errorf("team-a got %d messages after the retry, want 1", len(mine))
	}
}
