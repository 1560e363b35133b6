package cdk

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// Fixed names of the policies curfew creates in every target account: the guardrails
// deny changes to them by name, and operators name the execution policy in `cdk bootstrap`.
const (
	// GuardrailsPolicy is attached to DeveloperAccess and CurfewCI (with access:
	// identity-center, the DeveloperAccess permission sets reference it by name instead):
	// explicit Denies that no managed policy of the account map can outweigh.
	GuardrailsPolicy = "CurfewGuardrails"
	// CDKExecutionPolicy is AdministratorAccess minus the guardrails, for the permissions
	// boundary of the CDK bootstrap's CloudFormation execution role (see the README).
	CDKExecutionPolicy = "CurfewCDKExecution"
)

// CDK bootstrap qualifiers.
const (
	// CDKQualifier is CDK's default qualifier: the bootstrap that applications deploy through.
	CDKQualifier = "hnb659fds"
	// CurfewQualifier is the qualifier of a second bootstrap reserved for curfew's own
	// stacks, whose roles DeveloperAccess and CurfewCI may not assume.
	CurfewQualifier = "curfew"
	// CurfewToolkitStack is the stack of that second bootstrap.
	CurfewToolkitStack = "CurfewToolkit"
)

// The CDK bootstrap roles CurfewCI may assume with ciCdkDeploy: everything `cdk deploy`
// needs, and not the CloudFormation execution role, which only CloudFormation assumes.
var cdkDeployRoles = []string{"deploy", "file-publishing", "image-publishing", "lookup"}

