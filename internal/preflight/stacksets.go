package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/paging"
)

// stackSetsPrincipal is CloudFormation StackSets' service principal in Organizations: the
// one trusted access and a delegated administrator are registered for.
const stackSetsPrincipal = "member.org.stacksets.cloudformation.amazonaws.com"

// orgRegion is where Organizations' one endpoint of the aws partition is.
const orgRegion = "us-east-1"

// stackSets checks, in the account that deploys curfew-organization, what its
// service-managed StackSets need of Organizations and nothing in the template can say:
// an organisation with all features, this account entitled to create them (the
// management account with CallAs SELF, or a registered delegated administrator with
// CallAs DELEGATED_ADMIN), trusted access for StackSets (README "Through AWS
// Organizations", step 1), and every unit of the map. Without these the stack deploys
// and its StackSets fail, or a unit's accounts never get their roles.
type stackSets struct{}

func (stackSets) Name() string { return "stacksets access" }

func (stackSets) Run(ctx context.Context, t Target) []Finding {
	o := t.Map.Organization
	if o == nil {
		return []Finding{notApplicable("the account map has no organization: curfew's stacks are deployed one per account with cdk deploy, not by StackSets")}
	}
	mgmt := t.Map.ManagementAccountID()
	if t.Account.ID != mgmt {
		return []Finding{notApplicable("curfew-organization and its StackSets are deployed in organization.managementAccount (%s)", mgmt)}
	}
	c := organizations.NewFromConfig(t.Config, func(o *organizations.Options) { o.Region = orgRegion })
	out, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch code := errorCode(err); {
	case code == "AWSOrganizationsNotInUseException":
		return []Finding{problem(fmt.Sprintf("account %s belongs to no organisation: curfew-organization's StackSets have no units to deploy to", t.Account.ID),
			"set organization.managementAccount to your organisation's management account (or StackSets' delegated administrator); "+
				"to make this account one: aws organizations create-organization --feature-set ALL"+t.profileArg())}
	case err != nil:
		return []Finding{unchecked("describe the organisation", err, "organizations:DescribeOrganization")}
	}
	org := out.Organization
	master := aws.ToString(org.MasterAccountId)
	var findings []Finding
	if org.FeatureSet != orgtypes.OrganizationFeatureSetAll {
		findings = append(findings, problem(fmt.Sprintf("organisation %s has feature set %s: service-managed StackSets and trusted access need all features", aws.ToString(org.Id), org.FeatureSet),
			fmt.Sprintf("in the management account (%s; every member must then approve): aws organizations enable-all-features%s", master, t.managementProfileArg(master))))
	}
	switch delegated := o.DelegatedAdministrator; {
	case !delegated && master != t.Account.ID:
		// From a member that is no delegated administrator Organizations answers nothing
		// more: the rest cannot be checked here.
		return append(findings, problem(
			fmt.Sprintf("account %s is not the management account of organisation %s (%s): curfew-organization's StackSets, created with CallAs SELF, fail here", t.Account.ID, aws.ToString(org.Id), master),
			fmt.Sprintf("set organization.managementAccount to %s; or, to deploy from this account, register it from the management account "+
				"(aws organizations register-delegated-administrator --service-principal %s --account-id %s) and set organization.delegatedAdministrator: true",
				master, stackSetsPrincipal, t.Account.ID)))
	case delegated && master == t.Account.ID:
		findings = append(findings, problem(
			fmt.Sprintf("organization.delegatedAdministrator is true, but %s is the management account of organisation %s, which cannot be its own delegated administrator: StackSets created with CallAs DELEGATED_ADMIN fail here", t.Account.ID, aws.ToString(org.Id)),
			"remove organization.delegatedAdministrator from the account map: the management account creates the StackSets with CallAs SELF"))
	case delegated:
		findings = append(findings, delegatedAdministrator(ctx, c, t, master))
	default:
		findings = append(findings, ok("%s is the management account of organisation %s", t.Account.ID, aws.ToString(org.Id)))
	}
	findings = append(findings, trustedAccess(ctx, c, t, master))
	findings = append(findings, units(ctx, c, t)...)
	return append(findings, ownAccountsOutsideUnits(ctx, c, t, master)...)
}

