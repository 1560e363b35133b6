package cdk

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// MemberStackProps configures the stack of one target account.
type MemberStackProps struct {
	awscdk.StackProps
	Map     *accounts.Map
	Account accounts.Account
}

// NewMemberStack creates a target account's stack: DeveloperAccess for humans from the
// identity account, CurfewCI for the CI principal, CurfewCostReader for the cost report
// and, only in accounts the night shutdown sweeps, CurfewScheduler. Production accounts
// never get a scheduler role.
func NewMemberStack(scope constructs.Construct, id string, props *MemberStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	newMemberRoles(stack, props.Map, props.Account)
	return stack
}

// newMemberRoles adds a target account's roles to stack: a member stack's, and the
// template a StackSet deploys to every account of an organisational unit, where a.ID is
// the stack's AWS::AccountId.
func newMemberRoles(stack awscdk.Stack, m *accounts.Map, a accounts.Account) {
	// With access: identity-center, people come through the environment's DeveloperAccess
	// permission set (curfew-identity-center) instead of this role.
	var dev awsiam.Role
	if !m.UsesIdentityCenter() {
		devPolicies, devFindings := managedPolicies(a.DeveloperPolicies)
		dev = awsiam.NewRole(stack, jsii.String("DeveloperAccess"), &awsiam.RoleProps{
			RoleName:           jsii.String(accounts.DeveloperAccessRole),
			Description:        jsii.String("curfew: humans from the identity account, signed in with MFA"),
			AssumedBy:          identityUser(m, accounts.DeveloperTag),
			MaxSessionDuration: developerSession,
			ManagedPolicies:    &devPolicies,
		})
		suppress(dev, "AwsSolutions-IAM4",
			"The account map chooses the AWS managed policies of DeveloperAccess per account (e.g. ReadOnlyAccess in production).",
			devFindings...)
	}

	ciPolicies, ciFindings := managedPolicies(a.CIPolicies)
	ci := awsiam.NewRole(stack, jsii.String("CI"), &awsiam.RoleProps{
		RoleName:           jsii.String(accounts.CIRole),
		Description:        jsii.String("curfew: the CI principal only, for pipelines and never for humans"),
		AssumedBy:          ciPrincipal(stack, m, a),
		MaxSessionDuration: serviceSession,
		ManagedPolicies:    &ciPolicies,
	})
	suppress(ci, "AwsSolutions-IAM4",
		"The account map chooses the AWS managed policies of the CI role per account.",
		ciFindings...)
	// The target account enforces the CI user's networks itself, whatever the identity
	// account's policies say.
	if c := ciSourceConditions(m.CI); c != nil {
		ci.AssumeRolePolicy().AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("OnlyFromCINetworks"),
			Effect:     awsiam.Effect_DENY,
			Principals: &[]awsiam.IPrincipal{awsiam.NewArnPrincipal(jsii.String(rootARN(m.IdentityAccount())))},
			Actions:    jsii.Strings("sts:AssumeRole"),
			Conditions: &c,
		}))
	}

	newCostReaderRole(stack, m)
	if a.ShutdownEnabled() {
		newSchedulerRole(stack, m, a)
	}
	if hasSnoozeLinkRole(m, a) {
		newSnoozeLinkRole(stack, m, a)
	}
	newGuardrails(stack, m, a, dev, ci)
}

// identityUser is the only principal of DeveloperAccess (tag accounts.DeveloperTag) and
// curfew-operator (accounts.OperatorTag): an IAM user of the identity account (never one
// of its roles, which anyone with IAM rights there could create, and never the CI user)
// tagged as a member of the role's group, signed in with MFA within the working day, whose
// session is named after them so that CloudTrail in every account names the person. A
// trust policy cannot name a group, and without the tag it would accept any user of the
// identity account whose own policies allow sts:AssumeRole; with it, only users an
// administrator of the identity account tagged (iam:TagUser, which no policy of curfew's
// gives a user over themselves). The account root with an aws:PrincipalArn condition
// keeps deploy order free (see trustAccountPrincipals).
func identityUser(m *accounts.Map, tag string) awsiam.IPrincipal {
	identity := m.IdentityAccount()
	conditions := map[string]any{
		"Bool":            map[string]any{"aws:MultiFactorAuthPresent": "true"},
		"NumericLessThan": map[string]any{"aws:MultiFactorAuthAge": mfaMaxAgeSeconds},
		"ArnLike":         map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + identity.ID + ":user/*"},
		"StringEquals": map[string]any{
			// aws:username exists only for IAM users, so a role's session never matches.
			"sts:RoleSessionName":     "${aws:username}",
			"aws:PrincipalTag/" + tag: accounts.MemberTagValue,
		},
	}
	if m.CI.User != "" {
		conditions["ArnNotEquals"] = map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User}
	}
	return awsiam.NewArnPrincipal(jsii.String(rootARN(identity))).WithConditions(&conditions)
}