// newGuardrails protects curfew in a target account from the principals curfew lets in:
// it attaches CurfewGuardrails to DeveloperAccess and CurfewCI, creates CurfewCDKExecution,
// limits CurfewScheduler's KMS grants to what EBS needs, and, with ciCdkDeploy, lets
// CurfewCI assume the CDK bootstrap roles.
func newGuardrails(stack awscdk.Stack, m *accounts.Map, a accounts.Account, dev, ci awsiam.Role) {
	guards := guardStatements(m, a)
	awsiam.NewManagedPolicy(stack, jsii.String("Guardrails"), &awsiam.ManagedPolicyProps{
		ManagedPolicyName: jsii.String(GuardrailsPolicy),
		Description:       jsii.String("curfew: what no developer or pipeline may do in this account, whatever the account map's policies allow"),
		Statements:        &guards,
		Roles:             developerRoles(dev, ci),
	})

	boundary := append([]awsiam.PolicyStatement{
		allow("EverythingElse", []string{"*"}, []string{"*"}, nil),
		// Roles that a CDK application creates carry this boundary too, so that no role
		// CloudFormation creates escapes the guardrails.
		deny("RolesItCreatesAreBounded", []string{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, []string{"*"}, map[string]any{
			"StringNotEquals": map[string]any{"iam:PermissionsBoundary": iamARN(a, "policy/"+CDKExecutionPolicy)},
		}),
		deny("BoundariesStay", []string{"iam:DeleteRolePermissionsBoundary"}, []string{"*"}, nil),
	}, guards...)
	execution := awsiam.NewManagedPolicy(stack, jsii.String("CDKExecution"), &awsiam.ManagedPolicyProps{
		ManagedPolicyName: jsii.String(CDKExecutionPolicy),
		Description:       jsii.String("curfew: permissions boundary for the CDK bootstrap's CloudFormation execution role (AdministratorAccess minus curfew's guardrails)"),
		Statements:        &boundary,
	})
	suppress(execution, "AwsSolutions-IAM5",
		"A permissions boundary for CloudFormation's execution role, which is AdministratorAccess by default: "+
			"the boundary allows what that role allows and takes away, by explicit Deny, curfew's guardrails.")
	const boundaryReason = "A permissions boundary for CloudFormation's execution role (AdministratorAccess by default), attached to no principal by curfew: it allows everything and takes curfew's guardrails away by explicit Deny."
	skipLint(execution,
		lintSkip{"CKV_AWS_107", boundaryReason}, lintSkip{"CKV_AWS_108", boundaryReason},
		lintSkip{"CKV_AWS_109", boundaryReason}, lintSkip{"CKV_AWS_110", boundaryReason},
		lintSkip{"CKV_AWS_111", boundaryReason})

	if scheduler, ok := stack.Node().TryFindChild(jsii.String("Scheduler")).(awsiam.Role); ok {
		limitKeyGrants(scheduler, a)
	}
	if a.CICDKDeploy {
		var roles []string
		for _, r := range regionsOf(m, a) {
			for _, role := range cdkDeployRoles {
				roles = append(roles, iamARN(a, fmt.Sprintf("role/cdk-%s-%s-role-%s-%s", CDKQualifier, role, a.ID, r)))
			}
		}
		awsiam.NewPolicy(stack, jsii.String("CICDKDeploy"), &awsiam.PolicyProps{
			Statements: &[]awsiam.PolicyStatement{allow("AssumeCDKBootstrapRoles", []string{"sts:AssumeRole"}, roles, nil)},
			Roles:      &[]awsiam.IRole{ci},
		})
	}
}

// guardStatements are the Denies of CurfewGuardrails: curfew's roles, policies and OIDC
// provider stay as curfew deployed them; no IAM user or long-term key is created; the CDK
// paths that would act with more rights than the caller (the CloudFormation execution role,
// curfew's own bootstrap, curfew's stacks) are closed, and so are StackSets, which act in
// other accounts. In the home account they also keep curfew's service as deployed.
func guardStatements(m *accounts.Map, a accounts.Account) []awsiam.PolicyStatement {
	iamResources := []string{
		iamARN(a, "role/"+accounts.DeveloperAccessRole),
		iamARN(a, "role/"+accounts.CIRole),
		iamARN(a, "role/"+accounts.SchedulerRole),
		iamARN(a, "role/"+accounts.CostReaderRole),
		// Every CDK bootstrap role: changing one changes what `cdk deploy` may do.
		iamARN(a, "role/cdk-*"),
		iamARN(a, "policy/"+GuardrailsPolicy),
		iamARN(a, "policy/"+CDKExecutionPolicy),
	}
	if hasSnoozeLinkRole(m, a) {
		iamResources = append(iamResources, iamARN(a, "role/"+accounts.SnoozeLinkRole))
	}
	if m.CI.OIDC != nil {
		iamResources = append(iamResources, iamARN(a, "oidc-provider/"+oidcHost(m.CI.OIDC.Issuer)))
	}
	if m.Organization != nil {
		// In the management account or the delegated administrator, which may be a target
		// or an account of a unit: changed, the reader could do more in Organizations than
		// list the map's units, for whoever its trust then names.
		iamResources = append(iamResources, iamARN(a, "role/"+accounts.OrganizationReaderRole))
	}
	home := a.Name == m.Home
	if home {
		// The functions' execution roles (named after them) and the stack's generated
		// role names (curfew-service-...), e.g. Scheduler's invocation role.
		iamResources = append(iamResources, iamARN(a, "role/curfew-*"))
	}
	statements := []awsiam.PolicyStatement{
		deny("KeepCurfewIAM", []string{
			"iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:PassRole",
			"iam:Put*", "iam:Remove*", "iam:Set*", "iam:Tag*", "iam:Untag*", "iam:Update*",
		}, iamResources, nil),
		deny("NoIAMUsersOrKeys", []string{
			"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateServiceSpecificCredential",
			"iam:CreateUser", "iam:UpdateAccessKey", "iam:UpdateLoginProfile",
		}, []string{"*"}, nil),
		deny("NoCDKExecutionRoleNorCurfewBootstrap", []string{"sts:AssumeRole"}, []string{
			iamARN(a, "role/cdk-*-cfn-exec-role-*"),
			iamARN(a, "role/cdk-"+CurfewQualifier+"-*"),
		}, nil),
		// curfew's stacks deploy through curfew's own bootstrap: `cdk deploy` uploads no
		// asset or template whose key its bucket holds already, so an object put there
		// under the key of the next deploy's would be what the operator deploys.
		deny("KeepCurfewBootstrapBucket", bucketWrites, []string{assetsBucketARN(CurfewQualifier, a.ID, "*")}, nil),
		deny("KeepCurfewStacks", []string{
			"cloudformation:CancelUpdateStack", "cloudformation:ContinueUpdateRollback", "cloudformation:Create*",
			"cloudformation:Delete*", "cloudformation:Execute*", "cloudformation:RollbackStack",
			"cloudformation:Set*", "cloudformation:SignalResource", "cloudformation:TagResource",
			"cloudformation:UntagResource", "cloudformation:Update*",
		}, []string{
			fmt.Sprintf("arn:aws:cloudformation:*:%s:stack/curfew-*/*", a.ID),
			// An account found in a unit has its roles from curfew-organization's StackSet,
			// in a stack CloudFormation names StackSet-<StackSet>-<id>.
			fmt.Sprintf("arn:aws:cloudformation:*:%s:stack/StackSet-curfew-*/*", a.ID),
			fmt.Sprintf("arn:aws:cloudformation:*:%s:stack/CDKToolkit/*", a.ID),
			fmt.Sprintf("arn:aws:cloudformation:*:%s:stack/%s/*", a.ID, CurfewToolkitStack),
		}, nil),
		// A service-managed StackSet made in the management account, or in a delegated
		// administrator (which an account of any unit may become), reaches every account of
		// the organisation, production included, through StackSets' own role: none is made,
		// changed or emptied here but by the operator. CreateStackSet and the trusted-access
		// calls have no resource, and every other action here is StackSets' only.
		deny("NoStackSets", []string{
			"cloudformation:ActivateOrganizationsAccess", "cloudformation:CreateStackInstances", "cloudformation:CreateStackSet",
			"cloudformation:DeactivateOrganizationsAccess", "cloudformation:DeleteStackInstances", "cloudformation:DeleteStackSet",
			"cloudformation:ImportStacksToStackSet", "cloudformation:StopStackSetOperation", "cloudformation:UpdateStackInstances",
			"cloudformation:UpdateStackSet",
		}, []string{"*"}, nil),
	}
	if home {
		statements = append(statements, serviceGuards(m, a)...)
	}
	return statements
}

// serviceGuards keep curfew's service in the home account as curfew-service deployed it:
// its functions (whose roles act in every swept account), bucket of run history and
// reports, /curfew/ parameters, schedules, topic, dead-letter queue, keys and logs, and
// the CDK bootstrap's bucket its code is deployed from. Invoking the functions and reading
// their logs stay allowed: `curfew stop` and `curfew start` do it.
func serviceGuards(m *accounts.Map, a accounts.Account) []awsiam.PolicyStatement {
	r := m.HomeRegion
	in := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, r, a.ID, resource)
	}
	return []awsiam.PolicyStatement{
		deny("KeepCurfewFunctions", []string{
			"lambda:Add*", "lambda:Create*", "lambda:Delete*", "lambda:Publish*", "lambda:Put*",
			"lambda:Remove*", "lambda:Tag*", "lambda:Untag*", "lambda:Update*",
		}, []string{in("lambda", "function:curfew-*")}, nil),
		// The published list of accounts too: it reaches every developer's ~/.aws/config.
		deny("KeepCurfewBucket", bucketWrites, []string{"arn:aws:s3:::" + generatedNamePrefix + "*", "arn:aws:s3:::" + accountlist.BucketPrefix + "*"}, nil),
		// curfew-service's code and template wait in the home region's bootstrap bucket
		// between `cdk deploy`'s upload and CloudFormation's read. The default bootstrap's
		// file-publishing role still writes there: curfew-service deploys through curfew's
		// own bootstrap (KeepCurfewBootstrapBucket) where developers or CI may write.
		deny("KeepCDKAssets", bucketWrites, []string{assetsBucketARN(CDKQualifier, a.ID, r), assetsBucketARN(CDKQualifier, a.ID, r) + "/*"}, nil),
		deny("KeepCurfewParameters", []string{
			"ssm:AddTagsToResource", "ssm:Delete*", "ssm:Label*", "ssm:Put*", "ssm:RemoveTagsFromResource", "ssm:Unlabel*",
		}, []string{in("ssm", "parameter"+parameterPrefix+"*")}, nil),
		deny("KeepCurfewSchedules", []string{
			"scheduler:Create*", "scheduler:Delete*", "scheduler:Tag*", "scheduler:Untag*", "scheduler:Update*",
		}, []string{in("scheduler", "schedule/"+ScheduleGroup+"/*"), in("scheduler", "schedule-group/"+ScheduleGroup)}, nil),
		deny("KeepCurfewTopic", []string{
			"sns:Add*", "sns:ConfirmSubscription", "sns:Delete*", "sns:Publish", "sns:Put*", "sns:Remove*",
			"sns:Set*", "sns:Subscribe", "sns:Tag*", "sns:Untag*",
		}, []string{in("sns", generatedNamePrefix+"*")}, nil),
		deny("KeepCurfewQueue", []string{
			"sqs:Add*", "sqs:ChangeMessageVisibility*", "sqs:Delete*", "sqs:Purge*", "sqs:Receive*",
			"sqs:Remove*", "sqs:Send*", "sqs:Set*", "sqs:StartMessageMoveTask", "sqs:Tag*", "sqs:Untag*",
		}, []string{in("sqs", generatedNamePrefix+"*")}, nil),
		deny("KeepCurfewKeys", []string{
			"kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Disable*", "kms:Enable*", "kms:Put*",
			"kms:Retire*", "kms:Revoke*", "kms:ScheduleKeyDeletion", "kms:Tag*", "kms:Untag*", "kms:Update*",
		}, []string{in("kms", "key/*")}, map[string]any{
			"ForAnyValue:StringLike": map[string]any{"kms:ResourceAliases": keyAliasPrefix + "*"},
		}),
		deny("KeepCurfewKeyAliases", []string{"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"},
			[]string{in("kms", keyAliasPrefix+"*")}, nil),
		// The groups and their streams (log-group:<name>:log-stream:<stream>): no event
		// written, transformed, masked or deleted but by the functions themselves.
		deny("KeepCurfewLogs", []string{
			"logs:Associate*", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:Delete*", "logs:Disassociate*",
			"logs:Put*", "logs:Tag*", "logs:Untag*",
		}, []string{in("logs", "log-group:/aws/lambda/curfew-*")}, nil),
	}
}