// ownAccountsOutsideUnits checks that none of the accounts curfew itself runs from (the
// identity account, the home account, the account of organization.managementAccount) is
// a direct member of one of the map's units, which is where the units' StackSets look.
// Any unit counts, production ones too: every unit's StackSet deploys DeveloperAccess and
// CurfewCI to each account in it (a production unit's with its own policies), and an
// organisation admin who moves one of these accounts there gives developers and CI roles
// where the IAM users, curfew's functions or the organisation's StackSets live. The
// organisation's management account itself gets no stack instance (StackSets deploy
// none there), but curfew's runs would still take it for one of the unit's accounts.
func ownAccountsOutsideUnits(ctx context.Context, c *organizations.Client, t Target, master string) []Finding {
	type own struct {
		id, name string
		roles    []string
	}
	var accs []own
	add := func(id, name, role string) {
		if i := slices.IndexFunc(accs, func(a own) bool { return a.id == id }); i >= 0 {
			accs[i].roles = append(accs[i].roles, role)
			return
		}
		accs = append(accs, own{id, name, []string{role}})
	}
	identity, home := t.Map.IdentityAccount(), t.Map.HomeAccount()
	add(identity.ID, identity.Name, "identity")
	add(home.ID, home.Name, "home")
	add(t.Account.ID, t.Account.Name, "management")
	var findings []Finding
	for _, a := range accs {
		out, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(a.id)})
		switch {
		case errorCode(err) == "ChildNotFoundException" || errorCode(err) == "AccountNotFoundException":
			// Not in this organisation: no unit of it holds the account. The API reference
			// names ChildNotFoundException; moto answers AccountNotFoundException.
			continue
		case err != nil:
			findings = append(findings, fromManagement(fmt.Sprintf("read the parent of account %s (%s)", a.name, a.id), err, "organizations:ListParents",
				"aws organizations list-parents --child-id "+a.id, t, master))
			continue
		}
		for _, p := range out.Parents {
			parent := aws.ToString(p.Id)
			i := slices.IndexFunc(t.Map.Organization.OUs, func(u accounts.OU) bool { return u.ID == parent })
			if i < 0 {
				continue
			}
			why := "its StackSet deploys DeveloperAccess and CurfewCI there, as to every account of the unit"
			if a.id == master {
				why = "curfew takes it for one of that unit's accounts"
			}
			findings = append(findings, problem(
				fmt.Sprintf("account %s (%s), the %s account, is in unit %s (organization.ous[%d]): %s", a.name, a.id, strings.Join(a.roles, " and "), parent, i, why),
				fmt.Sprintf("in the management account (%s): aws organizations move-account --account-id %s --source-parent-id %s --destination-parent-id <the root or a unit the map does not name>%s; or take %s out of organization.ous",
					master, a.id, parent, t.managementProfileArg(master), parent)))
		}
	}
	if len(findings) == 0 {
		findings = append(findings, ok("the identity, home and management accounts are in none of the map's units"))
	}
	return findings
}

// trustedAccess checks that Organizations lists StackSets among the services it trusts:
// without it a service-managed StackSet cannot be created.
func trustedAccess(ctx context.Context, c *organizations.Client, t Target, master string) Finding {
	pages := organizations.NewListAWSServiceAccessForOrganizationPaginator(c, &organizations.ListAWSServiceAccessForOrganizationInput{})
	trusted, err := paging.All(ctx, pages, func(page *organizations.ListAWSServiceAccessForOrganizationOutput) []orgtypes.EnabledServicePrincipal {
		return page.EnabledServicePrincipals
	})
	if err != nil {
		return fromManagement("read the services Organizations trusts", err, "organizations:ListAWSServiceAccessForOrganization",
			"aws organizations list-aws-service-access-for-organization", t, master)
	}
	if slices.ContainsFunc(trusted, func(p orgtypes.EnabledServicePrincipal) bool {
		return aws.ToString(p.ServicePrincipal) == stackSetsPrincipal
	}) {
		return ok("trusted access for StackSets (%s) is enabled", stackSetsPrincipal)
	}
	return problem(fmt.Sprintf("trusted access for StackSets (%s) is not enabled: curfew-organization's StackSets cannot be created", stackSetsPrincipal),
		fmt.Sprintf("in the management account (%s): aws cloudformation activate-organizations-access%s", master, t.managementProfileArg(master)))
}

