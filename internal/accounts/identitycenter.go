package accounts

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Access is how people reach the target accounts.
type Access string

// The access models an account map may choose.
const (
	// AccessIAMUsers is the default: IAM users with MFA in the identity account assume
	// DeveloperAccess in each target account.
	AccessIAMUsers Access = "iam-users"
	// AccessIdentityCenter gives the identity source's groups a DeveloperAccess permission
	// set of IAM Identity Center in each target account: no IAM user, group or access key
	// for people.
	AccessIdentityCenter Access = "identity-center"
)

// IdentityCenter is the IAM Identity Center instance that gives people access when the map
// says access: identity-center.
type IdentityCenter struct {
	// InstanceARN is the instance's ARN, arn:aws:sso:::instance/ssoins-….
	InstanceARN string `yaml:"instanceArn"`
	// IdentityStoreID is the instance's identity store, d-….
	IdentityStoreID string `yaml:"identityStoreId"`
	// Account holds the instance: the organisation's management account or the delegated
	// administrator for IAM Identity Center, by the name of an account in accounts or by
	// its 12-digit id. The curfew-identity-center stack deploys there.
	Account string `yaml:"account"`
	// StartURL is the AWS access portal's URL, https://….awsapps.com/start.
	StartURL string `yaml:"startUrl"`
	// Region is the instance's region: the stack deploys there and profiles sign in there.
	Region string `yaml:"region"`
	// DeveloperGroups are, per environment, the ids of the identity source's groups whose
	// members get that environment's DeveloperAccess permission set in every target
	// account of the environment.
	DeveloperGroups map[Environment][]string `yaml:"developerGroups"`
	// OperatorGroups are the ids of the groups whose members get the CurfewOperator
	// permission set in the home account, to run curfew's functions by hand.
	OperatorGroups []string `yaml:"operatorGroups,omitempty"`
}

// OperatorPermissionSet is the permission set that lets operators invoke curfew's functions
// in the home account when access is identity-center.
const OperatorPermissionSet = "CurfewOperator"

// PermissionSetName returns the name of the DeveloperAccess permission set of an
// environment: one per environment, so that the access portal and the profiles tell
// production from the rest by the role's name alone.
func PermissionSetName(env Environment) string {
	return DeveloperAccessRole + "-" + string(env)
}

// UsesIdentityCenter reports whether people reach the target accounts through IAM Identity
// Center rather than IAM users.
func (m *Map) UsesIdentityCenter() bool { return m.Access == AccessIdentityCenter }

// IdentityCenterAccountID returns the id of the account that holds the Identity Center
// instance, or "" without one (or when it names an account the map does not list).
func (m *Map) IdentityCenterAccountID() string {
	if m.IdentityCenter == nil {
		return ""
	}
	return m.accountID(m.IdentityCenter.Account)
}

// ISO8601 returns d as an ISO 8601 duration of hours, minutes and seconds (PT4H), the
// form Identity Center's SessionDuration takes.
func ISO8601(d time.Duration) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	out := "PT"
	if h > 0 {
		out += fmt.Sprintf("%dH", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dM", m)
	}
	if s > 0 || out == "PT" {
		out += fmt.Sprintf("%dS", s)
	}
	return out
}

