package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
)

// Wrong input fails with a hint before any AWS call.
func TestSnoozeRefusesBeforeAnyAWSCall(t *testing.T) {
	mapPath, _ := testMap(t)
	endpoint, calls := countingEndpoint(t)
	configFile := developerEnv(t, mapPath, endpoint.URL)
	// A profile like curfew's whose source profile has no access keys yet.
	appendFile(t, configFile, fmt.Sprintf("\n[profile nokeys-source]\nregion = eu-west-1\n[profile nokeys]\nrole_arn = arn:aws:iam::%s:role/DeveloperAccess\nsource_profile = nokeys-source\n", emulator.NewAccountID()))
	tests := []struct {
		name string
		args []string
		is   error
		want string
	}{
		{"production", []string{"production", "i-0123456789abcdef0", "--until", "1h"}, ErrProduction, "choose a non-production account: staging, sandbox"},
		{"unknown account", []string{"stagign", "i-0123456789abcdef0", "--until", "1h"}, ErrUnknownAccount, "use one of staging, sandbox, production"},
		{"identity account", []string{"identity", "i-0123456789abcdef0", "--until", "1h"}, ErrUnknownAccount, "use one of"},
		{"missing profile", []string{"staging", "i-0123456789abcdef0", "--until", "1h", "--profile", "bob"}, ErrMissingProfile, "curfew profiles --user"},
		{"identity keys missing", []string{"staging", "i-0123456789abcdef0", "--until", "1h", "--profile", "nokeys"}, ErrMissingProfile,
			"aws configure --profile nokeys-source"},
		{"past", []string{"staging", "i-0123456789abcdef0", "--until", "2026-11-27T10:00:00Z"}, ErrInvalidInput, "is in the past"},
		{"too far", []string{"staging", "i-0123456789abcdef0", "--until", "8d"}, ErrInvalidInput, "more than 7 days ahead"},
		{"not a time", []string{"staging", "i-0123456789abcdef0", "--until", "soon"}, ErrInvalidInput, "nor a duration"},
		{"a date that does not exist", []string{"staging", "i-0123456789abcdef0", "--until", "2026-11-31 09:00"}, ErrInvalidInput, "nor a duration"},
		{"tonight and until", []string{"staging", "i-0123456789abcdef0", "--tonight", "--until", "1h"}, ErrInvalidInput, "--tonight and --until both"},
		{"cancel with until", []string{"--cancel", "staging", "i-0123456789abcdef0", "--until", "1h"}, ErrInvalidInput, "--cancel takes no --until"},
		{"cancel with tonight", []string{"--cancel", "staging", "i-0123456789abcdef0", "--tonight"}, ErrInvalidInput, "curfew snooze --cancel staging i-0123456789abcdef0"},
		{"cancel without resource", []string{"--cancel", "staging"}, ErrInvalidInput, "RESOURCE-ID"},
		{"list with tonight", []string{"staging", "--list", "--tonight"}, ErrInvalidInput, "--list takes only the account"},
		{"cancel production", []string{"--cancel", "production", "i-0123456789abcdef0"}, ErrProduction, "choose a non-production account"},
		{"no until", []string{"staging", "i-0123456789abcdef0"}, ErrInvalidInput, "--until is missing"},
		// Issue 28, item 5: tonight's stop is at 20:00 (testNow is 19:30 in Madrid).
		{"a snooze that ends before the stop", []string{"staging", "i-0123456789abcdef0", "--until", "19:45"}, ErrInvalidInput,
			"ends at Friday 27 Nov 2026 19:45 CET, before the next stop at Friday 27 Nov 2026 20:00 CET"},
		{"json without list", []string{"staging", "i-0123456789abcdef0", "--tonight", "--json"}, ErrInvalidInput, "--json goes with --list"},
		{"no resource", []string{"staging", "--until", "1h"}, ErrInvalidInput, "RESOURCE-ID"},
		{"foreign region", []string{"staging", "i-0123456789abcdef0", "--until", "1h", "--region", "us-east-1"}, ErrInvalidInput, "eu-west-1, eu-central-1"},
		// Issue 26, item 12: an empty --region is no region, never "every region".
		{"empty region with --list", []string{"staging", "--list", "--region", ""}, ErrInvalidInput, "--region is empty"},
		{"blank region", []string{"staging", "i-0123456789abcdef0", "--until", "1h", "--region", " "}, ErrInvalidInput, "--region is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curfew(t, "123456\n", append([]string{"--map", mapPath, "snooze"}, tt.args...)...)
			if !errors.Is(r.err, tt.is) || !strings.Contains(r.err.Error(), tt.want) {
				t.Errorf("error = %v, want %v saying %q", r.err, tt.is, tt.want)
			}
			if !strings.Contains(r.err.Error(), "next: ") {
				t.Errorf("error %q does not say what to do next", r.err)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d AWS calls made, want none", n)
	}
}
