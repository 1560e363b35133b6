package cdk

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/lease"
)

// Environment variables of curfew's functions.
const (
	// EnvBucket names the bucket of run history (runs/) and cost reports (reports/).
	EnvBucket = "CURFEW_BUCKET"
	// EnvTopicARN is the topic the cost report publishes to.
	EnvTopicARN = "CURFEW_TOPIC_ARN"
	// EnvSlackWebhookParameter names the optional SecureString parameter with a Slack
	// webhook URL for the cost report.
	EnvSlackWebhookParameter = "CURFEW_SLACK_WEBHOOK_PARAMETER"
)

// SlackWebhookParameter is the SSM parameter the operator may create by hand, encrypted
// with the key WebhookKeyAlias names.
const SlackWebhookParameter = parameterPrefix + "slack-webhook"

// WebhookKeyAlias names the key of the Slack webhook parameter.
const WebhookKeyAlias = keyAliasPrefix + "slack-webhook"

// Folders of the built functions under CurfewProps.LambdaDir, each with its bootstrap.
const (
	ShutdownFolder   = "shutdown"
	RestartFolder    = "restart"
	CostReportFolder = "cost-report"
)

// Key prefixes in the bucket, and how long their objects are kept.
const (
	runsPrefix    = "runs/"
	reportsPrefix = "reports/"
	// The cost report compares with a year ago, so run history outlives a year.
	runsDays    = 400
	reportsDays = 90
)

// leasedRuns is why the shutdown and restart reserve no concurrency: a reservation of 1
// fails to deploy in accounts whose Lambda concurrency quota is 10 (new accounts'; Lambda
// keeps 10 unreserved), and leases keep their runs apart instead.
const leasedRuns = "One run at a time in each account is kept by a lease per account in curfew's bucket (internal/lease); " +
	"reserving concurrency fails to deploy in accounts with the default quota of 10."

// logRetention bounds how long the functions' logs are kept.
const logRetention = awslogs.RetentionDays_THREE_MONTHS

// ServiceStackProps configures the home account's stack.
type ServiceStackProps struct {
	awscdk.StackProps
	Map *accounts.Map
	// LambdaDir holds the functions' code, one folder per function with its bootstrap and
	// the account map (see stageFunctions).
	LambdaDir string
}

// service holds what the service stack's parts share.
type service struct {
	stack  awscdk.Stack
	m      *accounts.Map
	props  *ServiceStackProps
	bucket awss3.Bucket
	topic  awssns.Topic
	// webhookKey encrypts the Slack webhook parameters (newWebhookKey).
	webhookKey awskms.Key
}

