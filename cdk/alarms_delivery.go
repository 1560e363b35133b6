package cdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// DeliveryAlarmKeyAlias names the key of the delivery alarm's topic.
const DeliveryAlarmKeyAlias = keyAliasPrefix + "delivery-alarm"

// deliveryFailedAlarm raises an alarm when the cost report could not be delivered by
// channel in the last hour (internal/report writes curfew/DeliveryFailed per channel).
func (s *service) deliveryFailedAlarm(channel string) awscloudwatch.Alarm {
	return awscloudwatch.NewAlarm(s.stack, jsii.String("CostReportDeliveryFailed-"+channel), &awscloudwatch.AlarmProps{
		AlarmDescription: jsii.String("curfew: the cost report could not be delivered by " + channel + "; see curfew-cost-report's log"),
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("curfew"), MetricName: jsii.String("DeliveryFailed"),
			DimensionsMap: &map[string]*string{"Function": jsii.String(accounts.CostReportFunction), "Channel": jsii.String(channel)},
			Statistic:     jsii.String("Sum"), Period: awscdk.Duration_Hours(jsii.Number(1)),
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
}

// newDeliveryAlarm tells people that the emailed report was not sent. The email is a
// publish to the report's topic, so an alarm on that topic would fail with it (a key
// disabled or pending deletion, a topic policy or subscription changed by hand, a
// throttled or deleted topic): this alarm publishes to a topic of its own, under a key of
// its own, subscribed by costReport.alarmRecipients (or the report's recipients), and
// nothing else uses it. It cannot see an email that SNS accepted and the mail provider
// then lost; SNS's own delivery retries cover that.
func (s *service) newDeliveryAlarm() {
	// Under the guardrails' alias prefix, like the report topic's key. Only this account's
	// alarms publish; the cost report's role may not (it is not granted), so a report can
	// never reach its readers through here.
	topic := s.newEncryptedTopic("DeliveryAlarmTopic", "DeliveryAlarmKey", DeliveryAlarmKeyAlias,
		"curfew: encrypts the topic of the cost report's delivery alarm", "curfew alarm", s.m.CostReport.AlarmTo())
	s.deliveryFailedAlarm("email").AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
}
