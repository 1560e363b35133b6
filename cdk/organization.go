package cdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// OrganizationStackName is the stack deployed once in the organisation's management
// account (or StackSets' delegated administrator) when the map has an organization.
const OrganizationStackName = "curfew-organization"

// stackSetsDir is the folder of the cloud assembly's output directory where each unit's
// member template is synthesised before it is inlined into its StackSet.
const stackSetsDir = "curfew-stacksets"

// StackSet settings of curfew-organization.
const (
	// stackSetCapabilities: the roles have fixed names, which other accounts build.
	stackSetCapabilities = "CAPABILITY_NAMED_IAM"
	// A failure in one account (a role of that name made by hand, an SCP) must not stop
	// the others: every account is attempted, at once, and a failed instance stays
	// visible in the StackSet (and as a failed account in every run until fixed).
	stackSetFailureTolerance = 100
	stackSetMaxConcurrent    = 100
)

// OrganizationStackProps configures curfew-organization.
type OrganizationStackProps struct {
	awscdk.StackProps
	Map *accounts.Map
	// Outdir is where the units' member templates are synthesised (see memberTemplate).
	Outdir string
}

// NewOrganizationStack creates curfew-organization: CurfewOrganizationReader, through
// which the functions list each unit's accounts; CurfewCostReader when the map does not
// list the management account (so has no member stack there); and, per organisational
// unit, a service-managed StackSet with automatic deployment that gives every account
// of the unit the roles a listed account's member stack gives it (newMemberRoles):
// an account created in, or moved into, the unit gets them with nobody running cdk, and
// loses them when it leaves.
func NewOrganizationStack(scope constructs.Construct, id string, props *OrganizationStackProps) (awscdk.Stack, error) {
	m := props.Map
	context, _ := scope.Node().GetAllContext(nil).(map[string]any)
	bodies := make([]string, len(m.Organization.OUs))
	for i, u := range m.Organization.OUs {
		body, err := memberTemplate(filepath.Join(props.Outdir, u.ID), context, m, u)
		if err != nil {
			return nil, err
		}
		bodies[i] = body
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	newOrganizationReaderRole(stack, m)
	if !listsAccount(m, m.ManagementAccountID()) {
		newCostReaderRole(stack, m)
	}
	callAs := "SELF"
	if m.Organization.DelegatedAdministrator {
		callAs = "DELEGATED_ADMIN"
	}
	for i, u := range m.Organization.OUs {
		awscdk.NewCfnStackSet(stack, jsii.String("Members-"+u.ID), &awscdk.CfnStackSetProps{
			StackSetName:    jsii.String(StackSetName(u)),
			Description:     jsii.String(fmt.Sprintf("curfew: access roles in every account of unit %s (%s)", u.ID, u.Environment)),
			PermissionModel: jsii.String("SERVICE_MANAGED"),
			CallAs:          jsii.String(callAs),
			AutoDeployment: &awscdk.CfnStackSet_AutoDeploymentProperty{
				Enabled: jsii.Bool(true),
				// An account moved out of the unit keeps no role that trusts curfew.
				RetainStacksOnAccountRemoval: jsii.Bool(false),
			},
			Capabilities: jsii.Strings(stackSetCapabilities),
			// Operations on a StackSet queue rather than fail while another runs. Written as
			// the template's own JSON: CDK renders CfnStackSet_ManagedExecutionProperty's
			// field as "active", which CloudFormation refuses.
			ManagedExecution: map[string]any{"Active": true},
			OperationPreferences: &awscdk.CfnStackSet_OperationPreferencesProperty{
				FailureTolerancePercentage: jsii.Number(stackSetFailureTolerance),
				MaxConcurrentPercentage:    jsii.Number(stackSetMaxConcurrent),
				ConcurrencyMode:            jsii.String("SOFT_FAILURE_TOLERANCE"),
			},
			StackInstancesGroup: &[]*awscdk.CfnStackSet_StackInstancesProperty{{
				DeploymentTargets: &awscdk.CfnStackSet_DeploymentTargetsProperty{OrganizationalUnitIds: jsii.Strings(u.ID)},
				// The members' resources are IAM roles and policies, which are global: each
				// account gets one stack instance, in the home region.
				Regions: jsii.Strings(m.HomeRegion),
			}},
			TemplateBody: jsii.String(bodies[i]),
		})
	}
	return stack, nil
}

// StackSetName is the StackSet of a unit; CloudFormation names each account's stack
// StackSet-<name>-<id>.
func StackSetName(u accounts.OU) string {
	return "curfew-" + u.ID
}

// NewStackSetMember adds to scope the stack a unit's StackSet deploys to each of its
// accounts: the roles of a member stack (newMemberRoles) for an account of the unit whose
// id is the stack's AWS::AccountId. It needs no bootstrap: the StackSet carries the
// template, and it has no assets.
func NewStackSetMember(scope constructs.Construct, id string, m *accounts.Map, u accounts.OU) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		Description:        jsii.String("curfew: access roles in an account of unit " + u.ID),
		Synthesizer:        awscdk.NewBootstraplessSynthesizer(nil),
		AnalyticsReporting: jsii.Bool(false),
	})
	a := u.Account(*stack.Account())
	newMemberRoles(stack, m, a)
	// The account's id is known only in the account: the scheduler's resources name it by
	// the pseudo parameter, which cdk-nag shows as <AWS::AccountId>.
	if scheduler, ok := stack.Node().TryFindChild(jsii.String("Scheduler")).(awsiam.Role); ok {
		suppress(scheduler, "AwsSolutions-IAM5",
			"As in a member stack: stop, start, scale and tag apply to every instance, DB instance, Aurora cluster and Auto Scaling group "+
				"of the account's swept regions, ECS services, scalable targets and EKS node groups of those regions (by aws:RequestedRegion), "+
				"and kms:CreateGrant to grants for AWS resources on keys of this account.",
			cdknagRegex("/^Resource::arn:aws:(ec2|rds|autoscaling|kms):[a-z0-9-]+:<AWS::AccountId>:.*$/"),
			cdknagRegex("/^Resource::arn:aws:(ecs|application-autoscaling|eks):\\*:<AWS::AccountId>:(service|scalable-target|cluster|nodegroup)\\/\\*$/"))
	}
	if link, ok := stack.Node().TryFindChild(jsii.String("SnoozeLink")).(awsiam.Role); ok {
		suppress(link, "AwsSolutions-IAM5",
			"As in a member stack: the snooze's two tags on every instance, DB instance and Aurora cluster of the account's swept regions.",
			cdknagRegex("/^Resource::arn:aws:(ec2|rds):[a-z0-9-]+:<AWS::AccountId>:.*$/"))
	}
	return stack
}

