package cdk

import (
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// DevelopersGroup is the group of the identity account's IAM users.
const DevelopersGroup = "developers"

// OperatorsGroup is the group of the identity account's IAM users who may run curfew's
// functions by hand through curfew-operator in the home account.
const OperatorsGroup = "operators"

// Sids of the statements that let the identity account's principals assume roles.
const (
	assumeDeveloperAccessSid = "AssumeDeveloperAccess"
	assumeCIRolesSid         = "AssumeCIRoles"
	assumeCurfewOperatorSid  = "AssumeCurfewOperator"
)

// IdentityStackProps configures the identity account's stack.
type IdentityStackProps struct {
	awscdk.StackProps
	Map *accounts.Map
}

// NewIdentityStack creates the identity account's stack: the developers group, which may
// manage its members' own credentials and assume DeveloperAccess in every target account;
// the operators group, which may assume curfew-operator in the home account;
// the CI user when the CI principal is an IAM user; and CurfewCostReader, since the cost
// report covers the identity account too. With access: identity-center it has no groups
// for people: curfew-identity-center gives them access instead.
func NewIdentityStack(scope constructs.Construct, id string, props *IdentityStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	m := props.Map
	if !m.UsesIdentityCenter() {
		newPeopleGroups(stack, m)
	}
	if m.CI.User != "" {
		newCIUser(stack, m)
	}
	newCostReaderRole(stack, m)
	return stack
}

// newPeopleGroups creates the groups of the IAM-users model: developers, who may manage
// their own credentials and assume DeveloperAccess in every target account, and operators.
// With access: identity-center, Identity Center's groups take their place.
func newPeopleGroups(stack awscdk.Stack, m *accounts.Map) {
	identity := m.IdentityAccount()
	developers := awsiam.NewGroup(stack, jsii.String("Developers"), &awsiam.GroupProps{
		GroupName: jsii.String(DevelopersGroup),
	})
	selfService := awsiam.NewManagedPolicy(stack, jsii.String("SelfService"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("curfew: manage your own password, access keys and MFA device; nothing else until signed in with MFA"),
		Document:    inline(selfServiceStatements(identity)...),
	})
	developers.AddManagedPolicy(selfService)
	suppress(selfService, "AwsSolutions-IAM5",
		"Account-wide reads (account aliases, summary, password policy, the list of virtual MFA devices) have no resource; "+
			"a new virtual MFA device may have any name, so its ARN is only known as mfa/*. "+
			"Everything per user is scoped to ${aws:username}.",
		"Resource::*", "Resource::arn:aws:iam::"+identity.ID+":mfa/*")

	// One statement listing every target's role, packed into as few managed policies as
	// IAM's size limit allows (about 125 accounts each), rather than a policy per account:
	// a group takes at most 10.
	for _, p := range newAssumePolicies(stack, "AssumeDeveloperAccess", "curfew: switch to DeveloperAccess in the target accounts",
		assumeDeveloperAccessSid, roleARNs(accounts.DeveloperAccessRole, m.Targets())) {
		developers.AddManagedPolicy(p)
	}
	allowUnits(stack, m, developers, "AssumeDeveloperAccessInUnits", accounts.DeveloperAccessRole)

	grantAccountListRead(stack, developers, m)
	newOperatorsGroup(stack, m, selfService)
}

// newOperatorsGroup creates the operators group: it may assume curfew-operator in the home
// account and nothing else. It carries the self-service policy itself rather than
// relying on its members being developers too: an operator (on call, say) need not have
// DeveloperAccess anywhere, and must still enrol an MFA device and be denied everything
// without MFA. A user in both groups gets the same policy twice, which IAM evaluates once.
func newOperatorsGroup(stack awscdk.Stack, m *accounts.Map, selfService awsiam.IManagedPolicy) {
	operators := awsiam.NewGroup(stack, jsii.String("Operators"), &awsiam.GroupProps{
		GroupName: jsii.String(OperatorsGroup),
	})
	operators.AddManagedPolicy(selfService)
	operators.AddManagedPolicy(awsiam.NewManagedPolicy(stack, jsii.String("AssumeCurfewOperator"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("curfew: switch to curfew-operator in the home account, to run curfew's functions by hand"),
		Document: inline(allow(assumeCurfewOperatorSid, []string{assumeAction},
			[]string{m.HomeAccount().RoleARN(accounts.OperatorRole)}, nil)),
	}))
}

// RecentMFA is how long after typing an MFA code a user may still give themselves new
// credentials (NoNewCredentialsWithoutRecentMFA).
const RecentMFA = 15 * time.Minute

// selfServiceStatements let a user manage only their own credentials and MFA device, and
// deny everything else until the user has signed in with MFA (AWS's "manage own
// credentials with MFA" policy, bound to the identity account).
func selfServiceStatements(identity accounts.Account) []awsiam.PolicyStatement {
	self := "arn:aws:iam::" + identity.ID + ":user/${aws:username}"
	return []awsiam.PolicyStatement{
		allow("ViewAccountInfo", []string{
			"iam:GetAccountPasswordPolicy",
			"iam:GetAccountSummary",
			"iam:ListAccountAliases",
			"iam:ListVirtualMFADevices",
		}, []string{"*"}, nil),
		allow("ManageOwnPassword", []string{
			"iam:ChangePassword",
			"iam:GetLoginProfile",
			"iam:GetUser",
		}, []string{self}, nil),
		allow("ManageOwnAccessKeys", []string{
			"iam:CreateAccessKey",
			"iam:DeleteAccessKey",
			"iam:GetAccessKeyLastUsed",
			"iam:ListAccessKeys",
			"iam:UpdateAccessKey",
		}, []string{self}, nil),
		allow("CreateOwnVirtualMFADevice", []string{
			"iam:CreateVirtualMFADevice",
		}, []string{"arn:aws:iam::" + identity.ID + ":mfa/*"}, nil),
		allow("ManageOwnMFA", []string{
			"iam:DeactivateMFADevice",
			"iam:EnableMFADevice",
			"iam:GetMFADevice",
			"iam:ListMFADevices",
			"iam:ResyncMFADevice",
		}, []string{self}, nil),
		// An MFA session lasts all day (curfew credentials caches one for
		// accounts.MFASessionMax). Whoever copies it must not make it last longer: what
		// would keep them in (a new access key, MFA device or password) needs a code typed
		// within RecentMFA, as a fresh console sign-in has. Without MFA the key is absent
		// and the statements below decide.
		deny("NoNewCredentialsWithoutRecentMFA", []string{
			"iam:ChangePassword",
			"iam:CreateAccessKey",
			"iam:CreateVirtualMFADevice",
			"iam:DeactivateMFADevice",
			"iam:EnableMFADevice",
			"iam:ResyncMFADevice",
			"iam:UpdateAccessKey",
		}, []string{"*"}, map[string]any{
			// A string, as IAM's policy grammar and AWS's examples write condition values;
			// moto's validation refuses a bare number in a group's policy.
			"NumericGreaterThan": map[string]any{"aws:MultiFactorAuthAge": strconv.Itoa(int(RecentMFA.Seconds()))}}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:    jsii.String("DenyAllExceptMFASetupWithoutMFA"),
			Effect: awsiam.Effect_DENY,
			// A first sign-in must be able to change the initial password and set up MFA.
			NotActions: jsii.Strings(
				"iam:ChangePassword",
				"iam:CreateVirtualMFADevice",
				"iam:EnableMFADevice",
				"iam:GetAccountPasswordPolicy",
				"iam:GetMFADevice",
				"iam:GetUser",
				"iam:ListMFADevices",
				"iam:ListVirtualMFADevices",
				"iam:ResyncMFADevice",
				"sts:GetSessionToken",
			),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"BoolIfExists": map[string]any{"aws:MultiFactorAuthPresent": "false"}},
		}),
		// The exemptions above exist for the console's first sign-in, where
		// aws:MultiFactorAuthPresent is present and false. Requests signed with long-term
		// access keys carry no such key at all (Null), so BoolIfExists lets them through
		// too: leaked keys could enrol the attacker's own MFA device (a user may have
		// several), pass every MFA check with it, resync or change the password, and
		// list every user's name through ListVirtualMFADevices. With keys and no MFA, a
		// user may only read their own name and devices, which CLI tools do to find the
		// MFA serial, and call GetSessionToken with the MFA code (IAM applies no policy to
		// it; it is listed to say so); AssumeRole with an MFA code carries the key (true)
		// and is not affected.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:    jsii.String("DenyAllButMFASignInWithAccessKeysWithoutMFA"),
			Effect: awsiam.Effect_DENY,
			NotActions: jsii.Strings(
				"iam:GetMFADevice",
				"iam:GetUser",
				"iam:ListMFADevices",
				"sts:GetSessionToken",
			),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"Null": map[string]any{"aws:MultiFactorAuthPresent": "true"}},
		}),
	}
}

