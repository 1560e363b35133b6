package cdk_test

// This file is the one place that says which resources of curfew's templates have fixed
// physical names and which of their properties CloudFormation cannot change in place.
// The upgrade test (upgrade_test.go) reads it; TestReplacementRulesMatchTheRegistry checks
// it against the resource schemas that cfn-lint bundles.

// replacementRule is what the CloudFormation resource reference says of one resource type.
type replacementRule struct {
	// names are the properties that name the resource. With one set, the resource has a
	// fixed physical name, and CloudFormation cannot replace it: a replacement creates the
	// new resource before deleting the old one, and the name is still taken ("already
	// exists").
	names []string
	// replacement are the properties marked "Update requires: Replacement".
	replacement []string
	// scope is where the name must be unique.
	scope nameScope
	// source is the type's page of the resource reference.
	source string
}

// nameScope is where a physical name must be unique.
type nameScope int

const (
	// accountScope: IAM names are unique in an account, across its regions.
	accountScope nameScope = iota
	// regionScope: unique in an account and region.
	regionScope
	// principalScope: an inline policy's name is unique in the role, user or group it is
	// embedded in; curfew embeds policies in principals of their own stack.
	principalScope
)

// reference is the CloudFormation resource reference, one page per type.
const reference = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"

// replacementRules has an entry for every resource type that appears in curfew's
// templates with a fixed name. The upgrade test fails on a named resource of a type
// missing here, asking for its entry.
var replacementRules = map[string]replacementRule{
	"AWS::IAM::Role": {
		names: []string{"RoleName"}, replacement: []string{"Path", "RoleName"},
		scope: accountScope, source: reference + "aws-resource-iam-role.html",
	},
	"AWS::IAM::ManagedPolicy": {
		// A managed policy's description cannot change either.
		names: []string{"ManagedPolicyName"}, replacement: []string{"Description", "ManagedPolicyName", "Path"},
		scope: accountScope, source: reference + "aws-resource-iam-managedpolicy.html",
	},
	"AWS::IAM::Group": {
		names: []string{"GroupName"}, replacement: []string{"GroupName"},
		scope: accountScope, source: reference + "aws-resource-iam-group.html",
	},
	"AWS::IAM::User": {
		names: []string{"UserName"}, replacement: []string{"UserName"},
		scope: accountScope, source: reference + "aws-resource-iam-user.html",
	},
	"AWS::IAM::OIDCProvider": {
		// IAM names a provider after its URL's host and path (its ARN), one per account.
		names: []string{"Url"}, replacement: []string{"Url"},
		scope: accountScope, source: reference + "aws-resource-iam-oidcprovider.html",
	},
	"AWS::IAM::Policy": {
		// Nothing requires replacement, but two resources with one PolicyName on one role
		// overwrite each other, and deleting the old one deletes the new document.
		names: []string{"PolicyName"}, replacement: nil,
		scope: principalScope, source: reference + "aws-resource-iam-policy.html",
	},
	"AWS::Lambda::Function": {
		names: []string{"FunctionName"}, replacement: []string{"FunctionName", "PackageType", "TenancyConfig"},
		scope: regionScope, source: reference + "aws-resource-lambda-function.html",
	},
	"AWS::Logs::LogGroup": {
		names: []string{"LogGroupName"}, replacement: []string{"LogGroupName"},
		scope: regionScope, source: reference + "aws-resource-logs-loggroup.html",
	},
	"AWS::KMS::Alias": {
		names: []string{"AliasName"}, replacement: []string{"AliasName"},
		scope: regionScope, source: reference + "aws-resource-kms-alias.html",
	},
	"AWS::Scheduler::ScheduleGroup": {
		names: []string{"Name"}, replacement: []string{"Name"},
		scope: regionScope, source: reference + "aws-resource-scheduler-schedulegroup.html",
	},
}