// NewServiceStack creates the home account's stack: the shutdown, restart and cost-report
// functions with their roles and logs, their schedules with a dead-letter queue, the
// bucket of run history and reports, the notification topic, and alarms on failures.
func NewServiceStack(scope constructs.Construct, id string, props *ServiceStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	s := &service{stack: stack, m: props.Map, props: props}
	s.bucket = s.newBucket()
	s.topic = s.newTopic()

	var schedulerRoles []string
	for _, a := range s.m.Swept() {
		schedulerRoles = append(schedulerRoles, a.RoleARN(accounts.SchedulerRole))
	}
	schedulerRoles = append(schedulerRoles, organizationRoles(s.m, accounts.SchedulerRole)...)
	shutdown := s.newFunction("Shutdown", accounts.ShutdownFunction, ShutdownFolder,
		"curfew: stop the non-production accounts' resources at night", 10, leasedRuns)
	restart := s.newFunction("Restart", accounts.RestartFunction, RestartFolder,
		"curfew: start again what the night shutdown stopped", 10, leasedRuns)
	for _, fn := range []awslambda.Function{shutdown, restart} {
		s.allowAssume(fn, schedulerRoles)
		fn.AddToRolePolicy(allow("WriteRunHistory", []string{"s3:PutObject"},
			[]string{*s.bucket.ArnForObjects(jsii.String(runsPrefix + "*"))}, nil))
		// Take (conditional put), read the holder, release (conditional delete) the lease
		// of each account a run visits.
		fn.AddToRolePolicy(allow("HoldRunLeases", []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
			[]string{*s.bucket.ArnForObjects(jsii.String(lease.Prefix + "*"))}, nil))
	}

	costReport := s.newFunction("CostReport", accounts.CostReportFunction, CostReportFolder,
		"curfew: report cost per account and what the shutdowns saved", costReportMinutes,
		"The weekly cost report may overlap a manual one harmlessly; reserved concurrency would be taken from the account's other functions.")
	var costReaders []string
	for _, a := range s.m.Accounts {
		costReaders = append(costReaders, a.RoleARN(accounts.CostReaderRole))
	}
	costReaders = append(costReaders, organizationRoles(s.m, accounts.CostReaderRole)...)
	s.allowAssume(costReport, costReaders)
	s.allowFoundAccounts(shutdown, restart, costReport)
	s.grantCostReport(costReport)
	heads := s.newHeadsUp(shutdown)

	operator := newOperatorRole(stack, s.m)
	s.grantReportReading(operator)
	s.newAccountList(operator, shutdown, restart)
	if heads != nil && s.m.Organization != nil {
		// The link of an account found in a unit is checked against the list the shutdown
		// published: swept, active, non-production.
		heads.link.AddToRolePolicy(allow("ReadAccountList", []string{"s3:GetObject"}, []string{accountListARN(s.m)}, nil))
	}

	dlq := s.newSchedules(shutdown, restart, costReport, heads)
	functions := []awslambda.Function{shutdown, restart, costReport}
	if heads != nil {
		functions = append(functions, heads.fn, heads.link)
	}
	s.newAlarms(dlq, functions...)
	s.newDeliveryAlarm()

	bucket := *stack.GetLogicalId(s.bucket.Node().DefaultChild().(awscdk.CfnElement))
	runs := "Resource::<" + bucket + ".Arn>/" + runsPrefix + "*"
	reports := "Resource::<" + bucket + ".Arn>/" + reportsPrefix + "*"
	leases := "Resource::<" + bucket + ".Arn>/" + lease.Prefix + "*"
	for _, fn := range []awslambda.Function{shutdown, restart} {
		suppress(fn.Role(), "AwsSolutions-IAM5",
			"A run writes one new object per run under runs/; its key holds the run's time and id. "+
				"It holds one lease per account it visits under lease/, named by the account id.", runs, leases)
	}
	suppress(costReport.Role(), "AwsSolutions-IAM5",
		"The cost report reads every run summary under runs/ and writes a new report under reports/ each time; "+
			"kms:GenerateDataKey* is CDK's grant to publish to the encrypted topic, on that key only.",
		runs, reports, "Action::kms:GenerateDataKey*")
	return stack
}

// privateBucket is a bucket of curfew's as every one is: no public access, S3-managed
// encryption, TLS 1.2 and up only, owned by its account, and kept when the stack is
// deleted; props give the rest.
func privateBucket(scope constructs.Construct, id string, props *awss3.BucketProps) awss3.Bucket {
	props.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	props.Encryption = awss3.BucketEncryption_S3_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	props.MinimumTLSVersion = jsii.Number(1.2)
	props.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	return awss3.NewBucket(scope, jsii.String(id), props)
}

// newBucket holds run history under runs/ and HTML reports under reports/; it is kept
// when the stack is deleted.
func (s *service) newBucket() awss3.Bucket {
	bucket := privateBucket(s.stack, "Bucket", &awss3.BucketProps{
		LifecycleRules: &[]*awss3.LifecycleRule{
			{Id: jsii.String("ExpireRuns"), Prefix: jsii.String(runsPrefix), Expiration: awscdk.Duration_Days(jsii.Number(runsDays))},
			{Id: jsii.String("ExpireReports"), Prefix: jsii.String(reportsPrefix), Expiration: awscdk.Duration_Days(jsii.Number(reportsDays))},
			{Id: jsii.String("AbortUploads"), AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1))},
		},
	})
	suppress(bucket, "AwsSolutions-S1",
		"Only curfew's own functions write here (run summaries and reports, through their roles); "+
			"CloudTrail records the API calls, and a second bucket just for access logs would need the same suppression.")
	skipLint(bucket,
		lintSkip{"CKV_AWS_18", "Only curfew's own functions write here; CloudTrail records the API calls, and a bucket just for access logs would need the same skip."},
		lintSkip{"CKV_AWS_21", "Every object is written once under a new key (run id, report date) and expires by the lifecycle rules; versions would only keep what the rules delete."})
	return bucket
}