// ciPrincipal is the CI role's only principal: the CI user of the identity account, or
// the account's OIDC subject and the map's audience through the account's provider for
// the issuer, which curfew creates unless the map says the account has it already.
func ciPrincipal(stack awscdk.Stack, m *accounts.Map, a accounts.Account) awsiam.IPrincipal {
	if m.CI.OIDC == nil {
		return trustAccountPrincipals(m.IdentityAccount(),
			"arn:aws:iam::"+m.IdentityAccount().ID+":user/"+m.CI.User)
	}
	o := m.CI.OIDC
	var provider awsiam.IOidcProvider
	if m.CIProviderExists(a) {
		// IAM allows one provider per issuer in an account, named by the issuer's host and
		// path: the ARN the guardrails protect (guardStatements) is the one trusted here.
		provider = awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("CIProvider"),
			jsii.String(iamARN(a, "oidc-provider/"+oidcHost(o.Issuer))))
	} else {
		created := awsiam.NewOidcProviderNative(stack, jsii.String("CIProvider"), &awsiam.OidcProviderNativeProps{
			Url:       jsii.String(o.Issuer),
			ClientIds: jsii.Strings(o.Audience),
		})
		// Kept when the stack drops it (ciExistingProvider: true, CI back to a user,
		// curfew removed): once the account has a provider for the issuer, other roles
		// may trust it, and CI roles switching to it need it to stay.
		created.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
		provider = created
	}
	// Token claims are keyed by the issuer without its scheme.
	issuer := oidcHost(o.Issuer)
	conditions := map[string]any{"StringEquals": map[string]any{issuer + ":aud": o.Audience}}
	// StringLike only where the subject has a wildcard: under StringEquals a "*" or "?"
	// in a subject is a literal character, never a pattern.
	subject := m.CISubject(a)
	if strings.ContainsAny(subject, "*?") {
		conditions["StringLike"] = map[string]any{issuer + ":sub": subject}
	} else {
		conditions["StringEquals"].(map[string]any)[issuer+":sub"] = subject
	}
	return awsiam.NewOpenIdConnectPrincipal(provider, &conditions)
}

