package profiles_test

import (
	"testing"
	"time"

	"github.com/curfew/curfew/internal/profiles"
)

// The default profiles: every MFA profile (DeveloperAccess of each target, the operator)
// runs `curfew credentials` with everything it needs on its line; the identity and CI
// profiles are as in the mfa_serial style.
func TestGenerateCredentialProcessGolden(t *testing.T) {
	tests := []struct {
		name    string
		options profiles.Options
	}{
		{"credential-process", profiles.Options{User: "alice", CredentialProcess: "/usr/local/bin/curfew"}},
		{"credential-process-operator-ci-prefix", profiles.Options{User: "alice", CredentialProcess: "/usr/local/bin/curfew",
			Operator: true, CI: true, Prefix: "acme-", Duration: 90 * time.Minute}},
		// A path and a profile name a shell would split are quoted, for the AWS CLI's
		// shlex and the SDKs' sh alike.
		{"credential-process-quoted", profiles.Options{User: "alice", CredentialProcess: "/Users/Alice Smith/bin/curfew",
			SourceProfile: "alice's keys", MFASerial: "arn:aws:iam::111111111111:mfa/alice-phone", Duration: 4 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), tt.options)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".golden", profiles.Render(ps, "\n"))
		})
	}
}