// limitKeyGrants narrows CurfewScheduler's kms:CreateGrant to the grant EC2 creates when
// it starts an instance with volumes under a customer managed key: through EC2 in the
// account's regions, for Decrypt only, constrained to an EBS volume's encryption context
// (aws:ebs:id). Denies, so that the limits hold whatever allows the role has.
func limitKeyGrants(role awsiam.Role, a accounts.Account) {
	var ec2 []string
	for _, r := range a.Regions {
		ec2 = append(ec2, "ec2."+r+".amazonaws.com")
	}
	grants := []string{"kms:CreateGrant"}
	for _, s := range []awsiam.PolicyStatement{
		deny("GrantsOnlyThroughEC2", grants, []string{"*"}, map[string]any{
			"StringNotEquals": map[string]any{"kms:ViaService": oneOrMany(ec2)},
		}),
		deny("GrantsOnlyForDecrypt", grants, []string{"*"}, map[string]any{
			"ForAnyValue:StringNotEquals": map[string]any{"kms:GrantOperations": "Decrypt"},
		}),
		// A grant without constraints has no context keys and passes this statement: EBS
		// constrains its grants to the volume, but that is EBS's promise, not a condition
		// curfew can demand without risking the morning start of encrypted instances.
		deny("GrantsOnlyForEBSVolumes", grants, []string{"*"}, map[string]any{
			"ForAnyValue:StringNotEquals": map[string]any{"kms:EncryptionContextKeys": "aws:ebs:id"},
		}),
	} {
		role.AddToPrincipalPolicy(s)
	}
}

