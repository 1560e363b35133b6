package main

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
)

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
		// A profile with no credentials at all still gets the credentials hint.
		{"no credentials anywhere", func(t *testing.T) { isolateAWSEnv(t) }, "",
			[]string{"plan", "--account", "staging", "--profile", ""},
			ErrMissingProfile, []string{"put access keys in the credentials file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup(t)
			r := curfew(t, tt.stdin, append([]string{"--map", mapPath}, tt.args...)...)
			if !errors.Is(r.err, tt.is) {
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
