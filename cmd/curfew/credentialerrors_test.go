package main

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/emulator"
)

// writeConfig makes config the AWS config file, with no credentials file and no other
// way to credentials, and points the SDK at endpoint; HOME is empty, so no SSO sign-in
// is cached.
func writeConfig(t *testing.T, endpoint, config string) {
	t.Helper()
	isolateAWSEnv(t)
	file := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", file)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

// Errors that are not about credentials get hints of their own, never "put access keys
// in the credentials file": the keys are fine, the terminal or the network is not.
func TestErrorsThatAreNotAboutCredentials(t *testing.T) {
	mapPath, ids := testMap(t)
	s := emulator.Shared(t)
	closed := httptest.NewServer(nil)
	closed.Close()
	tests := []struct {
		name  string
		setup func(t *testing.T)
		stdin string
		args  []string
		is    error
		want  []string
	}{
		{"MFA code asked with no terminal", func(t *testing.T) { developerEnv(t, mapPath, s.URL) }, "",
			[]string{"plan", "--account", "staging", "--profile", "staging"},
			ErrNoMFACode, []string{`profile "staging" asks for an MFA code, and stdin is not a terminal`, "next: run curfew in a terminal"}},
		{"STS's name does not resolve, assuming a role", func(t *testing.T) {
			developerEnv(t, mapPath, s.URL)
			t.Setenv("AWS_ENDPOINT_URL_STS", "http://sts.curfew-test.invalid")
		}, "123456\n", []string{"plan", "--account", "staging", "--profile", "staging"},
			ErrUnreachable, []string{"cannot resolve sts.curfew-test.invalid", "next: check your network connection, DNS"}},
		{"STS's name does not resolve, checking the account", func(t *testing.T) {
			operatorEnv(t, "http://sts.curfew-test.invalid", s.URL, s.URL, map[string]string{"ops": ids["identity"]})
		}, "", []string{"plan", "--account", "staging", "--profile", "ops"},
			ErrUnreachable, []string{"cannot resolve sts.curfew-test.invalid", `profile "ops"`}},
		{"nothing listens at the endpoint", func(t *testing.T) {
			operatorEnv(t, closed.URL, s.URL, s.URL, map[string]string{"ops": ids["identity"]})
		}, "", []string{"plan", "--account", "staging", "--profile", "ops"},
			ErrUnreachable, []string{"no answer from AWS", "connection refused", "next: check your network connection"}},
		// The profiles curfew profiles writes by default (credential_process), under plan
		// and exec: each cause with its own step, never the access-keys hint.
		// A credential_process the SDK runs (another program's line, or curfew's of another
		// version) whose program is gone, or that says a login is needed.
		{"plan: the credential_process program moved", func(t *testing.T) {
			writeConfig(t, s.URL, "[profile staging]\ncredential_process = /nowhere/bin/curfew credentials staging --profile staging\n")
		}, "", []string{"plan", "--account", "staging", "--profile", "staging"},
			nil, []string{`profile "staging": its credential_process program is not there any more`, "next: run `curfew profiles` again"}},
		{"plan: the credential_process needs a login", func(t *testing.T) {
			writeConfig(t, s.URL, fmt.Sprintf("[profile staging]\ncredential_process = sh -c 'exit %d'\n", credcause.CredentialProcessExit))
		}, "", []string{"plan", "--account", "staging", "--profile", "staging"},
			credcause.ErrLogin, []string{`profile "staging": no MFA session is open today`, "next: run `curfew login` in a terminal"}},
		// curfew's own profile: plan gets its credentials in its own process, so there is
		// one line, and with no terminal to ask on it says to log in first.
		{"plan: curfew's profile, no session and no terminal", func(t *testing.T) {
			writeConfig(t, s.URL, "[profile staging]\ncredential_process = /nowhere/bin/curfew credentials staging --role-arn arn:aws:iam::"+ids["staging"]+":role/DeveloperAccess --source-profile identity --mfa-serial arn:aws:iam::"+ids["identity"]+":mfa/alice --session-name alice\n\n[profile identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = s\n")
		}, "", []string{"plan", "--account", "staging", "--profile", "staging"},
			ErrNoMFACode, []string{`profile "staging" asks for an MFA code, and there is no terminal to type it on`, "next: run `curfew login` in a terminal first"}},
		{"plan: Identity Center not signed in", func(t *testing.T) {
			writeConfig(t, s.URL, "[sso-session curfew]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n[profile staging]\nsso_session = curfew\nsso_account_id = "+ids["staging"]+"\nsso_role_name = DeveloperAccess-non-production\nregion = eu-west-1\n")
		}, "", []string{"plan", "--account", "staging", "--profile", "staging"},
			credcause.ErrLogin, []string{"not signed in to IAM Identity Center (sso-session curfew)", "next: aws sso login --sso-session curfew"}},
		{"exec: Identity Center not signed in", func(t *testing.T) {
			writeConfig(t, s.URL, "[sso-session curfew]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n[profile staging]\nsso_session = curfew\nsso_account_id = "+ids["staging"]+"\nsso_role_name = DeveloperAccess-non-production\nregion = eu-west-1\n")
		}, "", []string{"exec", "staging", "--", "true"},
			credcause.ErrLogin, []string{"not signed in to IAM Identity Center (sso-session curfew)", "next: aws sso login --sso-session curfew"}},
		// A profile with no credentials at all still gets the credentials hint.
		{"no credentials anywhere", func(t *testing.T) { isolateAWSEnv(t) }, "",
			[]string{"plan", "--account", "staging", "--profile", ""},
			ErrMissingProfile, []string{"put access keys in the credentials file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			r := curfew(t, tt.stdin, append([]string{"--map", mapPath}, tt.args...)...)
			if r.err == nil || tt.is != nil && !errors.Is(r.err, tt.is) {
				t.Fatalf("error = %v, want %v", r.err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, r.err)
				}
			}
			if tt.is != ErrMissingProfile && strings.Contains(r.err.Error(), "access keys") {
				t.Errorf("a hint about access keys for an error that is not about them:\n%v", r.err)
			}
		})
	}
}