// Names of the service stack's resources that the guardrails of the home account match:
// CloudFormation names the bucket, topic, queue and generated roles
// "<stack>-<logical id>-<suffix>", so they all start with the stack's name.
const (
	// ServiceStackName is the home account's stack.
	ServiceStackName    = "curfew-service"
	generatedNamePrefix = ServiceStackName + "-"
	parameterPrefix     = "/curfew/"
	keyAliasPrefix      = "alias/curfew/"
)

// bucketWrites are the S3 actions that change a bucket or its objects.
var bucketWrites = []string{"s3:Create*", "s3:Delete*", "s3:Put*", "s3:Replicate*", "s3:RestoreObject", "s3:Update*"}

// assetsBucketARN is the ARN of a CDK bootstrap's bucket of file assets, which CDK names
// cdk-<qualifier>-assets-<account>-<region>.
func assetsBucketARN(qualifier, account, region string) string {
	return fmt.Sprintf("arn:aws:s3:::cdk-%s-assets-%s-%s", qualifier, account, region)
}

// iamARN is the ARN of an IAM resource of account a.
func iamARN(a accounts.Account, resource string) string {
	return "arn:aws:iam::" + a.ID + ":" + resource
}

// oidcHost is the issuer as the provider's ARN names it: without scheme or trailing slash.
func oidcHost(issuer string) string {
	return strings.TrimSuffix(strings.TrimPrefix(issuer, "https://"), "/")
}

// regionsOf are the regions an account is bootstrapped in: its own, or the home region
// for an account that lists none.
func regionsOf(m *accounts.Map, a accounts.Account) []string {
	if len(a.Regions) == 0 {
		return []string{m.HomeRegion}
	}
	return a.Regions
}