// newCIUser creates the CI principal: an IAM user without a console password, in a group
// of its own that may only assume the CI role of each target account. Its access keys
// are created by the operator, never by a template.
func newCIUser(stack awscdk.Stack, m *accounts.Map) {
	group := awsiam.NewGroup(stack, jsii.String("CI"), nil)
	for _, p := range newAssumePolicies(stack, "AssumeCIRoles", "curfew: the CI user may only assume CurfewCI in the target accounts",
		assumeCIRolesSid, roleARNs(accounts.CIRole, m.Targets()), ciFirst(m)...) {
		group.AddManagedPolicy(p)
	}
	allowUnits(stack, m, group, "AssumeCIRolesInUnits", accounts.CIRole)
	awsiam.NewUser(stack, jsii.String("CIUser"), &awsiam.UserProps{
		UserName: jsii.String(m.CI.User),
		Groups:   &[]awsiam.IGroup{group},
	})
}

// ciFirst are the statements of the CI user's first policy besides its roles: a Deny of
// every request from outside the map's CI networks, when it names any.
func ciFirst(m *accounts.Map) []awsiam.PolicyStatement {
	c := ciSourceConditions(m.CI)
	if c == nil {
		return nil
	}
	return []awsiam.PolicyStatement{deny("OnlyFromCINetworks", []string{"*"}, []string{"*"}, c)}
}

