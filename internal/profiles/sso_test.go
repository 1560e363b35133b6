package profiles_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/curfew/curfew/internal/profiles"
)

const identityCenterMap = "accounts-identity-center.yaml"

func TestGenerateSSOGolden(t *testing.T) {
	tests := []struct {
		name    string
		options profiles.Options
	}{
		{"sso-developer", profiles.Options{}},
		{"sso-operator-ci-prefix", profiles.Options{Operator: true, CI: true, Prefix: "acme-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := profiles.Generate(loadMap(t, identityCenterMap), tt.options)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".golden", profiles.Render(ps, "\n"))
		})
	}
}

// The options of the IAM-users model mean nothing with Identity Center, and are refused
// with the flag's name rather than written into profiles that ignore them.
func TestGenerateSSORejectsIAMUserOptions(t *testing.T) {
	m := loadMap(t, identityCenterMap)
	noOperators := loadMap(t, identityCenterMap)
	noOperators.IdentityCenter.OperatorGroups = nil
	oidcCI := loadMap(t, identityCenterMap)
	oidcCI.CI = loadMap(t, "accounts-oidc.yaml").CI
	refusesEach(t, []refusal{
		{"user", m, profiles.Options{User: "alice"}, []string{"--user: with access: identity-center you sign in through the access portal"}},
		{"mfa serial and source profile", m, profiles.Options{MFASerial: "arn:aws:iam::111111111111:mfa/alice", SourceProfile: "work"},
			[]string{"--mfa-serial:", "--source-profile:"}},
		{"operator without operator groups", noOperators, profiles.Options{Operator: true}, []string{"identityCenter.operatorGroups is empty"}},
		{"bad prefix", m, profiles.Options{Prefix: "a b"}, []string{"--prefix"}},
		{"oidc without token file", oidcCI, profiles.Options{CI: true}, []string{"--web-identity-token-file PATH with --ci"}},
	})
}

// The AWS SDK's shared-config parser resolves each profile's sso_session to curfew's
// [sso-session curfew] section, next to the user's own sso-session.
func TestSDKReadsSSOProfiles(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, identityCenterMap), profiles.Options{Operator: true})
	if err != nil {
		t.Fatal(err)
	}
	path := mergedConfig(t, ps)
	load := func(name string) config.SharedConfig {
		t.Helper()
		c, err := config.LoadSharedConfigProfile(context.Background(), name, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles = []string{path}
			o.CredentialsFiles = []string{filepath.Join(t.TempDir(), "none")}
		})
		if err != nil {
			t.Fatalf("profile %s: %v", name, err)
		}
		return c
	}
	for _, tt := range []struct{ profile, account, role, region string }{
		{"staging", "222222222222", "DeveloperAccess-non-production", "eu-west-1"},
		{"production", "444444444444", "DeveloperAccess-production", "eu-west-1"},
		{"operator", "111111111111", "CurfewOperator", "eu-west-1"},
	} {
		c := load(tt.profile)
		if c.SSOSessionName != "curfew" || c.SSOSession == nil || c.SSOSession.SSOStartURL != "https://acme.awsapps.com/start" ||
			c.SSOSession.SSORegion != "eu-west-1" || c.SSOAccountID != tt.account || c.SSORoleName != tt.role || c.Region != tt.region {
			t.Errorf("%s as the SDK reads it: session %q %+v, account %s, role %s, region %s", tt.profile,
				c.SSOSessionName, c.SSOSession, c.SSOAccountID, c.SSORoleName, c.Region)
		}
	}
	if got := load("billing"); got.SSOSession == nil || got.SSOSession.Name != "acme-sso" {
		t.Errorf("the user's billing profile lost its own sso-session: %+v", got)
	}
}

// A user's own [sso-session curfew] outside the block would be merged silently with
// curfew's by the AWS CLI: it is refused as a conflict, like a profile of the same name.
// Keys a user adds inside curfew's sso-session section survive a rerun.
func TestMergeSSOSession(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, identityCenterMap), profiles.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = profiles.Merge([]byte("[sso-session curfew]\nsso_start_url = https://other.awsapps.com/start\n"), ps)
	var conflict *profiles.ConflictError
	if !errors.As(err, &conflict) || conflict.Names[0] != "sso-session curfew" {
		t.Fatalf("Merge = %v, want a conflict naming sso-session curfew", err)
	}
	// A profile named like the session is another section.
	if _, err := profiles.Merge([]byte("[profile curfew]\nregion = eu-west-1\n"), ps); err != nil {
		t.Errorf("a profile named curfew: %v", err)
	}
	first, err := profiles.Merge(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(first), "sso_registration_scopes = sso:account:access\n",
		"sso_registration_scopes = sso:account:access\nsso_start_url = https://wrong.awsapps.com/start\nmine = kept\n", 1)
	again, err := profiles.Merge([]byte(edited), ps)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(again), "sso_registration_scopes = sso:account:access\nmine = kept\n") ||
		strings.Contains(string(again), "wrong.awsapps.com") {
		t.Errorf("rerun over an edited sso-session:\n%s", again)
	}
}