// newSchedulerRole creates CurfewScheduler: describe, stop, start and mark EC2 instances,
// RDS instances and Aurora clusters, and scale and mark Auto Scaling groups, in the
// account's regions, for the shutdown and restart Lambdas' roles with the map's
// ExternalId, and never stop or scale what is tagged curfew:skip=true.
func newSchedulerRole(stack awscdk.Stack, m *accounts.Map, a accounts.Account) {
	var instances, dbs, clusters, groups, keys []string
	// ECS services, their scalable targets and EKS node groups are scoped to the map's
	// regions by aws:RequestedRegion rather than by one ARN a region: the role's inline
	// policy, limited to 10,240 characters, grows by a region name only.
	services := []string{fmt.Sprintf("arn:aws:ecs:*:%s:service/*", a.ID)}
	scalableTargets := []string{fmt.Sprintf("arn:aws:application-autoscaling:*:%s:scalable-target/*", a.ID)}
	nodegroups := []string{fmt.Sprintf("arn:aws:eks:*:%s:cluster/*", a.ID), fmt.Sprintf("arn:aws:eks:*:%s:nodegroup/*", a.ID)}
	inRegions := map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": a.Regions}}
	for _, r := range a.Regions {
		instances = append(instances, fmt.Sprintf("arn:aws:ec2:%s:%s:instance/*", r, a.ID))
		groups = append(groups, fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:*:autoScalingGroupName/*", r, a.ID))
		dbs = append(dbs, fmt.Sprintf("arn:aws:rds:%s:%s:db:*", r, a.ID))
		clusters = append(clusters, fmt.Sprintf("arn:aws:rds:%s:%s:cluster:*", r, a.ID))
		keys = append(keys, fmt.Sprintf("arn:aws:kms:%s:%s:key/*", r, a.ID))
	}
	rdsResources := append(append([]string{}, dbs...), clusters...)
	// The mark the shutdown writes and the restart removes; curfew:skip and
	// curfew:snooze-until are the owners' to set, and only read here.
	ownTags := map[string]any{
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{
			accounts.StoppedAtTag, accounts.StoppedByRunTag,
		}},
		// Without keys, EC2 DeleteTags would delete every tag.
		"Null": map[string]any{"aws:TagKeys": "false"},
	}
	// A group's mark also records the capacity the restart sets back.
	groupTags := map[string]any{
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{
			accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.CapacityTag,
		}},
		"Null": map[string]any{"aws:TagKeys": "false"},
	}
	// The marks of ECS services and EKS node groups also record what the restart sets back.
	serviceTags := map[string]any{
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{
			accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.ECSDesiredTag, accounts.ECSMinCapacityTag,
		}},
		"Null":         map[string]any{"aws:TagKeys": "false"},
		"StringEquals": map[string]any{"aws:RequestedRegion": a.Regions},
	}
	nodegroupTags := map[string]any{
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{
			accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.NodegroupScalingTag,
		}},
		"Null":         map[string]any{"aws:TagKeys": "false"},
		"StringEquals": map[string]any{"aws:RequestedRegion": a.Regions},
	}
	role := awsiam.NewRole(stack, jsii.String("Scheduler"), &awsiam.RoleProps{
		RoleName:           jsii.String(accounts.SchedulerRole),
		Description:        jsii.String("curfew: the night shutdown and morning restart of non-production resources"),
		AssumedBy:          trustCurfewLambdas(m, accounts.ShutdownFunction, accounts.RestartFunction),
		MaxSessionDuration: serviceSession,
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"StopAndStart": inline(
				allow("Describe", []string{
					"autoscaling:DescribeAutoScalingGroups",
					// Scheduled actions that would scale a group up are named in the report.
					"autoscaling:DescribeScheduledActions",
					"ec2:DescribeInstances",
					"rds:DescribeDBClusters",
					"rds:DescribeDBInstances",
					// The restart reads a database's start notifications since curfew's
					// mark, to leave alone what someone started and stopped again.
					"rds:DescribeEvents",
					"rds:ListTagsForResource",
					// ECS services, their scalable targets and EKS clusters are found by listing.
					"application-autoscaling:DescribeScalableTargets",
					"ecs:DescribeTaskDefinition", // a Fargate task's size, for the savings
					"ecs:ListClusters",
					"ecs:ListServices",
					"eks:ListClusters",
				}, []string{"*"}, nil),
				allow("StopAndStartEC2", []string{"ec2:StartInstances", "ec2:StopInstances"}, instances, nil),
				allow("StopAndStartRDSInstances", []string{"rds:StartDBInstance", "rds:StopDBInstance"}, dbs, nil),
				allow("StopAndStartAuroraClusters", []string{"rds:StartDBCluster", "rds:StopDBCluster"}, clusters, nil),
				allow("MarkEC2", []string{"ec2:CreateTags", "ec2:DeleteTags"}, instances, ownTags),
				allow("MarkRDS", []string{"rds:AddTagsToResource", "rds:RemoveTagsFromResource"}, rdsResources, ownTags),
				allow("ScaleAutoScalingGroups", []string{"autoscaling:UpdateAutoScalingGroup"}, groups, nil),
				allow("MarkAutoScalingGroups", []string{"autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"}, groups, groupTags),
				allow("ScaleECSServices", []string{"ecs:DescribeServices", "ecs:UpdateService"}, services, inRegions),
				allow("MarkECSServices", []string{"ecs:TagResource", "ecs:UntagResource"}, services, serviceTags),
				// A service's MinCapacity; Application Auto Scaling also checks that the
				// caller may ecs:DescribeServices and ecs:UpdateService the service.
				allow("ScaleECSScalableTargets", []string{"application-autoscaling:RegisterScalableTarget"}, scalableTargets, inRegions),
				// ListNodegroups acts on a cluster, the others on a node group.
				allow("ScaleNodegroups", []string{"eks:DescribeNodegroup", "eks:ListNodegroups", "eks:UpdateNodegroupConfig"}, nodegroups, inRegions),
				allow("MarkNodegroups", []string{"eks:TagResource", "eks:UntagResource"}, nodegroups[1:], nodegroupTags),
				// Starting an instance whose EBS volumes use a customer managed key makes EC2
				// create a grant on that key in the caller's name.
				allow("GrantKeysToEC2", []string{"kms:CreateGrant"}, keys, map[string]any{
					"Bool": map[string]any{"kms:GrantIsForAWSResource": "true"},
				}),
				// Auto Scaling evaluates aws:ResourceTag on UpdateAutoScalingGroup (Service
				// Authorization Reference: the autoScalingGroup resource type of the action);
				// so do ECS on UpdateService (service), EKS on UpdateNodegroupConfig
				// (nodegroup) and Application Auto Scaling on RegisterScalableTarget (the
				// scalable target's own tags: a service tagged curfew:skip=true is kept by
				// the ecs:UpdateService its registration also requires).
				deny("NeverStopSkipped", []string{
					"application-autoscaling:RegisterScalableTarget", "autoscaling:UpdateAutoScalingGroup", "ec2:StopInstances",
					"ecs:UpdateService", "eks:UpdateNodegroupConfig", "rds:StopDBCluster", "rds:StopDBInstance",
				}, []string{"*"}, map[string]any{
					"StringEqualsIgnoreCase": map[string]any{"aws:ResourceTag/" + accounts.SkipTag: "true"},
				}),
			),
		},
	})
	var findings []any
	findings = append(findings, "Resource::*")
	for _, arns := range [][]string{instances, dbs, clusters, groups, keys, services, scalableTargets, nodegroups} {
		for _, arn := range arns {
			findings = append(findings, "Resource::"+arn)
		}
	}
	suppress(role, "AwsSolutions-IAM5",
		"EC2, RDS, Auto Scaling and Application Auto Scaling Describe calls and ECS and EKS List calls support no resource-level permissions; "+
			"stop, start, scale and tag apply to every instance, DB instance, Aurora cluster, Auto Scaling group, ECS service, scalable target "+
			"and EKS node group of the account's swept regions (by ARN, or for ECS, Application Auto Scaling and EKS by aws:RequestedRegion; which ones is decided at run time, "+
			"and curfew:skip=true is denied explicitly); kms:CreateGrant is limited to grants for AWS resources on keys "+
			"of this account, because the keys of EBS volumes are not known in advance.",
		findings...)
}

// hasSnoozeLinkRole reports whether account a gets CurfewSnoozeLink: when the map turns the
// heads-up on, in every account the night shutdown sweeps, and never in production.
func hasSnoozeLinkRole(m *accounts.Map, a accounts.Account) bool {
	_, on := m.HeadsUpBefore()
	return on && a.ShutdownEnabled()
}

// newSnoozeLinkRole creates CurfewSnoozeLink: for the link function's role only, with the
// map's ExternalId, read EC2 instances, RDS instances and Aurora clusters and write on
// those of the account's swept regions the snooze's two tags (curfew:snooze-until and
// curfew:snoozed-by), and nothing else: no other tag key, no tag deleted, nothing stopped
// or started.
func newSnoozeLinkRole(stack awscdk.Stack, m *accounts.Map, a accounts.Account) {
	var instances, rdsResources []string
	for _, r := range a.Regions {
		instances = append(instances, fmt.Sprintf("arn:aws:ec2:%s:%s:instance/*", r, a.ID))
		rdsResources = append(rdsResources, fmt.Sprintf("arn:aws:rds:%s:%s:db:*", r, a.ID), fmt.Sprintf("arn:aws:rds:%s:%s:cluster:*", r, a.ID))
	}
	snoozeTags := map[string]any{
		"ForAllValues:StringEquals": map[string]any{"aws:TagKeys": []string{accounts.SnoozeUntilTag, accounts.SnoozedByTag}},
		// Without keys, the condition above would hold for any request.
		"Null": map[string]any{"aws:TagKeys": "false"},
	}
	role := awsiam.NewRole(stack, jsii.String("SnoozeLink"), &awsiam.RoleProps{
		RoleName:           jsii.String(accounts.SnoozeLinkRole),
		Description:        jsii.String("curfew: the heads-up's link keeps resources up tonight (the snooze tags only)"),
		AssumedBy:          trustCurfewLambdas(m, accounts.SnoozeLinkFunction),
		MaxSessionDuration: serviceSession,
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"SnoozeTags": inline(
				allow("Describe", []string{
					"ec2:DescribeInstances", "rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:ListTagsForResource",
				}, []string{"*"}, map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": a.Regions}}),
				allow("SnoozeEC2", []string{"ec2:CreateTags"}, instances, snoozeTags),
				allow("SnoozeRDS", []string{"rds:AddTagsToResource"}, rdsResources, snoozeTags),
			),
		},
	})
	findings := []any{"Resource::*"}
	for _, arn := range append(instances, rdsResources...) {
		findings = append(findings, "Resource::"+arn)
	}
	suppress(role, "AwsSolutions-IAM5",
		"EC2 and RDS Describe calls support no resource-level permissions (limited to the account's swept regions by aws:RequestedRegion); "+
			"the snooze's two tags may be written on any instance, DB instance or Aurora cluster of those regions: which ones "+
			"is the link's, signed by the home account and checked by the link function.",
		findings...)
}
