package cdk_test

import (
	"testing"

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