// newTopic is the notification topic: encrypted with a key of its own (rotated), TLS only,
// with the map's email subscriptions, and open to this account's alarms. When the map
// names owners by email, each owner's address is subscribed for the messages meant for it
// alone (ownerFilter), and the recipients' subscriptions leave those out.
func (s *service) newTopic() awssns.Topic {
	var owners []string
	for _, o := range s.m.AllOwners() {
		if o.Email != "" {
			owners = append(owners, o.Email)
		}
	}
	recipients := s.m.CostReport.Recipients
	if len(owners) > 0 {
		recipients = nil // subscribed below, with their filter
	}
	// The home account's guardrails protect curfew's keys by their aliases.
	topic := s.newEncryptedTopic("Topic", "TopicKey", keyAliasPrefix+"topic",
		"curfew: encrypts the notification topic", "curfew", recipients)
	if len(owners) == 0 {
		return topic
	}
	for _, r := range s.m.CostReport.Recipients {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(r), &awssnssubscriptions.EmailSubscriptionProps{
			FilterPolicy: ownerFilter(r, slices.Contains(owners, r), true)}))
	}
	for _, o := range owners {
		if !slices.Contains(s.m.CostReport.Recipients, o) {
			topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(o), &awssnssubscriptions.EmailSubscriptionProps{
				FilterPolicy: ownerFilter(o, true, false)}))
		}
	}
	return topic
}

// ownerFilter is the filter policy of an address's subscription to the topic, on the
// message attribute accounts.OwnerMessageAttribute that an owner's report carries: a recipient (or
// an alarm's reader) takes the messages without it, an owner those carrying its address.
// SNS allows one subscription per address, so an address that is both takes both.
func ownerFilter(address string, owner, recipient bool) *map[string]awssns.SubscriptionFilter {
	var conditions []any
	if recipient {
		conditions = append(conditions, map[string]any{"exists": false})
	}
	if owner {
		conditions = append(conditions, address)
	}
	return &map[string]awssns.SubscriptionFilter{accounts.OwnerMessageAttribute: awssns.NewSubscriptionFilter(&conditions)}
}

// newEncryptedTopic is a topic of curfew's: encrypted with a key of its own (rotated, kept
// when the stack goes), TLS only, published to by this account's CloudWatch alarms, and
// subscribed by the given email addresses.
func (s *service) newEncryptedTopic(id, keyID, alias, keyDescription, displayName string, recipients []string) awssns.Topic {
	key := awskms.NewKey(s.stack, jsii.String(keyID), &awskms.KeyProps{
		Description:       jsii.String(keyDescription),
		Alias:             jsii.String(alias),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	// This account's alarms in the home region, and no other account's, through the
	// CloudWatch service principal (the confused deputy): on the topic and on its key.
	account := s.m.HomeAccount().ID
	alarms := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": account},
		"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:*", s.m.HomeRegion, account)},
	}
	// CloudWatch encrypts the alarm's message with the key when it publishes.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &alarms,
	}), nil)
	topic := awssns.NewTopic(s.stack, jsii.String(id), &awssns.TopicProps{
		DisplayName: jsii.String(displayName),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowThisAccountsAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
		Conditions: &alarms,
	}))
	for _, r := range recipients {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(r), nil))
	}
	return topic
}

// costReportMinutes is the cost report's timeout, Lambda's maximum: without a management
// account it reads each account in three Cost Explorer requests paced at cost.DefaultRate
// (5 a second), so about 1,500 accounts fit, where 5 minutes held about 450.
const costReportMinutes = 15

