// Package profiles writes the AWS CLI and SDK profiles a developer needs to reach every
// account of the account map: an identity profile holding the developer's own IAM user,
// and one profile per target account that assumes DeveloperAccess from it with MFA. It
// merges them into an existing AWS config file without touching anything else in it.
package profiles

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// Bounds of a DeveloperAccess (and curfew-operator) session: STS's minimum, and the role's
// own maximum (a longer duration_seconds makes STS refuse every AssumeRole of the profile).
const (
	MinDuration     = 15 * time.Minute
	MaxDuration     = accounts.DeveloperSessionMax
	DefaultDuration = time.Hour
)

// minSessionName is the shortest role session name STS accepts; IAM user names may be
// shorter.
const minSessionName = 2

// serialPattern is what STS accepts as SerialNumber: a virtual device's ARN or a hardware
// token's serial.
var serialPattern = regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)

// Options say how the profiles are named and which MFA device they use.
type Options struct {
	// Prefix is put in front of every profile name: "acme-" gives acme-staging.
	Prefix string
	// SourceProfile names an existing profile holding the developer's IAM user keys. When
	// set, no identity profile is generated and target profiles use this one.
	SourceProfile string
	// MFASerial is the ARN of the developer's MFA device. When empty it is built from
	// User and the identity account id.
	MFASerial string
	// User is the developer's IAM user name, required: it becomes the role session name,
	// which DeveloperAccess's trust requires to equal the caller's IAM user name
	// (sts:RoleSessionName = ${aws:username}), so CloudTrail in every account names the
	// person.
	User string
	// Duration is the session length requested from DeveloperAccess; zero means an hour.
	Duration time.Duration
	// CI adds profiles for the CurfewCI role of every target account.
	CI bool
	// Operator adds the operator profile: curfew-operator in the home account, which
	// members of the identity account's operators group assume to run curfew's functions.
	Operator bool
	// WebIdentityTokenFile is where CI finds its OIDC token, for maps whose CI principal
	// is an OIDC provider.
	WebIdentityTokenFile string
	// CredentialProcess, when set, is the curfew binary the MFA profiles run as their
	// credential_process (one MFA code a day); empty keeps mfa_serial on each profile.
	CredentialProcess string
}

// Profile is one [profile NAME] section, or another kind of section (Section).
type Profile struct {
	// Section is the header's keyword when it is not "profile": SSOSessionSection.
	Section string
	Name    string
	// Comment is written on the line above the section header.
	Comment string
	// Settings are written in order as "key = value".
	Settings []Setting
}

// Setting is one key of a profile.
type Setting struct{ Key, Value string }

// Generate returns the profiles for every target account of the map, identity profile
// first, in the map's order. It fails listing every problem with the options.
func Generate(m *accounts.Map, o Options) ([]Profile, error) {
	if m.UsesIdentityCenter() {
		return generateSSO(m, o)
	}
	if err := o.validate(m); err != nil {
		return nil, err
	}
	identity := m.IdentityAccount()
	source := o.SourceProfile
	var out []Profile
	if source == "" {
		source = o.Prefix + identity.Name
		out = append(out, Profile{
			Name: source,
			Comment: fmt.Sprintf("%s (%s): your IAM user; its access keys belong in the credentials file (aws configure --profile %s)",
				identity.Name, identity.ID, source),
			Settings: []Setting{{"region", regionOf(m, identity)}},
		})
	}
	mfa := o.MFASerial
	if mfa == "" {
		mfa = fmt.Sprintf("arn:aws:iam::%s:mfa/%s", identity.ID, o.User)
	}
	duration := o.Duration
	if duration == 0 {
		duration = DefaultDuration
	}
	for _, a := range m.Targets() {
		out = append(out, Profile{
			Name:    o.Prefix + a.Name,
			Comment: fmt.Sprintf("%s (%s, %s): %s with MFA", a.Name, a.ID, a.Environment, accounts.DeveloperAccessRole),
			Settings: []Setting{
				{"role_arn", a.RoleARN(accounts.DeveloperAccessRole)},
				{"source_profile", source},
				{"mfa_serial", mfa},
				{"role_session_name", o.User},
				{"region", regionOf(m, a)},
				{"duration_seconds", strconv.Itoa(int(duration.Seconds()))},
			},
		})
	}
	if o.Operator {
		home := m.HomeAccount()
		out = append(out, Profile{
			Name: o.Prefix + OperatorProfile,
			Comment: fmt.Sprintf("%s (%s, home): %s with MFA, for curfew plan|stop|start|uninstall; needs the operators group",
				home.Name, home.ID, accounts.OperatorRole),
			Settings: []Setting{
				{"role_arn", home.RoleARN(accounts.OperatorRole)},
				{"source_profile", source},
				{"mfa_serial", mfa},
				// curfew-operator trusts exactly as DeveloperAccess does: the session must be
				// named after the IAM user.
				{"role_session_name", o.User},
				{"region", m.HomeRegion},
				{"duration_seconds", strconv.Itoa(int(duration.Seconds()))},
			},
		})
	}
	if o.CredentialProcess != "" {
		out = withCredentialProcess(out, o)
	}
	if o.CI {
		out = append(out, ciProfiles(m, o)...)
	}
	return out, nil
}