// delegatedAdministrator checks that the account is registered as StackSets' delegated
// administrator, without which CallAs DELEGATED_ADMIN is refused.
func delegatedAdministrator(ctx context.Context, c *organizations.Client, t Target, master string) Finding {
	pages := organizations.NewListDelegatedAdministratorsPaginator(c, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(stackSetsPrincipal)})
	admins, err := paging.All(ctx, pages, func(page *organizations.ListDelegatedAdministratorsOutput) []orgtypes.DelegatedAdministrator {
		return page.DelegatedAdministrators
	})
	if err != nil {
		return fromManagement("list StackSets' delegated administrators", err, "organizations:ListDelegatedAdministrators",
			"aws organizations list-delegated-administrators --service-principal "+stackSetsPrincipal, t, master)
	}
	if slices.ContainsFunc(admins, func(d orgtypes.DelegatedAdministrator) bool { return aws.ToString(d.Id) == t.Account.ID }) {
		return ok("%s is a delegated administrator for StackSets (%s)", t.Account.ID, stackSetsPrincipal)
	}
	return problem(fmt.Sprintf("organization.delegatedAdministrator is true, but %s is not registered as a delegated administrator for StackSets (%s): StackSets created with CallAs DELEGATED_ADMIN fail here", t.Account.ID, stackSetsPrincipal),
		fmt.Sprintf("in the management account (%s): aws organizations register-delegated-administrator --service-principal %s --account-id %s", master, stackSetsPrincipal, t.Account.ID))
}

// units checks that each of the map's units exists in the organisation: a StackSet whose
// unit does not exist deploys to nobody, and no run finds accounts there.
func units(ctx context.Context, c *organizations.Client, t Target) []Finding {
	var findings, missing []Finding
	var found []string
	for i, u := range t.Map.Organization.OUs {
		_, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(u.ID)})
		switch code := errorCode(err); {
		case code == "OrganizationalUnitNotFoundException":
			missing = append(missing, problem(fmt.Sprintf("organization.ous[%d].id: the organisation has no unit %s: its StackSet would deploy to no account and no run would find accounts there", i, u.ID),
				fmt.Sprintf("correct organization.ous[%d].id in the account map; the root's units: aws organizations list-organizational-units-for-parent --parent-id $(aws organizations list-roots --query 'Roots[0].Id' --output text%s)%s",
					i, t.profileArg(), t.profileArg())))
		case err != nil:
			findings = append(findings, unchecked(fmt.Sprintf("read organization.ous[%d] (%s)", i, u.ID), err, "organizations:DescribeOrganizationalUnit"))
		default:
			found = append(found, u.ID)
		}
	}
	if len(found) > 0 {
		findings = append(findings, ok("the organisation has the map's unit(s) %s", strings.Join(found, ", ")))
	}
	return append(findings, missing...)
}

// fromManagement is the finding of a call refused where Organizations answers only the
// management account and delegated administrators: from a delegated administrator that
// means it is not registered yet, which only the management account can tell.
func fromManagement(what string, err error, action, command string, t Target, master string) Finding {
	if t.Account.ID == master {
		return unchecked(what, err, action)
	}
	return problem(fmt.Sprintf("could not %s from %s: %v (Organizations answers only the management account and delegated administrators)", what, t.Account.ID, err),
		fmt.Sprintf("check from the management account (%s): %s; if %s is not a delegated administrator for StackSets, register it there: "+
			"aws organizations register-delegated-administrator --service-principal %s --account-id %s", master, command, t.Account.ID, stackSetsPrincipal, t.Account.ID))
}

// managementProfileArg is the --profile argument of a command that must run in the
// management account: the target's own profile when the target is that account; none
// otherwise, as preflight knows no profile of it (the fix names the account instead).
func (t Target) managementProfileArg(master string) string {
	if t.Account.ID == master {
		return t.profileArg()
	}
	return ""
}
