package cdk_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// TestDeliveryAlarmAvoidsTheReportTopic (issue 17, item 6): the alarm on an email report
// that could not be sent (curfew/DeliveryFailed, channel email) notifies a topic of its
// own, under a key of its own, subscribed by costReport.alarmRecipients or else the
// report's recipients; no other alarm uses that topic, and nothing but this account's
// alarms may publish to it.
func TestDeliveryAlarmAvoidsTheReportTopic(t *testing.T) {
	for name, o := range map[string]*org{"ci-user (recipients)": seed, "oidc (alarmRecipients)": oidcOrg} {
		t.Run(name, func(t *testing.T) {
			reportTopic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
			alarmTopic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew alarm")
			topics := o.resources(t, service, "AWS::SNS::Topic")
			keys := o.resources(t, service, "AWS::KMS::Key")

			alarmKey := o.logicalID(t, "curfew-service", "AWS::KMS::Alias", "AliasName", cdk.DeliveryAlarmKeyAlias)
			alias := o.resources(t, service, "AWS::KMS::Alias")[alarmKey]
			assertJSON(t, "the alarm topic's key", topics[alarmTopic]["KmsMasterKeyId"], alias["TargetKeyId"])
			if equalJSON(topics[alarmTopic]["KmsMasterKeyId"], topics[reportTopic]["KmsMasterKeyId"]) {
				t.Fatal("the alarm topic shares the report topic's key: disabling it would silence both")
			}
			key := alias["TargetKeyId"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			assertJSON(t, "alarm key rotation", keys[key]["EnableKeyRotation"], true)
			keyPolicy := statements(t, keys[key]["KeyPolicy"])
			assertJSON(t, "alarms use the key", keyPolicy["AllowCloudWatchAlarms"]["Principal"], map[string]any{"Service": "cloudwatch.amazonaws.com"})

			st := statements(t, o.resource(t, service, "AWS::SNS::TopicPolicy", "Topics", []any{ref(alarmTopic)})["PolicyDocument"])
			if len(st) != 2 || st["AllowPublishThroughSSLOnly"]["Effect"] != "Deny" ||
				!contains(st["AllowThisAccountsAlarms"], `"aws:SourceAccount":"`+o.m.HomeAccount().ID+`"`) {
				t.Errorf("the alarm topic's policy is not TLS only and this account's alarms only: %v", st)
			}

			var email []string
			for id, a := range o.resources(t, service, "AWS::CloudWatch::Alarm") {
				uses := contains(a["AlarmActions"], `"`+alarmTopic+`"`)
				isEmail := a["Namespace"] == "curfew" && contains(a["Dimensions"], `"Value":"email"`)
				if isEmail {
					email = append(email, id)
					assertJSON(t, id+" actions", a["AlarmActions"], []any{ref(alarmTopic)})
					if !contains(a["Dimensions"], `"Value":"`+accounts.CostReportFunction+`"`) || a["MetricName"] != "DeliveryFailed" {
						t.Errorf("%s watches %v %v, want curfew/DeliveryFailed of the cost report", id, a["MetricName"], a["Dimensions"])
					}
				} else if uses {
					t.Errorf("%s also notifies the delivery alarm's topic", id)
				}
			}
			if len(email) != 1 {
				t.Fatalf("%d alarms on the email channel, want 1", len(email))
			}

			var got []string
			for _, s := range o.resources(t, service, "AWS::SNS::Subscription") {
				if equalJSON(s["TopicArn"], ref(alarmTopic)) {
					got = append(got, s["Endpoint"].(string))
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(o.m.CostReport.AlarmTo()))
			if !slices.Equal(got, want) {
				t.Errorf("the alarm topic's subscribers are %v, want %v", got, want)
			}
			// The cost report's role may publish to the report topic only.
			for _, p := range (principals{t, o}).role(service, accounts.CostReportFunction) {
				if contains(p.Policy, alarmTopic) {
					t.Errorf("the cost report's policy %s names the alarm topic", p.Name)
				}
			}
		})
	}
	if slices.Equal(oidcOrg.m.CostReport.AlarmTo(), oidcOrg.m.CostReport.Recipients) {
		t.Error("testdata/oidc.yaml must name alarmRecipients apart from its recipients")
	}
}

// TestTopicKeysOnlyForThisAccountsAlarms (issue 26, item 11): CloudWatch may use the keys
// of curfew's topics (the report's and the delivery alarm's) for this account's alarms in
// the home region only, as the topics' own policies say: aws:SourceAccount and
// aws:SourceArn, against the confused deputy.
func TestTopicKeysOnlyForThisAccountsAlarms(t *testing.T) {
	for name, o := range map[string]*org{"testdata/ci-user.yaml": seed, "testdata/oidc.yaml": oidcOrg} {
		t.Run(name, func(t *testing.T) {
			home, r := o.m.HomeAccount(), o.m.HomeRegion
			alarmAlias := o.resources(t, service, "AWS::KMS::Alias")[o.logicalID(t, service, "AWS::KMS::Alias", "AliasName", cdk.DeliveryAlarmKeyAlias)]
			keys := map[string]string{
				"report topic's key": o.logicalID(t, service, "AWS::KMS::Key", "Description", "curfew: encrypts the notification topic"),
				"alarm topic's key":  alarmAlias["TargetKeyId"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string),
			}
			key := fmt.Sprintf("arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", r, home.ID)
			alarm := func(region, account string) map[string]any {
				return map[string]any{"aws:SourceAccount": account, "aws:SourceArn": fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:curfew-service-ShutdownErrors-1A2B3C", region, account)}
			}
			var qs []question
			for what, id := range keys {
				policy := resolve(o.resources(t, service, "AWS::KMS::Key")[id]["KeyPolicy"], home.ID, r)
				for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
					ask := func(name string, ctx map[string]any, want string) {
						// A service principal has no identity policies: the key policy alone decides.
						qs = append(qs, question{name: fmt.Sprintf("CloudWatch, %s: %s %s", name, action, what), principal: "cloudwatch.amazonaws.com",
							context: ctx, identity: []namedPolicy{}, action: action, resource: key, trust: policy, want: want,
							honours: slices.Sorted(maps.Keys(ctx))})
					}
					ask("for an alarm of this account", alarm(r, home.ID), allowed)
					ask("for an alarm of another account", alarm(r, "999999999999"), denied)
					ask("for an alarm of this account's id in another account's ARN", merge(alarm(r, "999999999999"), map[string]any{"aws:SourceAccount": home.ID}), denied)
					ask("for an alarm of this account in another region", alarm("ap-south-1", home.ID), denied)
					ask("for no alarm", nil, denied)
				}
			}
			simulate(t, qs)
		})
	}
}