// memberTemplate synthesises the unit's member stack in an app of its own, with the
// context of the app being built (its feature flags), and returns the template as the
// StackSet's body; CheckTemplates checks it against MaxTemplateBodySize and IAM's quotas
// with the app's other templates. The resources' Metadata
// (cdk-nag's and the linters' reasons, checked in the synthesised file under dir) is
// left out: CloudFormation ignores it, and it would take a quarter of the body.
func memberTemplate(dir string, context map[string]any, m *accounts.Map, u accounts.OU) (string, error) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir), Context: &context, AnalyticsReporting: jsii.Bool(false)})
	stack := NewStackSetMember(app, StackSetName(u), m, u)
	template, _ := app.Synth(nil).GetStackArtifact(stack.ArtifactId()).Template().(map[string]any)
	resources, _ := template["Resources"].(map[string]any)
	for _, r := range resources {
		if r, ok := r.(map[string]any); ok {
			delete(r, "Metadata")
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(template); err != nil {
		return "", fmt.Errorf("the template of unit %s: %w", u.ID, err)
	}
	return string(bytes.TrimSpace(b.Bytes())), nil
}

// newOrganizationReaderRole creates CurfewOrganizationReader: organizations:
// ListAccountsForParent and ListOrganizationalUnitsForParent on the map's units only, for the functions that resolve found
// accounts (shutdown, restart and cost report) with the map's ExternalId.
func newOrganizationReaderRole(stack awscdk.Stack, m *accounts.Map) awsiam.Role {
	var units []string
	for _, u := range m.Organization.OUs {
		units = append(units, unitARN(u.ID))
	}
	role := awsiam.NewRole(stack, jsii.String("OrganizationReader"), &awsiam.RoleProps{
		RoleName:           jsii.String(accounts.OrganizationReaderRole),
		Description:        jsii.String("curfew: lists the accounts of the account map's organisational units"),
		AssumedBy:          trustCurfewLambdas(m, accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction),
		MaxSessionDuration: serviceSession,
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			// The child units too, so that a run can say that accounts of a child unit the
			// map does not list are not swept (they never are: it cannot list them).
			"ListUnitsAccounts": inline(allow("ListUnitsAccounts", []string{"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"}, units, nil)),
		},
	})
	var findings []any
	for _, u := range units {
		findings = append(findings, "Resource::"+u)
	}
	suppress(role, "AwsSolutions-IAM5",
		"A unit's ARN holds the organisation's id and the management account's, which the account map does not name; "+
			"the unit's own id is exact (Organizations: ListAccountsForParent and ListOrganizationalUnitsForParent on the organizationalunit resource type).",
		findings...)
	return role
}

// unitARN is an organisational unit's ARN, with the parts the map does not know (the
// management account, which a delegated administrator's map does not name, and the
// organisation's id) as wildcards: unit ids are unique.
func unitARN(id string) string {
	return "arn:aws:organizations::*:ou/o-*/" + id
}

