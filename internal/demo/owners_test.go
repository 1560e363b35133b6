package demo

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/report"
)

// The demo subscribes what the template subscribes to the report's topic, each address
// with its filter (the delivery alarm's topic left out), and says in a line each who got
// which report.
func TestDemoShowsWhoGotWhichReport(t *testing.T) {
	props := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	d := &Demo{m: &accounts.Map{CostReport: accounts.CostReport{Recipients: []string{"platform@example.com"}},
		Accounts: make([]accounts.Account, 4)}}
	d.stacks = []stack{{Name: "curfew-service", Resources: map[string]resource{
		"Topic":      {Type: "AWS::SNS::Topic", Properties: props(map[string]any{"DisplayName": "curfew"})},
		"AlarmTopic": {Type: "AWS::SNS::Topic", Properties: props(map[string]any{"DisplayName": "curfew alarm"})},
		"TopicA": {Type: "AWS::SNS::Subscription", Properties: props(map[string]any{"Protocol": "email", "Endpoint": "platform@example.com",
			"TopicArn": map[string]any{"Ref": "Topic"}, "FilterPolicy": map[string]any{"owner": []any{map[string]any{"exists": false}}}})},
		"TopicB": {Type: "AWS::SNS::Subscription", Properties: props(map[string]any{"Protocol": "email", "Endpoint": "sandbox-team@example.com",
			"TopicArn": map[string]any{"Ref": "Topic"}, "FilterPolicy": map[string]any{"owner": []any{"sandbox-team@example.com"}}})},
		"AlarmA": {Type: "AWS::SNS::Subscription", Properties: props(map[string]any{"Protocol": "email", "Endpoint": "platform@example.com",
			"TopicArn": map[string]any{"Ref": "AlarmTopic"}})},
	}}}
	subs, err := d.topicSubscriptions()
	if err != nil {
		t.Fatal(err)
	}
	want := []subscription{{"platform@example.com", `{"owner":[{"exists":false}]}`}, {"sandbox-team@example.com", `{"owner":["sandbox-team@example.com"]}`}}
	if !slices.Equal(subs, want) {
		t.Fatalf("subscriptions = %+v, want %+v", subs, want)
	}
	inboxes := map[string]*inbox{
		"platform@example.com":     {messages: []string{"curfew cost report …"}, arrived: make(chan struct{}, 1)},
		"sandbox-team@example.com": {messages: []string{"For sandbox-team@example.com: …\nBudget of sandbox, 300.00 a month: within budget (forecast 280.00 USD).\n"}, arrived: make(chan struct{}, 1)},
	}
	res := report.Result{Owners: []report.OwnerReport{{Owner: "sandbox-team@example.com", Accounts: []string{"sandbox"},
		Key: "reports/2026/11/27/cost-20261127T070000Z-sandbox-team-example.com.html", Sent: true}}}
	var out strings.Builder
	if err := d.showOwners(t.Context(), &out, res, subs, inboxes); err != nil {
		t.Fatal(err)
	}
	wantOut := "platform@example.com (costReport.recipients) got the whole report: 4 accounts\n" +
		"sandbox-team@example.com (owner) got the report of sandbox alone, page s3://…/cost-20261127T070000Z-sandbox-team-example.com.html:\n" +
		"  Budget of sandbox, 300.00 a month: within budget (forecast 280.00 USD).\n"
	if out.String() != wantOut {
		t.Errorf("the demo says:\n%s\nwant:\n%s", out.String(), wantOut)
	}
}
