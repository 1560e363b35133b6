package profiles

import (
	"errors"
	"fmt"

	"github.com/curfew/curfew/internal/accounts"
)

// SSOSession is the name (after the prefix) of the [sso-session] section that the profiles
// of access: identity-center share: one `aws sso login --sso-session curfew` signs in to
// every account.
const SSOSession = "curfew"

// SSOSessionSection is the section keyword of an AWS config file's sso-session sections.
const SSOSessionSection = "sso-session"

// generateSSO returns the profiles of access: identity-center: the sso-session section
// first, then one profile per target account with its environment's DeveloperAccess
// permission set, the operator profile with --operator, and the CI profiles with --ci
// (CI does not sign in through Identity Center: its profiles are the IAM-users model's).
func generateSSO(m *accounts.Map, o Options) ([]Profile, error) {
	if err := o.validateSSO(m); err != nil {
		return nil, err
	}
	ic := m.IdentityCenter
	session := o.Prefix + SSOSession
	out := []Profile{{
		Section: SSOSessionSection,
		Name:    session,
		Comment: fmt.Sprintf("IAM Identity Center (%s, %s): sign in with `aws sso login --sso-session %s`", ic.StartURL, ic.Region, session),
		Settings: []Setting{
			{"sso_start_url", ic.StartURL},
			{"sso_region", ic.Region},
			// Account access only: the token can list and enter the accounts and roles the
			// portal shows, nothing of Identity Center's administration.
			{"sso_registration_scopes", "sso:account:access"},
		},
	}}
	profile := func(name string, a accounts.Account, role, region, comment string) Profile {
		return Profile{Name: name, Comment: comment, Settings: []Setting{
			{"sso_session", session},
			{"sso_account_id", a.ID},
			{"sso_role_name", role},
			{"region", region},
		}}
	}
	for _, a := range m.Targets() {
		set := accounts.PermissionSetName(a.Environment)
		out = append(out, profile(o.Prefix+a.Name, a, set, regionOf(m, a),
			fmt.Sprintf("%s (%s, %s): %s through IAM Identity Center", a.Name, a.ID, a.Environment, set)))
	}
	if o.Operator {
		home := m.HomeAccount()
		out = append(out, profile(o.Prefix+OperatorProfile, home, accounts.OperatorPermissionSet, m.HomeRegion,
			fmt.Sprintf("%s (%s, home): %s, for curfew plan|stop|start|uninstall; needs an operator group", home.Name, home.ID, accounts.OperatorPermissionSet)))
	}
	if o.CI {
		out = append(out, ciProfiles(m, o)...)
	}
	return out, nil
}

// validateSSO refuses the options of the IAM-users model: with Identity Center the person
// is whoever signed in to the access portal, with the portal's MFA, and the session lasts
// what the permission set allows.
func (o Options) validateSSO(m *accounts.Map) error {
	var errs []error
	const why = "with access: %s you sign in through the access portal (aws sso login), which knows who you are and asks for MFA itself; drop it"
	for _, f := range []struct{ flag, value string }{
		{"--user", o.User}, {"--mfa-serial", o.MFASerial}, {"--source-profile", o.SourceProfile},
	} {
		if f.value != "" {
			errs = append(errs, fmt.Errorf("%s: "+why, f.flag, accounts.AccessIdentityCenter))
		}
	}
	if o.Operator {
		if len(m.IdentityCenter.OperatorGroups) == 0 {
			errs = append(errs, fmt.Errorf("--operator: the map's identityCenter.operatorGroups is empty, so there is no %s permission set; add the operators' group id there and deploy %s first",
				accounts.OperatorPermissionSet, "curfew-identity-center"))
		}
		if _, clash := m.Account(OperatorProfile); clash {
			errs = append(errs, fmt.Errorf("--operator: the map has an account named %q, whose profile would share the operator profile's name", OperatorProfile))
		}
	}
	errs = append(errs, o.validateEither(m)...)
	return errors.Join(errs...)
}
