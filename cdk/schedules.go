package cdk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// ScheduleGroup is the Scheduler group of curfew's schedules, named so that the
// invocation role's trust and the home account's guardrails can name it.
const ScheduleGroup = "curfew"

// scheduleRetries is how often Scheduler retries delivering an invocation before the
// event goes to the dead-letter queue.
const scheduleRetries = 3

// scheduleMaxAge drops a stop or start that could not be delivered within an hour: a
// shutdown at breakfast would do more harm than good.
var scheduleMaxAge = awscdk.Duration_Hours(jsii.Number(1))

// sweep is the listed accounts and the organisational units whose accounts share one
// stop (or start) time in one time zone.
type sweep struct {
	timeZone string
	cron     accounts.Cron
	accounts []string
	// units are the ids of swept units: the run sweeps every account it finds in them.
	units []string
}

// input is the payload the sweep's schedule sends: the accounts and units it names.
func (g sweep) input() map[string]any {
	in := map[string]any{"trigger": "schedule"}
	if len(g.accounts) > 0 {
		in["accounts"] = g.accounts
	}
	if len(g.units) > 0 {
		in["units"] = g.units
	}
	return in
}

// id names the sweep's schedule by its first account, else its first unit, so that the
// schedules of a map without units keep their logical ids.
func (g sweep) id() string {
	if len(g.accounts) > 0 {
		return g.accounts[0]
	}
	return g.units[0]
}

// sweeps groups the swept accounts, then the swept units, by time zone and the cron that
// when picks from their effective schedule, in map order; those for which when returns
// nil are left out. A unit's accounts follow the unit's schedule.
func sweeps(m *accounts.Map, when func(accounts.Schedule) *accounts.Cron) []sweep {
	var out []sweep
	index := map[string]int{}
	group := func(s accounts.Schedule) *sweep {
		c := when(s)
		if c == nil {
			return nil
		}
		key := s.TimeZone + " " + c.Expression()
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, sweep{timeZone: s.TimeZone, cron: *c})
		}
		return &out[i]
	}
	for _, a := range m.Swept() {
		if g := group(m.ScheduleFor(a)); g != nil {
			g.accounts = append(g.accounts, a.Name)
		}
	}
	for _, u := range m.SweptUnits() {
		if g := group(m.ScheduleFor(u.Account(u.ID))); g != nil {
			g.units = append(g.units, u.ID)
		}
	}
	return out
}