// functionMemoryMB is each function's memory: the size at which Lambda gives one whole
// vCPU. A sweep is bound by CPU (SigV4 signing, XML, GC: about 0.3 ms a call), and Lambda
// gives CPU in proportion to memory, so at 256 MB a 500-account × 4-region restart would
// take about 73 s of CPU alone (bench part 5) and part 2's sweep of 50 × 4 would wait on
// CPU; at 1,769 MB both wait only on AWS. A run is billed by memory × duration, and a
// CPU-bound run shrinks in proportion: at 500 × 4 a run costs about 46 GB-s (under
// $0.001 on arm64), at ten accounts a few GB-s.
const functionMemoryMB = 1769

// newFunction creates one of curfew's Go functions with an execution role of the
// function's name (CurfewScheduler and CurfewCostReader trust it by ARN) and a log group
// of bounded retention, and no reserved concurrency: unreserved says why it needs none.
func (s *service) newFunction(id, name, folder, description string, minutes float64, unreserved string) awslambda.Function {
	logs := awslogs.NewLogGroup(s.stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		LogGroupName: jsii.String("/aws/lambda/" + name),
		Retention:    logRetention,
		// The logs are the audit trail of what curfew stopped and started: deleting the
		// stack keeps them until they expire. Deploying the stack again after deleting it
		// then needs the old log groups deleted or imported first (the README says how).
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	role := awsiam.NewRole(s.stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		RoleName:           jsii.String(name),
		Description:        jsii.String("curfew: execution role of " + name),
		AssumedBy:          awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		MaxSessionDuration: serviceSession,
	})
	logs.GrantWrite(role)
	props := &awslambda.FunctionProps{
		FunctionName: jsii.String(name),
		Description:  jsii.String(description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(s.props.LambdaDir, folder)), nil),
		MemorySize:   jsii.Number(functionMemoryMB),
		Timeout:      awscdk.Duration_Minutes(jsii.Number(minutes)),
		Role:         role,
		LogGroup:     logs,
		// JSON, so that lambdacontext's slog handler writes one JSON object per line.
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Environment: &map[string]*string{
			EnvBucket:   s.bucket.BucketName(),
			EnvTopicARN: s.topic.TopicArn(),
		},
	}
	skipLint(logs, lintSkip{"CKV_AWS_158", "The logs hold run outcomes and resource ids, never secrets; CloudWatch Logs encrypts them at rest with its own keys."})
	skips := []lintSkip{
		{"CKV_AWS_116", "A failed run raises the function's Errors alarm and names its failures in the report; a dead-letter queue would only keep a night's payload to replay at the wrong hour."},
		{"CKV_AWS_117", "The function calls only AWS APIs over TLS (STS, EC2, RDS, S3, SNS, SSM, Cost Explorer); a VPC would need NAT or endpoints in every region and protect nothing."},
		{"CKV_AWS_173", "The environment holds the bucket name and topic ARN, no secret (the Slack webhook stays in SSM); Lambda encrypts it at rest with its own key."},
		// cfn-lint W3005: CDK makes the function depend on its role and the role's default
		// policy, so that the policy exists before the first run; the redundant DependsOn
		// on the role, already implied by Fn::GetAtt, is harmless.
		{"W3005", ""},
		{"CKV_AWS_115", unreserved},
	}
	fn := awslambda.NewFunction(s.stack, jsii.String(id), props)
	skipLint(fn, skips...)
	return fn
}

// assumeCurfewRolesSid is the Sid of the statements that let a function assume roles.
const assumeCurfewRolesSid = "AssumeCurfewRoles"

// allowAssume lets fn's role assume exactly the given roles, through managed policies:
// with an account's role each, an inline statement would pass the role's 10,240
// characters of inline policy at about 200 accounts, while up to 10 managed policies of
// 6,144 hold about 1,250.
func (s *service) allowAssume(fn awslambda.Function, roles []string) {
	if len(roles) == 0 {
		return
	}
	for _, p := range newAssumePolicies(s.stack, *fn.Node().Id()+"AssumeCurfewRoles", "curfew: the roles the "+*fn.Node().Id()+" function assumes in other accounts",
		assumeCurfewRolesSid, roles) {
		fn.Role().AddManagedPolicy(p)
	}
}

