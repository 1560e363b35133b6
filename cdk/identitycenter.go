package cdk

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssso"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// IdentityCenterStackName is the stack of access: identity-center, in the account that
// holds the Identity Center instance and in its region.
const IdentityCenterStackName = "curfew-identity-center"

// IdentityCenterStackProps configures the Identity Center stack.
type IdentityCenterStackProps struct {
	awscdk.StackProps
	Map *accounts.Map
}

// NewIdentityCenterStack creates the access model of access: identity-center: per
// environment a DeveloperAccess-<environment> permission set with the map's developer
// policies of that environment, assigned to the environment's groups in each of its
// target accounts; and, with operator groups, CurfewOperator in the home account.
//
// Every developer permission set also carries the target account's CurfewGuardrails
// (a customer managed policy reference, resolved by name in each account): the role
// Identity Center creates there (AWSReservedSSO_DeveloperAccess-…) is denied what
// DeveloperAccess is denied in the IAM-users model. The policy must exist before the
// assignment provisions the role, so the member stacks deploy first.
func NewIdentityCenterStack(scope constructs.Construct, id string, props *IdentityCenterStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	m := props.Map
	ic := m.IdentityCenter
	session := jsii.String(accounts.ISO8601(accounts.DeveloperSessionMax))
	for _, env := range []accounts.Environment{accounts.NonProduction, accounts.Production} {
		var targets []accounts.Account
		for _, a := range m.Targets() {
			if a.Environment == env {
				targets = append(targets, a)
			}
		}
		if len(targets) == 0 {
			continue
		}
		// Validation made every account of the environment agree on these.
		var policies []*string
		for _, p := range targets[0].DeveloperPolicies {
			policies = append(policies, jsii.String("arn:"+*stack.Partition()+":iam::aws:policy/"+accounts.ManagedPolicyName(p)))
		}
		name := accounts.PermissionSetName(env)
		set := awssso.NewCfnPermissionSet(stack, jsii.String(name), &awssso.CfnPermissionSetProps{
			InstanceArn:     jsii.String(ic.InstanceARN),
			Name:            jsii.String(name),
			Description:     jsii.String("curfew: people of the " + string(env) + " groups in the " + string(env) + " accounts"),
			SessionDuration: session,
			ManagedPolicies: &policies,
			CustomerManagedPolicyReferences: &[]any{&awssso.CfnPermissionSet_CustomerManagedPolicyReferenceProperty{
				Name: jsii.String(GuardrailsPolicy),
				Path: jsii.String("/"),
			}},
		})
		for _, a := range targets {
			for _, g := range ic.DeveloperGroups[env] {
				assign(stack, set, name, a, g)
			}
		}
	}
	if len(ic.OperatorGroups) > 0 {
		policy := operatorPolicy(m)
		policy.AddStatements(reportReadingByName()...)
		set := awssso.NewCfnPermissionSet(stack, jsii.String(accounts.OperatorPermissionSet), &awssso.CfnPermissionSetProps{
			InstanceArn:     jsii.String(ic.InstanceARN),
			Name:            jsii.String(accounts.OperatorPermissionSet),
			Description:     jsii.String("curfew: operators may run curfew's functions by hand and read their logs"),
			SessionDuration: session,
			// The document itself, not its JSON, so that it resolves exactly as
			// curfew-operator's inline policy does (sorted, merged).
			InlinePolicy: policy,
		})
		for _, g := range ic.OperatorGroups {
			assign(stack, set, accounts.OperatorPermissionSet, m.HomeAccount(), g)
		}
	}
	return stack
}

// assign gives the group the permission set (named name) in account a. The construct id
// names all three, so that an edit of the map's lists replaces only the assignments it
// changes.
func assign(stack awscdk.Stack, set awssso.CfnPermissionSet, name string, a accounts.Account, group string) {
	awssso.NewCfnAssignment(stack, jsii.String(name+"-"+a.Name+"-"+group), &awssso.CfnAssignmentProps{
		InstanceArn:      set.InstanceArn(),
		PermissionSetArn: set.AttrPermissionSetArn(),
		PrincipalType:    jsii.String("GROUP"),
		PrincipalId:      jsii.String(group),
		TargetType:       jsii.String("AWS_ACCOUNT"),
		TargetId:         jsii.String(a.ID),
	})
}

// developerRoles are the roles CurfewGuardrails attaches to in a member stack:
// DeveloperAccess (none with access: identity-center, where the permission set references
// the policy instead) and the CI role.
func developerRoles(dev, ci awsiam.Role) *[]awsiam.IRole {
	if dev == nil {
		return &[]awsiam.IRole{ci}
	}
	return &[]awsiam.IRole{dev, ci}
}

// identityCenterLimits refuses an Identity Center stack of more resources than
// CloudFormation allows in one stack: an assignment is one resource per group and account,
// so groups × accounts grows past MaxStackResources long before IAM's quotas bind.
func identityCenterLimits(m *accounts.Map) []error {
	if !m.UsesIdentityCenter() {
		return nil
	}
	ic := m.IdentityCenter
	// The permission sets (at most one per environment and CurfewOperator), and CDK's
	// metadata resource.
	resources := 4 + len(ic.OperatorGroups)
	for _, a := range m.Targets() {
		resources += len(ic.DeveloperGroups[a.Environment])
	}
	if resources <= MaxStackResources {
		return nil
	}
	return []error{fmt.Errorf("%s would declare %d resources (one assignment per group and account); CloudFormation allows %d in a stack: give each environment fewer groups (one group per environment holds %d accounts), or keep access: %s",
		IdentityCenterStackName, resources, MaxStackResources, MaxStackResources-5, accounts.AccessIAMUsers)}
}