// newSchedules creates the nightly stop, the optional morning start and the cost report
// schedules and, when heads is not nil, a heads-up ahead of each stop, sharing one
// invocation role and one dead-letter queue, which it returns.
func (s *service) newSchedules(shutdown, restart, costReport awslambda.Function, heads *headsUp) awssqs.Queue {
	dlq := awssqs.NewQueue(s.stack, jsii.String("ScheduleDLQ"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	suppress(dlq, "AwsSolutions-SQS3",
		"This queue is itself the dead-letter queue of the Scheduler schedules.")
	skipLint(dlq, lintSkip{"CKV_AWS_27", "Encrypted with SQS-managed keys (SqsManagedSseEnabled), which this checkov check does not recognise: it looks for a KMS key only."})
	group := awsscheduler.NewScheduleGroup(s.stack, jsii.String("ScheduleGroup"), &awsscheduler.ScheduleGroupProps{
		ScheduleGroupName: jsii.String(ScheduleGroup),
		// The schedules live and die with the stack; a retained group of a fixed name
		// would stop the stack from being deployed again.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(s.stack, jsii.String("ScheduleRole"), &awsiam.RoleProps{
		Description: jsii.String("curfew: Scheduler invokes the functions"),
		// Scheduler names the schedule's group as the source: only curfew's own group, in
		// which the home account's guardrails let no developer or pipeline create schedules.
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil).WithConditions(&map[string]any{
			"StringEquals": map[string]any{
				"aws:SourceAccount": s.m.HomeAccount().ID,
				"aws:SourceArn":     fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", s.m.HomeRegion, s.m.HomeAccount().ID, ScheduleGroup),
			},
		}),
	})
	target := func(fn awslambda.Function, input map[string]any) awsscheduler.IScheduleTarget {
		return awsschedulertargets.NewLambdaInvoke(fn, &awsschedulertargets.ScheduleTargetBaseProps{
			Input:           awsscheduler.ScheduleTargetInput_FromObject(input),
			DeadLetterQueue: dlq,
			RetryAttempts:   jsii.Number(scheduleRetries),
			MaxEventAge:     scheduleMaxAge,
			Role:            role,
		})
	}
	schedule := func(id, description, expression, timeZone string, t awsscheduler.IScheduleTarget) {
		sc := awsscheduler.NewSchedule(s.stack, jsii.String(id), &awsscheduler.ScheduleProps{
			Description:   jsii.String(description),
			Schedule:      awsscheduler.ScheduleExpression_Expression(jsii.String(expression), awscdk.TimeZone_Of(jsii.String(timeZone))),
			Target:        t,
			ScheduleGroup: group,
		})
		// The template names the group by its name only: create the group first.
		sc.Node().AddDependency(group)
	}

	for _, g := range sweeps(s.m, func(s accounts.Schedule) *accounts.Cron { return &s.Stop }) {
		schedule("Stop-"+g.id(), describe("stop", g), g.cron.Expression(), g.timeZone, target(shutdown, g.input()))
	}
	if heads != nil {
		s.headsUpSchedules(heads, func(g sweep) {
			schedule("HeadsUp-"+g.id(), describe("heads-up", g), g.cron.Expression(), g.timeZone, target(heads.fn, g.input()))
		})
		suppress(role, "AwsSolutions-IAM5",
			"CDK grants lambda:InvokeFunction on the heads-up function and its qualified ARNs (<arn>:*); curfew publishes "+
				"no versions or aliases, so only the function itself is invoked.",
			cdknagRegex(`/^Resource::<HeadsUp[0-9A-F]{8}\.Arn>:\*$/`))
	}
	for _, g := range sweeps(s.m, func(s accounts.Schedule) *accounts.Cron { return s.Start }) {
		schedule("Start-"+g.id(), describe("start", g), g.cron.Expression(), g.timeZone, target(restart, g.input()))
	}
	// The cost report covers every account, so it follows the organisation's time zone.
	report := s.m.CostReport.Cron
	schedule("CostReportSchedule", fmt.Sprintf("curfew: cost report at %s %s %s", report.At, strings.Join(report.Days, ","), s.m.Schedule.TimeZone),
		report.Expression(), s.m.Schedule.TimeZone, target(costReport, map[string]any{"trigger": "schedule"}))

	suppress(role, "AwsSolutions-IAM5",
		"CDK grants lambda:InvokeFunction on each function and its qualified ARNs (<arn>:*); curfew publishes "+
			"no versions or aliases, so only the functions themselves are invoked.",
		cdknagRegex(`/^Resource::<(Shutdown|Restart|CostReport)[0-9A-F]{8}\.Arn>:\*$/`))
	return dlq
}

// headsUpSchedules calls add with each stop's sweep moved back by heads.before: the same
// accounts and units, the same input, in the same time zone, at the stop's Cron moved back
// (accounts.Cron.Before).
func (s *service) headsUpSchedules(heads *headsUp, add func(sweep)) {
	for _, g := range sweeps(s.m, func(s accounts.Schedule) *accounts.Cron { return &s.Stop }) {
		c, err := g.cron.Before(heads.before)
		if err != nil {
			// Validate refused such a stop or headsUp.before already.
			panic(fmt.Sprintf("the heads-up of stop %s %v: %v", g.cron.At, g.cron.Days, err))
		}
		g.cron = c
		add(g)
	}
}

// maxDescription is Scheduler's limit on a schedule's description.
const maxDescription = 512

// describe is a schedule's description, e.g. "curfew: stop at 20:00 MON-FRI
// Europe/Madrid: staging, sandbox, accounts of ou-ab12-cd34ef56"; the input names the
// accounts and units in full.
func describe(action string, g sweep) string {
	names := slices.Clone(g.accounts)
	for _, u := range g.units {
		names = append(names, "accounts of "+u)
	}
	d := fmt.Sprintf("curfew: %s at %s %s %s: %s", action, g.cron.At, strings.Join(g.cron.Days, ","),
		g.timeZone, strings.Join(names, ", "))
	if len(d) > maxDescription {
		d = d[:maxDescription-3] + "..."
	}
	return d
}

// newAlarms notifies the topic when a function fails or an invocation lands in the
// dead-letter queue.
func (s *service) newAlarms(dlq awssqs.Queue, functions ...awslambda.Function) {
	action := awscloudwatchactions.NewSnsAction(s.topic)
	period := awscdk.Duration_Minutes(jsii.Number(5))
	for _, fn := range functions {
		id := *fn.Node().Id()
		alarm := awscloudwatch.NewAlarm(s.stack, jsii.String(id+"Errors"), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String("curfew: " + id + " function failed; see its log group"),
			Metric:             fn.MetricErrors(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		alarm.AddAlarmAction(action)
	}
	alarm := awscloudwatch.NewAlarm(s.stack, jsii.String("ScheduleDLQMessages"), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String("curfew: a scheduled invocation could not be delivered; see the dead-letter queue"),
		Metric:             dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Maximum")}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	alarm.AddAlarmAction(action)
	// The cost report's own measure of each channel (internal/report: curfew/DeliveryFailed
	// per Channel). A failed Slack post or HTML page reaches people through the topic; a
	// failed email is the topic itself failing: its alarm has a topic of its own
	// (newDeliveryAlarm).
	for _, channel := range []string{"slack", "page"} {
		s.deliveryFailedAlarm(channel).AddAlarmAction(action)
	}
}