// unitPath matches aws:ResourceOrgPaths of an account whose parent is the unit with the
// given id, and no other: Organizations writes an account's path as
// o-<org>/r-<root>/<each unit down to its parent>/, and a unit id has no "/".
func unitPath(id string) string {
	return "o-*/r-*/" + id + "/"
}

// listsAccount reports whether the map lists the account with the given id.
func listsAccount(m *accounts.Map, id string) bool {
	return slices.ContainsFunc(m.Accounts, func(a accounts.Account) bool { return a.ID == id })
}

// organizationRoles are the roles in the management account that the functions with
// the given role in other accounts (SchedulerRole, CostReaderRole) assume besides the
// listed accounts': CurfewOrganizationReader, and CurfewCostReader there when the map
// does not list the account; none without an organization.
func organizationRoles(m *accounts.Map, role string) []string {
	if m.Organization == nil {
		return nil
	}
	out := []string{m.OrganizationReaderARN()}
	if id := m.ManagementAccountID(); role == accounts.CostReaderRole && !listsAccount(m, id) {
		out = append(out, accounts.Account{ID: id}.RoleARN(accounts.CostReaderRole))
	}
	return out
}

// allowFoundAccounts lets the functions assume their roles in the accounts found in the
// map's units, which no list can name: the shutdown and restart CurfewScheduler in an
// account whose parent is a swept unit (non-production, shutdown on), the cost report
// CurfewCostReader in an account of any unit, by aws:ResourceOrgPaths. Each role's own
// trust (exact principals and ExternalId) still decides; this keeps the functions from
// even asking elsewhere.
func (s *service) allowFoundAccounts(shutdown, restart, costReport awslambda.Function) {
	if s.m.Organization == nil {
		return
	}
	var swept, all []string
	for _, u := range s.m.Organization.OUs {
		all = append(all, unitPath(u.ID))
		if u.Account(u.ID).ShutdownEnabled() {
			swept = append(swept, unitPath(u.ID))
		}
	}
	inUnits := func(paths []string) map[string]any {
		return map[string]any{"ForAnyValue:StringLike": map[string]any{"aws:ResourceOrgPaths": paths}}
	}
	if len(swept) > 0 {
		for _, fn := range []awslambda.Function{shutdown, restart} {
			fn.AddToRolePolicy(allow("AssumeSchedulerInSweptUnits", []string{assumeAction},
				[]string{"arn:aws:iam::*:role/" + accounts.SchedulerRole}, inUnits(swept)))
		}
	}
	costReport.AddToRolePolicy(allow("AssumeCostReaderInUnits", []string{assumeAction},
		[]string{"arn:aws:iam::*:role/" + accounts.CostReaderRole}, inUnits(all)))
	for _, f := range []struct {
		fn   awslambda.Function
		role string
	}{{shutdown, accounts.SchedulerRole}, {restart, accounts.SchedulerRole}, {costReport, accounts.CostReaderRole}} {
		suppress(f.fn.Role(), "AwsSolutions-IAM5",
			"Accounts found in the account map's organisational units are not known until a run lists them: "+
				"the role is named exactly, in any account whose parent is one of the map's units (aws:ResourceOrgPaths).",
			"Resource::arn:aws:iam::*:role/"+f.role)
	}
}

// allowUnits lets group assume role in every account of the map's units, which no list
// can name, by aws:ResourceOrgPaths, in a managed policy of its own (unitPolicies counts
// it); the role's trust in each account still decides who may (MFA for humans, the CI
// principal only). Nothing without an organization.
func allowUnits(stack awscdk.Stack, m *accounts.Map, group awsiam.IGroup, id, role string) {
	if m.Organization == nil {
		return
	}
	var paths []string
	for _, u := range m.Organization.OUs {
		paths = append(paths, unitPath(u.ID))
	}
	policy := awsiam.NewManagedPolicy(stack, jsii.String(id), &awsiam.ManagedPolicyProps{
		Description: jsii.String("curfew: " + role + " in the accounts of the account map's organisational units"),
		Document: inline(allow(id, []string{assumeAction}, []string{"arn:aws:iam::*:role/" + role},
			map[string]any{"ForAnyValue:StringLike": map[string]any{"aws:ResourceOrgPaths": paths}})),
	})
	group.AddManagedPolicy(policy)
	suppress(policy, "AwsSolutions-IAM5",
		"Accounts found in the account map's organisational units are not known until they are listed: "+
			"the role is named exactly, in any account whose parent is one of the map's units (aws:ResourceOrgPaths).",
		"Resource::arn:aws:iam::*:role/"+role)
}

// unitPolicies is how many managed policies allowUnits attaches to a group.
func unitPolicies(m *accounts.Map) int {
	if m.Organization == nil {
		return 0
	}
	return 1
}
