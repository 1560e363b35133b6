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

// Bounds of an assumed-role session that STS accepts for role chaining from an IAM user.
const (
	MinDuration     = 15 * time.Minute
	MaxDuration     = 12 * time.Hour
	DefaultDuration = time.Hour
)

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
	// User is the developer's IAM user name; it also becomes the role session name, so
	// CloudTrail shows who acted.
	User string
	// Duration is the session length requested from DeveloperAccess; zero means an hour.
	Duration time.Duration
	// CI adds profiles for the CurfewCI role of every target account.
	CI bool
	// WebIdentityTokenFile is where CI finds its OIDC token, for maps whose CI principal
	// is an OIDC provider.
	WebIdentityTokenFile string
}

// Profile is one [profile NAME] section.
type Profile struct {
	Name string
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
		settings := []Setting{
			{"role_arn", a.RoleARN(accounts.DeveloperAccessRole)},
			{"source_profile", source},
			{"mfa_serial", mfa},
		}
		if o.User != "" {
			settings = append(settings, Setting{"role_session_name", o.User})
		}
		settings = append(settings,
			Setting{"region", regionOf(m, a)},
			Setting{"duration_seconds", strconv.Itoa(int(duration.Seconds()))})
		out = append(out, Profile{
			Name:     o.Prefix + a.Name,
			Comment:  fmt.Sprintf("%s (%s, %s): %s with MFA", a.Name, a.ID, a.Environment, accounts.DeveloperAccessRole),
			Settings: settings,
		})
	}
	if o.CI {
		out = append(out, ciProfiles(m, o)...)
	}
	return out, nil
}

// ciProfiles reach CurfewCI in every target account: from the CI user's own profile, or
// from an OIDC token file. They carry no MFA: CI never has a human at hand.
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

func (o Options) validate(m *accounts.Map) error {
	var errs []error
	switch {
	case o.MFASerial == "" && o.User == "":
		errs = append(errs, fmt.Errorf("no MFA device: pass --user YOUR_IAM_USER (mfa_serial becomes arn:aws:iam::%s:mfa/YOUR_IAM_USER) or --mfa-serial ARN",
			m.IdentityAccount().ID))
	case o.MFASerial != "" && !serialPattern.MatchString(o.MFASerial):
		errs = append(errs, fmt.Errorf("--mfa-serial %q is not an MFA device ARN like arn:aws:iam::ACCOUNT:mfa/NAME", o.MFASerial))
	}
	if o.User != "" && !validName(o.User) {
		errs = append(errs, fmt.Errorf("--user %q is not an IAM user name (letters, digits and +=,.@_-, at most 64)", o.User))
	}
	if o.Duration != 0 && (o.Duration < MinDuration || o.Duration > MaxDuration) {
		errs = append(errs, fmt.Errorf("--duration %s is outside %s to %s", o.Duration, MinDuration, MaxDuration))
	}
	if o.Prefix != "" && !validName(o.Prefix) {
		errs = append(errs, fmt.Errorf("--prefix %q may only hold letters, digits and +=,.@_-", o.Prefix))
	}
	if o.CI && m.CI.OIDC != nil && o.WebIdentityTokenFile == "" {
		errs = append(errs, errors.New("the map's CI principal is an OIDC provider: pass --web-identity-token-file PATH with --ci"))
	}
	return errors.Join(errs...)
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