// ciSourceConditions are the conditions under which a request signed with the CI user's
// static key comes from outside the map's CI networks (ci.sourceIps, ci.sourceVpcs), or
// nil when the map restricts none (it then says acceptStaticKeys). A Deny with them keeps a
// leaked key useless elsewhere. Both negated operators must hold to deny, so a request
// from either a listed range or a listed VPC passes; a request through a VPC endpoint has
// no aws:SourceIp, and one over the internet no aws:SourceVpc, and a missing key counts as
// "not listed" under both operators (IfExists for the VPC), which is the safe side.
func ciSourceConditions(c accounts.CI) map[string]any {
	if c.User == "" || len(c.SourceIPs) == 0 && len(c.SourceVPCs) == 0 {
		return nil
	}
	conditions := map[string]any{}
	if len(c.SourceIPs) > 0 {
		conditions["NotIpAddress"] = map[string]any{"aws:SourceIp": oneOrMany(c.SourceIPs)}
	}
	if len(c.SourceVPCs) > 0 {
		conditions["StringNotEqualsIfExists"] = map[string]any{"aws:SourceVpc": oneOrMany(c.SourceVPCs)}
	}
	return conditions
}

// newCostReaderRole creates CurfewCostReader: Cost Explorer reads only, for the cost-report
// Lambda's role with the map's ExternalId.
func newCostReaderRole(scope constructs.Construct, m *accounts.Map) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String("CostReader"), &awsiam.RoleProps{
		RoleName:           jsii.String(accounts.CostReaderRole),
		Description:        jsii.String("curfew: Cost Explorer reads for the cost report"),
		AssumedBy:          trustCurfewLambdas(m, accounts.CostReportFunction),
		MaxSessionDuration: serviceSession,
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"ReadCosts": inline(allow("ReadCosts",
				[]string{"ce:GetCostAndUsage", "ce:GetCostForecast", "ce:GetReservationCoverage", "ce:GetSavingsPlansCoverage"}, []string{"*"}, nil)),
		},
	})
	suppress(role, "AwsSolutions-IAM5",
		"Cost Explorer's GetCostAndUsage, GetCostForecast, GetSavingsPlansCoverage and GetReservationCoverage support no resource-level permissions.",
		"Resource::*")
	return role
}