// grantCostReport lets the cost report read run history, write reports (never read
// them: it signs no links, see report.Publisher.StoreHTML), publish to the topic and read
// the Slack webhook.
func (s *service) grantCostReport(fn awslambda.Function) {
	runs := *s.bucket.ArnForObjects(jsii.String(runsPrefix + "*"))
	reports := *s.bucket.ArnForObjects(jsii.String(reportsPrefix + "*"))
	fn.AddToRolePolicy(allow("ListRunHistory", []string{"s3:ListBucket"}, []string{*s.bucket.BucketArn()},
		// runs/ for the history; reports/sent/ for the delivery markers a retried report
		// checks first, so that it sends nothing twice.
		map[string]any{"StringLike": map[string]any{"s3:prefix": []string{runsPrefix + "*", reportsPrefix + "sent/*"}}}))
	fn.AddToRolePolicy(allow("ReadRunHistory", []string{"s3:GetObject"}, []string{runs}, nil))
	fn.AddToRolePolicy(allow("WriteReports", []string{"s3:PutObject"}, []string{reports}, nil))
	s.topic.GrantPublish(fn)

	// The report's own webhook and each owner's (accounts.OwnerParameterPrefix), by their
	// exact ARNs.
	parameterARN := func(name string) string {
		return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", s.m.HomeRegion, s.m.HomeAccount().ID, name)
	}
	parameters := []string{parameterARN(SlackWebhookParameter)}
	for _, o := range s.m.AllOwners() {
		if o.Slack != "" {
			parameters = append(parameters, parameterARN(o.Slack))
		}
	}
	fn.AddEnvironment(jsii.String(EnvSlackWebhookParameter), jsii.String(SlackWebhookParameter), nil)
	fn.AddToRolePolicy(allow("ReadSlackWebhook", []string{"ssm:GetParameter"}, parameters, nil))
	s.webhookKey = s.newWebhookKey(fn.Role(), parameters)
	grantPricing(fn)
}

// newWebhookKey is the key the Slack webhook parameter is encrypted with. Unlike aws/ssm,
// which every principal of the account may use through SSM, only the cost report's role
// may decrypt with it, and only the webhook parameter through SSM; the account (that is,
// its IAM policies) may administer the key and encrypt with it through SSM, which is what
// `aws ssm put-parameter --key-id alias/curfew/slack-webhook` needs.
func (s *service) newWebhookKey(reader awsiam.IRole, parameters []string) awskms.Key {
	ssmService := "ssm." + s.m.HomeRegion + ".amazonaws.com"
	// One parameter stays a string, as before owners' webhooks: the key's policy does not
	// change for a map without them.
	var parameter any = parameters[0]
	if len(parameters) > 1 {
		parameter = parameters
	}
	root := awsiam.NewAccountRootPrincipal()
	policy := inline(
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AccountAdministersTheKey"),
			Principals: &[]awsiam.IPrincipal{root},
			// Not kms:CreateGrant, kms:Decrypt or kms:ReEncrypt*: no IAM policy of the
			// account can read the webhook through them.
			Actions: jsii.Strings(
				"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
				"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
				"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
				"kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy",
				"kms:RevokeGrant", "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource",
				"kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription"),
			Resources: jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AccountStoresTheWebhookThroughSSM"),
			Principals: &[]awsiam.IPrincipal{root},
			Actions:    jsii.Strings("kms:Encrypt", "kms:GenerateDataKey"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"kms:ViaService":                      ssmService,
				"kms:EncryptionContext:PARAMETER_ARN": parameter,
			}},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("OnlyTheCostReportReadsTheWebhook"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewArnPrincipal(jsii.String(s.m.LambdaRoleARN(accounts.CostReportFunction)))},
			Actions:    jsii.Strings("kms:Decrypt"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"kms:ViaService":                      ssmService,
				"kms:EncryptionContext:PARAMETER_ARN": parameter,
			}},
		}),
	)
	key := awskms.NewKey(s.stack, jsii.String("WebhookKey"), &awskms.KeyProps{
		Description:       jsii.String("curfew: encrypts the Slack webhook parameter " + SlackWebhookParameter),
		Alias:             jsii.String(WebhookKeyAlias),
		EnableKeyRotation: jsii.Bool(true),
		Policy:            policy,
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	// The policy names the role by its fixed ARN, which KMS accepts only once it exists.
	key.Node().AddDependency(reader)
	return key
}