var (
	// The patterns of the SSO Admin and Identity Store APIs.
	instanceARNPattern     = regexp.MustCompile(`^arn:aws(-[a-z]+)*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	identityStoreIDPattern = regexp.MustCompile(`^d-[0-9a-f]{10}$`)
	groupIDPattern         = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
)

// findInstance is what the user runs to read the instance's ARN and identity store id.
const findInstance = "`aws sso-admin list-instances` in the account that holds Identity Center prints it"

// validateIdentityCenter checks access and identityCenter. The instance's ARN and the
// groups' ids are required as written: the stack's resources need them at synthesis, and
// looking them up there would make a synthesis depend on an API call and on who runs it.
func (m *Map) validateIdentityCenter(p *problems, extra map[string]bool) {
	switch m.Access {
	case "", AccessIAMUsers:
		if m.IdentityCenter != nil {
			p.add("identityCenter", "is only read with access: %s; set it, or remove identityCenter", AccessIdentityCenter)
		}
		return
	case AccessIdentityCenter:
	default:
		p.add("access", "%q is not %q (the default) or %q", m.Access, AccessIAMUsers, AccessIdentityCenter)
		return
	}
	if m.Organization != nil {
		p.add("access", "%s does not cover organization.ous yet: CloudFormation assigns a permission set to one account at a time (AWS::SSO::Assignment), and a unit's accounts are only found at run time; list the accounts in accounts, or keep access: %s", AccessIdentityCenter, AccessIAMUsers)
	}
	ic := m.IdentityCenter
	const f = "identityCenter"
	if ic == nil {
		p.add(f, "access: %s needs the instance: instanceArn, identityStoreId, account, startUrl, region and developerGroups", AccessIdentityCenter)
		return
	}
	switch {
	case ic.InstanceARN == "discover":
		p.add(f+".instanceArn", "curfew cannot discover the instance at synthesis: write its ARN here (%s)", findInstance)
	case !instanceARNPattern.MatchString(ic.InstanceARN):
		p.add(f+".instanceArn", "%q is not an Identity Center instance ARN like arn:aws:sso:::instance/ssoins-0123456789abcdef (%s)", ic.InstanceARN, findInstance)
	}
	if !identityStoreIDPattern.MatchString(ic.IdentityStoreID) {
		p.add(f+".identityStoreId", "%q is not an identity store id like d-0123456789 (%s)", ic.IdentityStoreID, findInstance)
	}
	switch {
	case ic.Account == "":
		p.add(f+".account", "name the account that holds Identity Center (the management account or the delegated administrator), by its name in accounts or its 12-digit id")
	case !accountIDPattern.MatchString(ic.Account):
		if _, ok := m.Account(ic.Account); !ok {
			p.add(f+".account", "%q is not the name of an account in accounts nor a 12-digit account id", ic.Account)
		}
	}
	// Identity Center lets only the management account assign access to itself.
	if mgmt, ok := m.Account(m.Management); ok && mgmt.Name != m.Identity && ic.Account != "" && m.IdentityCenterAccountID() != mgmt.ID {
		p.add(f+".account", "%q is a delegated administrator, which cannot assign permission sets in the management account %q, a target here: hold Identity Center in %q, or make %q the identity account", ic.Account, mgmt.Name, mgmt.Name, mgmt.Name)
	}
	if u, err := url.Parse(ic.StartURL); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		p.add(f+".startUrl", "%q is not the access portal's https URL, like https://acme.awsapps.com/start", ic.StartURL)
	}
	validateRegion(p, f+".region", ic.Region, extra)
	m.validateDeveloperGroups(p, f+".developerGroups")
	validateGroupIDs(p, f+".operatorGroups", ic.OperatorGroups)
}

// validateDeveloperGroups checks the groups of each environment, and that the target
// accounts of one environment agree on their developer policies: they share the
// environment's one permission set.
func (m *Map) validateDeveloperGroups(p *problems, f string) {
	groups := m.IdentityCenter.DeveloperGroups
	for _, env := range slices.Sorted(maps.Keys(groups)) {
		ef := fmt.Sprintf("%s.%s", f, env)
		if env != Production && env != NonProduction {
			p.add(ef, "%q is not %q or %q", env, Production, NonProduction)
			continue
		}
		if !slices.ContainsFunc(m.Targets(), func(a Account) bool { return a.Environment == env }) {
			p.add(ef, "no target account is %s: remove it", env)
		}
		validateGroupIDs(p, ef, groups[env])
	}
	for _, env := range []Environment{NonProduction, Production} {
		first := -1
		for i, a := range m.Accounts {
			if a.Name == m.Identity || a.Environment != env {
				continue
			}
			if len(groups[env]) == 0 {
				p.add(fmt.Sprintf("%s.%s", f, env), "list the group ids whose members may use %s in the %s accounts (%s first)", PermissionSetName(env), env, a.Name)
				break
			}
			if first < 0 {
				first = i
				continue
			}
			if !samePolicies(a.DeveloperPolicies, m.Accounts[first].DeveloperPolicies) {
				p.add(fmt.Sprintf("accounts[%d].developerPolicies", i), "with access: %s every %s account gets the one %s permission set: accounts[%d] (%s) has [%s]; give %s the same policies",
					AccessIdentityCenter, env, PermissionSetName(env), first, m.Accounts[first].Name, strings.Join(m.Accounts[first].DeveloperPolicies, ", "), a.Name)
			}
		}
	}
}

// validateGroupIDs checks a list of identity store group ids.
func validateGroupIDs(p *problems, f string, ids []string) {
	seen := map[string]bool{}
	for i, id := range ids {
		gf := fmt.Sprintf("%s[%d]", f, i)
		switch {
		case !groupIDPattern.MatchString(id):
			// Display names are not accepted: the identity provider may rename a group,
			// and an assignment needs the id.
			p.add(gf, "%q is not a group id like 9067d2f4-3041-70f6-e73b-1e2ee0a6a0b1: `aws identitystore get-group-id --identity-store-id ID --alternate-identifier '{\"UniqueAttribute\":{\"AttributePath\":\"displayName\",\"AttributeValue\":\"NAME\"}}'` prints a group's id", id)
		case seen[id]:
			p.add(gf, "%q is listed twice", id)
		}
		seen[id] = true
	}
}

// samePolicies reports whether two lists name the same AWS managed policies, in any order
// and by name or ARN.
func samePolicies(a, b []string) bool {
	names := func(list []string) []string {
		out := make([]string, len(list))
		for i, p := range list {
			out[i] = ManagedPolicyName(p)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(names(a), names(b))
}
