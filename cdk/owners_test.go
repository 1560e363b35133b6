package cdk_test

import (
	"fmt"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// Owners' own reports reach them (issue 31): each owner's address is subscribed to the
// topic for the messages carrying it (accounts.OwnerMessageAttribute), the recipients for
// those without it (the whole report and the alarms), an address that is both for both;
// the cost report may read each owner's Slack webhook parameter, by its exact ARN, and
// decrypt it with the webhook key through SSM, and no other.
func TestOwnersSubscriptionsAndWebhooks(t *testing.T) {
	o := synthMap(t, "testdata/owners.yaml")
	topic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
	filters := map[string]any{}
	for _, s := range o.resources(t, service, "AWS::SNS::Subscription") {
		if equalJSON(s["TopicArn"], ref(topic)) {
			filters[s["Endpoint"].(string)] = s["FilterPolicy"]
		}
	}
	assertJSON(t, "the report topic's subscriptions", filters, map[string]any{
		"platform@example.com": map[string]any{accounts.OwnerMessageAttribute: []any{map[string]any{"exists": false}, "platform@example.com"}},
		"finance@example.com":  map[string]any{accounts.OwnerMessageAttribute: []any{map[string]any{"exists": false}}},
		"team-a@example.com":   map[string]any{accounts.OwnerMessageAttribute: []any{"team-a@example.com"}},
	})

	parameters := []string{
		"arn:aws:ssm:eu-west-1:111111111111:parameter/curfew/slack-webhook",
		"arn:aws:ssm:eu-west-1:111111111111:parameter/curfew/owners/team-b",
	}
	st := rolePolicy(t, o, accounts.CostReportFunction)
	assertJSON(t, "the webhooks the cost report reads", st["ReadSlackWebhook"], map[string]any{
		"Sid": "ReadSlackWebhook", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": []string{parameters[1], parameters[0]}, // CDK sorts them
	})
	key := o.resource(t, service, "AWS::KMS::Key", "Description", "curfew: encrypts the Slack webhook parameter /curfew/slack-webhook")
	kp := statements(t, key["KeyPolicy"])
	for _, sid := range []string{"OnlyTheCostReportReadsTheWebhook", "AccountStoresTheWebhookThroughSSM"} {
		cond := kp[sid]["Condition"].(map[string]any)["StringEquals"].(map[string]any)
		assertJSON(t, sid+"'s parameters", cond["kms:EncryptionContext:PARAMETER_ARN"], parameters)
	}
}

// TestOwnersWebhooksBySimulation asks the simulator, with the deployed policies of the cost
// report's role, what whoever writes owners into the map gets: the cost report reads the
// webhook parameters the map names (an owner's and the report's own) and no other — not an
// owner's the map does not name, not a secret beside them, not all of them by path, not in
// another region — and writes none.
func TestOwnersWebhooksBySimulation(t *testing.T) {
	o := synthMap(t, "testdata/owners.yaml")
	p := principals{t, o}
	home := o.m.HomeAccount()
	in := func(region, name string) string {
		return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", region, home.ID, name)
	}
	role := home.RoleARN(accounts.CostReportFunction)
	policies := p.role(service, accounts.CostReportFunction)
	var qs []question
	ask := func(name, action, resource, want string) {
		qs = append(qs, question{name: "curfew-cost-report " + name, principal: session(home.ID, accounts.CostReportFunction),
			context: map[string]any{"aws:PrincipalArn": role}, identity: policies, action: action, resource: resource, want: want})
	}
	region := o.m.HomeRegion
	ask("reads team-b's webhook, named in the map", "ssm:GetParameter", in(region, "/curfew/owners/team-b"), allowed)
	ask("reads the report's own webhook", "ssm:GetParameter", in(region, cdk.SlackWebhookParameter), allowed)
	ask("reads a webhook no owner of the map names", "ssm:GetParameter", in(region, "/curfew/owners/team-z"), denied)
	ask("reads a secret beside the webhooks", "ssm:GetParameter", in(region, "/curfew/owners-db-password"), denied)
	ask("reads another parameter", "ssm:GetParameter", in(region, "/prod/db-password"), denied)
	ask("reads every owner's webhook by path", "ssm:GetParametersByPath", in(region, "/curfew/owners"), denied)
	ask("reads team-b's webhook with its history", "ssm:GetParameterHistory", in(region, "/curfew/owners/team-b"), denied)
	ask("writes team-b's webhook", "ssm:PutParameter", in(region, "/curfew/owners/team-b"), denied)
	ask("reads team-b's webhook in another region", "ssm:GetParameter", in("ap-south-1", "/curfew/owners/team-b"), denied)
	simulate(t, qs)
}
