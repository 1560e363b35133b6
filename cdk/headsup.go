package cdk

import (
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// Folders of the heads-up's functions under CurfewProps.LambdaDir, built only when the map
// turns the heads-up on (Map.HeadsUpBefore).
const (
	HeadsUpFolder    = "heads-up"
	SnoozeLinkFolder = "snooze-link"
)

// Environment variables of the heads-up function (besides EnvBucket and EnvTopicARN).
const (
	// EnvShutdownFunction names the function the heads-up asks for the stop's plan (its
	// dry run).
	EnvShutdownFunction = "CURFEW_SHUTDOWN_FUNCTION"
	// EnvLinkFunction names the link function, whose URL the heads-up reads at cold start
	// (lambda:GetFunctionUrlConfig) as the links' base.
	EnvLinkFunction = "CURFEW_LINK_FUNCTION"
)

// Where the heads-up's objects live in the bucket: the links it issued, and the links used.
const (
	linksPrefix = accounts.HeadsUpPrefix + "links/"
	usedPrefix  = accounts.HeadsUpPrefix + "used/"
	// A link is good until its night's stop; its record is kept for a month after, to say
	// on a late click that it was used.
	headsUpDays = 30
)

// Timeouts of the heads-up's functions, in minutes. The heads-up waits on the shutdown's
// dry run (whose own timeout is 10 minutes), then sends one message per owner. The link
// function answers a person's click: a page, or a few tag writes.
const (
	headsUpMinutes    = 15
	snoozeLinkMinutes = 1
)

// functionFolders are the functions the map's stacks build, each a folder of LambdaDir.
func functionFolders(m *accounts.Map) []string {
	folders := []string{ShutdownFolder, RestartFolder, CostReportFolder}
	if _, on := m.HeadsUpBefore(); on {
		folders = append(folders, HeadsUpFolder, SnoozeLinkFolder)
	}
	return folders
}

// headsUp is the heads-up's part of the service stack.
type headsUp struct {
	before time.Duration
	// fn tells the owners, before each stop, what it will stop; link is the public
	// endpoint behind the links.
	fn, link awslambda.Function
}

// newHeadsUp creates, when the map turns the heads-up on, curfew-heads-up and
// curfew-snooze-link with its function URL, each with the least its role needs; nil
// otherwise, and nothing in the stack changes.
func (s *service) newHeadsUp(shutdown awslambda.Function) *headsUp {
	before, on := s.m.HeadsUpBefore()
	if !on {
		return nil
	}
	h := &headsUp{before: before}
	h.fn = s.newFunction("HeadsUp", accounts.HeadsUpFunction, HeadsUpFolder,
		"curfew: tell each owner before the night what the stop will stop, with a link that keeps it up", headsUpMinutes,
		"One heads-up runs per stop schedule; reserved concurrency would be taken from the account's other functions.")
	h.link = s.newFunction("SnoozeLink", accounts.SnoozeLinkFunction, SnoozeLinkFolder,
		"curfew: the heads-up's links: a confirmation page, and the snooze on its POST", snoozeLinkMinutes,
		"The function limits requests itself (per source address and overall); a reservation fails to deploy in accounts "+
			"whose Lambda concurrency quota is 10 (Lambda keeps 10 unreserved).")
	// The link function publishes nothing: it is not told the topic.
	h.link.Node().DefaultChild().(awslambda.CfnFunction).AddPropertyDeletionOverride(jsii.String("Environment.Variables." + EnvTopicARN))
	h.fn.AddEnvironment(jsii.String(EnvShutdownFunction), jsii.String(accounts.ShutdownFunction), nil)
	h.fn.AddEnvironment(jsii.String(EnvLinkFunction), jsii.String(accounts.SnoozeLinkFunction), nil)
	// Anyone with a link reaches the function; the signed token, checked before any AWS
	// call, decides what it may do.
	url := h.link.AddFunctionUrl(&awslambda.FunctionUrlOptions{AuthType: awslambda.FunctionUrlAuthType_NONE})
	skipLint(url, lintSkip{"CKV_AWS_258", "The links go to people without AWS credentials: the function checks each request's signed token " +
		"(HMAC with a key only the home account holds) before any AWS call, applies nothing on GET, and limits requests."})

	s.bucket.AddLifecycleRule(&awss3.LifecycleRule{
		Id: jsii.String("ExpireHeadsUp"), Prefix: jsii.String(accounts.HeadsUpPrefix),
		Expiration: awscdk.Duration_Days(jsii.Number(headsUpDays)),
	})
	key := s.parameterARN(accounts.HeadsUpKeyParameter)
	links := *s.bucket.ArnForObjects(jsii.String(linksPrefix + "*"))
	used := *s.bucket.ArnForObjects(jsii.String(usedPrefix + "*"))

	// The heads-up plans through the shutdown (never the restart), finds the link URL,
	// creates the key when it is missing, stores the links it issues, and tells the owners
	// by the topic and their webhooks.
	h.fn.AddToRolePolicy(allow("PlanTheStop", []string{"lambda:InvokeFunction"}, []string{*shutdown.FunctionArn()}, nil))
	h.fn.AddToRolePolicy(allow("FindTheLinkURL", []string{"lambda:GetFunctionUrlConfig"}, []string{*h.link.FunctionArn()}, nil))
	h.fn.AddToRolePolicy(allow("KeepTheLinkKey", []string{"ssm:GetParameter", "ssm:PutParameter"}, []string{key}, nil))
	h.fn.AddToRolePolicy(allow("StoreLinks", []string{"s3:PutObject"}, []string{links}, nil))
	s.topic.GrantPublish(h.fn)
	if webhooks := s.ownerWebhooks(); len(webhooks) > 0 {
		h.fn.AddToRolePolicy(allow("ReadOwnersWebhooks", []string{"ssm:GetParameter"}, webhooks, nil))
		s.webhookKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("TheHeadsUpReadsTheOwnersWebhooks"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewArnPrincipal(jsii.String(s.m.LambdaRoleARN(accounts.HeadsUpFunction)))},
			Actions:    jsii.Strings("kms:Decrypt"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"kms:ViaService":                      "ssm." + s.m.HomeRegion + ".amazonaws.com",
				"kms:EncryptionContext:PARAMETER_ARN": oneOrMany(webhooks),
			}},
		}), nil)
		s.webhookKey.Node().AddDependency(h.fn.Role())
	}

	// The link function reads the key and the links, records each link used, and assumes
	// CurfewSnoozeLink in the swept accounts, nothing else.
	h.link.AddToRolePolicy(allow("ReadTheLinkKey", []string{"ssm:GetParameter"}, []string{key}, nil))
	h.link.AddToRolePolicy(allow("ReadLinks", []string{"s3:GetObject"}, []string{links}, nil))
	h.link.AddToRolePolicy(allow("RecordUsedLinks", []string{"s3:GetObject", "s3:PutObject"}, []string{used}, nil))
	s.allowAssume(h.link, roleARNs(accounts.SnoozeLinkRole, s.m.Swept()))
	if secret := s.m.SlackSigningSecret(); secret != "" {
		// The presses of the heads-up's buttons in Slack are checked with the Slack app's
		// signing secret, which the function reads at cold start (the default aws/ssm key
		// decrypts it for the account's principals that may read the parameter).
		h.link.AddToRolePolicy(allow("ReadTheSlackSigningSecret", []string{"ssm:GetParameter"}, []string{s.parameterARN(secret)}, nil))
	}
	if paths := sweptUnitPaths(s.m); len(paths) > 0 {
		h.link.AddToRolePolicy(allow("AssumeSnoozeLinkInSweptUnits", []string{assumeAction},
			[]string{"arn:aws:iam::*:role/" + accounts.SnoozeLinkRole},
			map[string]any{"ForAnyValue:StringLike": map[string]any{"aws:ResourceOrgPaths": paths}}))
	}

	bucket := "Resource::<" + *s.stack.GetLogicalId(s.bucket.Node().DefaultChild().(awscdk.CfnElement)) + ".Arn>/"
	suppress(h.fn.Role(), "AwsSolutions-IAM5",
		"The heads-up writes one new object per link under "+linksPrefix+", named by the link's random id; "+
			"kms:GenerateDataKey* is CDK's grant to publish to the encrypted topic, on that key only.",
		bucket+linksPrefix+"*", "Action::kms:GenerateDataKey*")
	suppress(h.link.Role(), "AwsSolutions-IAM5",
		"The link function reads the link a token names under "+linksPrefix+" and records it used under "+usedPrefix+
			" (the links' ids are random); in the accounts found in swept units, which no list can name, it may assume "+
			accounts.SnoozeLinkRole+" by its exact name where the account's parent is a swept unit (aws:ResourceOrgPaths).",
		bucket+linksPrefix+"*", bucket+usedPrefix+"*", "Resource::arn:aws:iam::*:role/"+accounts.SnoozeLinkRole)
	return h
}

// parameterARN is the ARN of an SSM parameter of the home account, by its name.
func (s *service) parameterARN(name string) string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", s.m.HomeRegion, s.m.HomeAccount().ID, name)
}

// ownerWebhooks are the ARNs of the owners' Slack webhook parameters, in map order.
func (s *service) ownerWebhooks() []string {
	var out []string
	for _, o := range s.m.AllOwners() {
		if o.Slack != "" {
			out = append(out, s.parameterARN(o.Slack))
		}
	}
	return out
}

// sweptUnitPaths are the aws:ResourceOrgPaths of the accounts whose parent is a swept unit.
func sweptUnitPaths(m *accounts.Map) []string {
	if m.Organization == nil {
		return nil
	}
	var paths []string
	for _, u := range m.Organization.OUs {
		if u.Account(u.ID).ShutdownEnabled() {
			paths = append(paths, unitPath(u.ID))
		}
	}
	return paths
}