// OperatorProfile is the name (after the prefix) of the profile that assumes
// curfew-operator in the home account.
const OperatorProfile = "operator"

// ciProfiles reach CurfewCI in every target account: from the CI user's own profile, or
// from an OIDC token file. They carry no MFA: CI never has a human at hand. Their session
// name is a fixed curfew-ci: CurfewCI's trust binds no user name (the pipeline is no
// person), and CloudTrail still tells its sessions from a developer's.
func ciProfiles(m *accounts.Map, o Options) []Profile {
	var out []Profile
	ciSource := o.Prefix + "ci"
	if m.CI.OIDC == nil {
		identity := m.IdentityAccount()
		out = append(out, Profile{
			Name: ciSource,
			Comment: fmt.Sprintf("CI user %s in %s (%s); its access keys belong in the CI system's secrets, never on a laptop",
				m.CI.User, identity.Name, identity.ID),
			Settings: []Setting{{"region", regionOf(m, identity)}},
		})
	}
	for _, a := range m.Targets() {
		settings := []Setting{{"role_arn", a.RoleARN(accounts.CIRole)}}
		if m.CI.OIDC == nil {
			settings = append(settings, Setting{"source_profile", ciSource})
		} else {
			settings = append(settings, Setting{"web_identity_token_file", o.WebIdentityTokenFile})
		}
		settings = append(settings,
			Setting{"role_session_name", "curfew-ci"},
			Setting{"region", regionOf(m, a)})
		out = append(out, Profile{
			Name:     o.Prefix + "ci-" + a.Name,
			Comment:  fmt.Sprintf("%s (%s): %s for pipelines, never for humans", a.Name, a.ID, accounts.CIRole),
			Settings: settings,
		})
	}
	return out
}

// validateEither checks what the options must be under either access model: a prefix
// that can start a profile name, and a web identity token for an OIDC CI principal.
func (o Options) validateEither(m *accounts.Map) []error {
	var errs []error
	if err := CheckPrefix(o.Prefix); err != nil {
		errs = append(errs, err)
	}
	if o.CI && m.CI.OIDC != nil && o.WebIdentityTokenFile == "" {
		errs = append(errs, errors.New("the map's CI principal is an OIDC provider: pass --web-identity-token-file PATH with --ci"))
	}
	return errs
}

func (o Options) validate(m *accounts.Map) error {
	var errs []error
	// Without the user name there is no role_session_name, the SDKs and the CLI invent
	// one, and DeveloperAccess refuses the session: such a profile is never written, even
	// with --mfa-serial (a device's name need not be its user's).
	switch {
	case o.User == "":
		errs = append(errs, fmt.Errorf("no IAM user: pass --user YOUR_IAM_USER; DeveloperAccess only accepts sessions named after your IAM user"+
			" (role_session_name), and mfa_serial becomes arn:aws:iam::%s:mfa/YOUR_IAM_USER unless you pass --mfa-serial ARN",
			m.IdentityAccount().ID))
	case !validName(o.User):
		errs = append(errs, fmt.Errorf("--user %q is not an IAM user name (letters, digits and +=,.@_-, at most 64)", o.User))
	case len(o.User) < minSessionName:
		errs = append(errs, fmt.Errorf("--user %q: STS takes session names of %d to 64 characters, so DeveloperAccess, which requires the session name to be the user name,"+
			" cannot be reached by a one-character IAM user; use a longer user name", o.User, minSessionName))
	}
	if o.MFASerial != "" && !serialPattern.MatchString(o.MFASerial) {
		errs = append(errs, fmt.Errorf("--mfa-serial %q is not an MFA device ARN like arn:aws:iam::ACCOUNT:mfa/NAME", o.MFASerial))
	}
	if o.Duration != 0 && (o.Duration < MinDuration || o.Duration > MaxDuration) {
		errs = append(errs, fmt.Errorf("--duration %s is outside %s to %s (%s allows sessions of at most %s; STS refuses longer ones)",
			o.Duration, MinDuration, MaxDuration, accounts.DeveloperAccessRole, MaxDuration))
	}
	if o.Operator {
		if _, clash := m.Account(OperatorProfile); clash {
			errs = append(errs, fmt.Errorf("--operator: the map has an account named %q, whose DeveloperAccess profile would share the operator profile's name", OperatorProfile))
		}
	}
	errs = append(errs, o.validateEither(m)...)
	return errors.Join(errs...)
}

// CheckPrefix fails unless prefix ("" for none) can start a profile name.
func CheckPrefix(prefix string) error {
	if prefix != "" && !validName(prefix) {
		return fmt.Errorf("--prefix %q may only hold letters, digits and +=,.@_-", prefix)
	}
	return nil
}

// regionOf is the account's default region, or the home region when it lists none.
func regionOf(m *accounts.Map, a accounts.Account) string {
	if r := a.DefaultRegion(); r != "" {
		return r
	}
	return m.HomeRegion
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+=,.@_-", r)) {
			return false
		}
	}
	return true
}
