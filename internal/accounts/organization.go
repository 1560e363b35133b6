package accounts

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// OrganizationReaderRole is the read-only role in the organisation's management (or
// delegated administrator) account through which curfew's functions list the accounts of
// each organisational unit. It may call organizations:ListAccountsForParent and nothing
// else, and trusts the functions' roles with the map's ExternalId.
const OrganizationReaderRole = "CurfewOrganizationReader"

// Organization describes target accounts by organisational unit instead of one entry per
// account: the functions list each unit's accounts at run time, so an account created in,
// or moved into, a unit is a target from the next run on without an edit of the map.
//
// An account's environment comes from the unit it is in, never from a guess: an account
// found in a production unit is never swept, and one whose units or listing disagree is
// treated as production (package sources says how a run merges them).
type Organization struct {
	// ManagementAccount is where OrganizationReaderRole lives: the organisation's
	// management account or its delegated administrator for Organizations, by the name of
	// an account in accounts or by its 12-digit id. It is never swept.
	ManagementAccount string `yaml:"managementAccount"`
	// DelegatedAdministrator says that ManagementAccount is not the organisation's
	// management account but a delegated administrator for CloudFormation StackSets
	// (member.org.stacksets.cloudformation.amazonaws.com): curfew-organization's StackSets
	// then act as one (CallAs DELEGATED_ADMIN).
	DelegatedAdministrator bool `yaml:"delegatedAdministrator,omitempty"`
	// OUs are the organisational units whose direct member accounts are targets. Child
	// units are not included: list them too, each with its own environment, so that no
	// account inherits an environment nobody wrote down.
	OUs []OU `yaml:"ous"`
}

// OU is one organisational unit whose accounts are targets. Every account found in it
// gets its environment, regions and policies; an account that needs others is listed in
// accounts instead (with the same environment, or the run treats it as production).
type OU struct {
	// ID is the unit's id, ou-<root>-<unit>, as Organizations shows it.
	ID          string      `yaml:"id"`
	Environment Environment `yaml:"environment"`
	// Regions are swept in each of the unit's accounts; the first is the default region.
	Regions           []string `yaml:"regions"`
	DeveloperPolicies []string `yaml:"developerPolicies"`
	CIPolicies        []string `yaml:"ciPolicies"`
	// Shutdown turns the night shutdown off for every account of a non-production unit;
	// it defaults to on, and must not be on for a production unit.
	Shutdown *bool `yaml:"shutdown,omitempty"`
	// Schedule overrides parts of the organisation-wide schedule (timezone, stop, start)
	// for every account of the unit, as an account's does; the unit's accounts get
	// scheduled runs of their own.
	Schedule *ScheduleOverride `yaml:"schedule,omitempty"`
	// Holidays are added to the organisation-wide holidays for every account of the unit.
	Holidays []Holiday `yaml:"holidays,omitempty"`
	// CISubject overrides ci.oidc.subject for the CI role of every account of the unit
	// (OIDC only). A production unit needs one bound to a protected environment or
	// branch, as a production account does.
	CISubject string `yaml:"ciSubject,omitempty"`
	// Owners own every account of the unit (see Owners); its accounts found get them.
	Owners *Owners `yaml:"owners,omitempty"`
	// Budget is the monthly budget of the unit's accounts together, in the cost report's
	// currency; it is not each account's.
	Budget *float64 `yaml:"budget,omitempty"`
}

// Account returns the account found in the unit with the given id, as the rest of curfew
// sees it: named by its id (an Organizations name is free text and may repeat a listed
// name), with the unit's environment, regions, policies, shutdown and CI subject.
func (u OU) Account(id string) Account {
	return Account{
		Name: id, ID: id, Environment: u.Environment,
		Regions:           slices.Clone(u.Regions),
		DeveloperPolicies: slices.Clone(u.DeveloperPolicies),
		CIPolicies:        slices.Clone(u.CIPolicies),
		Shutdown:          u.Shutdown,
		Schedule:          u.Schedule,
		Holidays:          slices.Clone(u.Holidays),
		CISubject:         u.CISubject,
		Owners:            u.Owners,
	}
}

// SweptUnits returns the organisational units whose accounts the night shutdown may
// touch (non-production, shutdown on), in map order; none without an organization.
func (m *Map) SweptUnits() []OU {
	if m.Organization == nil {
		return nil
	}
	var out []OU
	for _, u := range m.Organization.OUs {
		if u.Account(u.ID).ShutdownEnabled() {
			out = append(out, u)
		}
	}
	return out
}

// ManagementAccountID returns the id of the account that holds OrganizationReaderRole,
// or "" when the map has no organization or names an account it does not list.
func (m *Map) ManagementAccountID() string {
	if m.Organization == nil {
		return ""
	}
	return m.accountID(m.Organization.ManagementAccount)
}

