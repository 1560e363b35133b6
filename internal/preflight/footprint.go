package preflight

import (
	"slices"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// Fixed names of curfew's stacks and of the IAM resources they create (cdk/identity.go,
// cdk/member.go, cdk/guardrails.go, cdk/service.go). Package cdk imports internal/, never
// the reverse, so the names that are not in package accounts are repeated here.
const (
	identityStack     = "curfew-identity"
	serviceStack      = "curfew-service"
	organizationStack = "curfew-organization"
	memberPrefix      = "curfew-"

	developersGroup    = "developers"
	guardrailsPolicy   = "CurfewGuardrails"
	cdkExecutionPolicy = "CurfewCDKExecution"
)

// stackRef is one of curfew's stacks in an account.
type stackRef struct {
	name, region string
}

// footprint is what curfew's stacks create in one account: the stacks and the IAM
// resources, by fixed name where they have one and counted for IAM's quotas.
type footprint struct {
	stacks []stackRef
	// roles, groups, users and policies hold fixed names that CloudFormation cannot
	// create when anything else already holds them.
	roles, groups, users, policies []string
	// logGroups are the functions' log groups (home region), also fixed names; the
	// service stack keeps them when it is deleted, so a second deploy finds them.
	logGroups []string
	// buckets are the buckets of fixed name (home region): S3 names are global, and the
	// service stack keeps its buckets when it is deleted.
	buckets []string
	// newRoles, newGroups, newUsers and newPolicies count every role, group, user and
	// customer managed policy the stacks create, named or not.
	newRoles, newGroups, newUsers, newPolicies int
	// rolePolicies and groupPolicies are the managed policies attached to each role and
	// group that gets several.
	rolePolicies, groupPolicies map[string]int
}

// footprintOf says what curfew's stacks create in account a of map m.
func footprintOf(m *accounts.Map, a accounts.Account) footprint {
	f := footprint{rolePolicies: map[string]int{}, groupPolicies: map[string]int{}}
	// curfew-organization (cdk/organization.go), in homeRegion of the management account or
	// StackSets' delegated administrator: the reader role (inline policy only), and the
	// cost reader when the map does not list the account (so no other stack of curfew is
	// there); its StackSets create nothing in this account.
	if id := m.ManagementAccountID(); id != "" && a.ID == id {
		f.stacks = append(f.stacks, stackRef{organizationStack, m.HomeRegion})
		f.roles = append(f.roles, accounts.OrganizationReaderRole)
		if !listed(m, a.ID) {
			f.roles = append(f.roles, accounts.CostReaderRole)
			f.newRoles = len(f.roles)
			return f
		}
	}
	if a.Name == m.Identity {
		f.stacks = append(f.stacks, stackRef{identityStack, m.HomeRegion})
		f.roles = append(f.roles, accounts.CostReaderRole)
		// With access: identity-center, people have no groups here (cdk/identity.go).
		if !m.UsesIdentityCenter() {
			f.groups = append(f.groups, developersGroup)
			// The self-service policy and the policies that list the DeveloperAccess roles
			// to assume, packed by size, and with organisational units one more for the
			// accounts found in them.
			assume := AssumePolicies(len(m.Targets())) + UnitPolicies(m) + AccountListPolicies(m)
			f.groupPolicies[developersGroup] = 1 + assume
			f.newPolicies += 1 + assume
			f.newGroups++
		}
		if m.CI.User != "" {
			f.users = append(f.users, m.CI.User)
			// The CI user's group (named by CloudFormation) and its policies to assume
			// CurfewCI, packed like the developers'.
			f.newGroups++
			f.newPolicies += AssumePolicies(len(m.Targets())) + UnitPolicies(m)
		}
	} else {
		f.stacks = append(f.stacks, stackRef{memberPrefix + a.Name, a.DefaultRegion()})
		// With access: identity-center, Identity Center creates the people's role
		// (AWSReservedSSO_...), under a name of its own.
		if !m.UsesIdentityCenter() {
			f.roles = append(f.roles, accounts.DeveloperAccessRole)
			f.rolePolicies[accounts.DeveloperAccessRole] = len(a.DeveloperPolicies) + 1
		}
		f.roles = append(f.roles, accounts.CIRole, accounts.CostReaderRole)
		if a.ShutdownEnabled() {
			f.roles = append(f.roles, accounts.SchedulerRole)
		}
		f.policies = append(f.policies, guardrailsPolicy, cdkExecutionPolicy)
		f.newPolicies += 2
		// The map's managed policies and CurfewGuardrails.
		f.rolePolicies[accounts.CIRole] = len(a.CIPolicies) + 1
	}
	if a.Name == m.Home {
		f.stacks = append(f.stacks, stackRef{serviceStack, m.HomeRegion})
		// Each function's execution role has the function's name; Scheduler's invocation
		// role is named by CloudFormation.
		for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction} {
			f.roles = append(f.roles, fn)
			f.logGroups = append(f.logGroups, "/aws/lambda/"+fn)
		}
		f.newRoles++
		// The list of found accounts, whose name the developers' CLI builds
		// (cdk/accountlist.go).
		if m.Organization != nil {
			f.buckets = append(f.buckets, accountlist.Bucket(m))
		}
	}
	f.newRoles += len(f.roles)
	f.newUsers = len(f.users)
	return f
}

// regions are the regions of the account's stacks, in order.
func (f footprint) regions() []string {
	var out []string
	for _, s := range f.stacks {
		if !slices.Contains(out, s.region) {
			out = append(out, s.region)
		}
	}
	return out
}

// rolesPerAssumePolicy is how many role ARNs (arn:aws:iam::<12 digits>:role/<name>, about
// 50 characters each with quotes and comma) the CDK app packs into one managed policy of
// at most 6,144 characters (cdk/limits.go, packRoleARNs; a cdk test pins the two equal).
const rolesPerAssumePolicy = 122

// UnitPolicies is how many managed policies the CDK app attaches to a group besides
// AssumePolicies, to assume its role in the accounts of the map's organisational units.
func UnitPolicies(m *accounts.Map) int {
	if m.Organization == nil {
		return 0
	}
	return 1
}

// AccountListPolicies is how many managed policies the CDK app gives the developers group
// to read the published account list (cdk/accountlist.go): one with organisational units.
func AccountListPolicies(m *accounts.Map) int {
	if m.Organization == nil {
		return 0
	}
	return 1
}

// AssumePolicies is how many managed policies the CDK app attaches to a principal that may
// assume a role in each of targets accounts.
func AssumePolicies(targets int) int {
	return (targets + rolesPerAssumePolicy - 1) / rolesPerAssumePolicy
}