// accountID is the id of the account named by ref, an id or the name of a listed
// account; "" when it names none.
func (m *Map) accountID(ref string) string {
	if accountIDPattern.MatchString(ref) {
		return ref
	}
	a, _ := m.Account(ref)
	return a.ID
}

// OrganizationReaderARN returns the ARN of OrganizationReaderRole, or "" without an
// organization.
func (m *Map) OrganizationReaderARN() string {
	id := m.ManagementAccountID()
	if id == "" {
		return ""
	}
	return Account{ID: id}.RoleARN(OrganizationReaderRole)
}

// ouIDPattern is Organizations' own pattern for an OU id. A root (r-…) is refused: its
// direct accounts are usually the management account and accounts not yet sorted into
// units, and no single environment describes them.
var ouIDPattern = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)

// validateOrganization checks organization. What only a run can know (an id that no unit
// has, an account both listed and found, or found in units of different environments) is
// checked by every run and reported there.
func (m *Map) validateOrganization(p *problems, extra map[string]bool) {
	o := m.Organization
	if o == nil {
		return
	}
	const f = "organization"
	switch mgmt, byID := o.ManagementAccount, accountIDPattern.MatchString(o.ManagementAccount); {
	case mgmt == "":
		p.add(f+".managementAccount", "name the management account (or the delegated administrator for Organizations) that holds the %s role, by its name in accounts or its 12-digit id", OrganizationReaderRole)
	case !byID:
		if _, ok := m.Account(mgmt); !ok {
			p.add(f+".managementAccount", "%q is not the name of an account in accounts nor a 12-digit account id", mgmt)
		}
	}
	// The account that runs the organisation must not be stopped at night, whether it is
	// named by name or id.
	if id := m.ManagementAccountID(); id != "" {
		for i, a := range m.Accounts {
			if a.ID == id && a.ShutdownEnabled() && a.Name != m.Identity {
				p.add(f+".managementAccount", "%q is accounts[%d] (%s), which is swept: the night shutdown must not stop the account that runs the organisation; set its shutdown: false or environment: production", o.ManagementAccount, i, a.Name)
			}
		}
	}
	if len(o.OUs) == 0 {
		p.add(f+".ous", "list at least one organisational unit, or remove organization")
	}
	seen := map[string]int{}
	for i, u := range o.OUs {
		uf := fmt.Sprintf("%s.ous[%d]", f, i)
		if !ouIDPattern.MatchString(u.ID) {
			p.add(uf+".id", "%q is not an organisational unit id like ou-ab12-cd34ef56", u.ID)
		} else if j, dup := seen[u.ID]; dup {
			p.add(uf+".id", "%s is also the id of organization.ous[%d]: an account would get two descriptions", u.ID, j)
		} else {
			seen[u.ID] = i
		}
		validateEnvironment(p, uf, u.Environment, u.Shutdown, "unit "+u.ID)
		validateRegions(p, uf+".regions", u.Regions, extra)
		validatePolicies(p, uf+".developerPolicies", u.DeveloperPolicies)
		validatePolicies(p, uf+".ciPolicies", u.CIPolicies)
		validateScheduleOverride(p, uf, u.Schedule, u.Holidays)
		m.validateUnitCISubject(p, uf, u)
		if u.Environment != Production {
			continue
		}
		// A unit has no overrides: an account that needs one is listed in accounts, where
		// the override is visible next to it.
		eachAdministratorPolicy(uf, u.DeveloperPolicies, u.CIPolicies, func(field, pol string) {
			p.add(field, "%q is administrator access in a production unit: grant less, or list the account that needs it in accounts with overrides: [%s]", pol, OverrideAdministrator)
		})
		eachWritingCIPolicy(uf, u.CIPolicies, func(field, pol string) {
			p.add(field, "%q is not on the production allow-list for CI (%s): list the account that needs it in accounts with ciCdkDeploy: true or overrides: [%s]", pol, strings.Join(readOnlyPolicies, ", "), OverrideCIPolicies)
		})
	}
}

// validateUnitCISubject checks organization.ous[].ciSubject, and that a production unit's
// effective subject is bound as a production account's must be: every account the unit
// holds, now or later, gets a CI role trusting it.
func (m *Map) validateUnitCISubject(p *problems, uf string, u OU) {
	f := uf + ".ciSubject"
	if u.CISubject != "" {
		if m.CI.OIDC == nil {
			p.add(f, "applies to CI through ci.oidc only; this map's CI is not OIDC: remove it")
			return
		}
		m.validateSubject(p, f, u.CISubject)
	}
	if m.CI.OIDC != nil && u.Account(u.ID).IsProduction() {
		m.validateProductionSubject(p, f, "unit "+u.ID, u.CISubject)
	}
}
