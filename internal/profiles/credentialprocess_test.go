package profiles_test

import (
	"bytes"
	"strings"
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

// Switching style, either way, leaves no key of the other style behind (a profile with
// role_arn and credential_process is read as the role_arn one) and keeps what the user
// added (output = json).
func TestMergeSwitchesStyle(t *testing.T) {
	m := loadMap(t, "accounts.yaml")
	plain, err := profiles.Generate(m, profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	daily, err := profiles.Generate(m, profiles.Options{User: "alice", CredentialProcess: "/usr/local/bin/curfew"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		from, to  []profiles.Profile
		want, not []string
	}{
		{"to credential_process", plain, daily, []string{"credential_process = "}, []string{"role_arn", "mfa_serial", "source_profile", "role_session_name", "duration_seconds"}},
		{"to mfa_serial", daily, plain, []string{"role_arn = ", "mfa_serial = "}, []string{"credential_process"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := profiles.Merge(nil, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			before = bytes.Replace(before, []byte("[profile staging]\n"), []byte("[profile staging]\noutput = json\n"), 1)
			before = bytes.Replace(before, []byte("[profile identity]\n"), []byte("[profile identity]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n"), 1)
			after, err := profiles.Merge(before, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if identity := section(string(after), "identity"); !strings.Contains(identity, "mfa_serial = arn:aws:iam::111111111111:mfa/alice") {
				t.Errorf("the identity profile lost the user's mfa_serial (aws-vault reads it there):\n%s", identity)
			}
			staging := section(string(after), "staging")
			for _, w := range append(tt.want, "output = json") {
				if !strings.Contains(staging, w) {
					t.Errorf("[profile staging] lacks %q:\n%s", w, staging)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(staging, n) {
					t.Errorf("[profile staging] still has %s:\n%s", n, staging)
				}
			}
		})
	}
}

// section returns the lines of [profile name] in config, up to the next blank line.
func section(config, name string) string {
	_, rest, _ := strings.Cut(config, "[profile "+name+"]\n")
	s, _, _ := strings.Cut(rest, "\n\n")
	return s
}

// A credential_process line curfew writes reads back as the request it was written
// from, quoting included (a path with a blank, a profile with a quote); other programs'
// lines are not curfew's.
func TestParseCredentialProcessReadsWhatGenerateWrote(t *testing.T) {
	o := profiles.Options{User: "alice", CredentialProcess: "/Users/Alice Smith/bin/curfew", SourceProfile: "alice's keys",
		MFASerial: "arn:aws:iam::111111111111:mfa/alice-phone", Duration: 90 * time.Minute, Prefix: "acme-"}
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), o)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, p := range ps {
		for _, s := range p.Settings {
			if s.Key != "credential_process" {
				continue
			}
			found++
			cp, ok := profiles.ParseCredentialProcess(s.Value)
			want := profiles.CredentialProcess{Program: o.CredentialProcess, Account: strings.TrimPrefix(p.Name, "acme-"), RoleARN: cp.RoleARN,
				SourceProfile: "alice's keys", MFASerial: o.MFASerial, SessionName: "alice", Duration: 90 * time.Minute}
			if !ok || cp != want || !strings.HasPrefix(cp.RoleARN, "arn:aws:iam::") {
				t.Errorf("%s: ParseCredentialProcess(%q) = %+v, %v; want %+v", p.Name, s.Value, cp, ok, want)
			}
		}
	}
	if found == 0 {
		t.Fatal("no credential_process line written")
	}
	for _, line := range []string{"aws-vault export --format=json staging", `curfew credentials "$ACCOUNT" --role-arn x`, "/bin/curfew credentials staging --role-arn"} {
		if cp, ok := profiles.ParseCredentialProcess(line); ok {
			t.Errorf("ParseCredentialProcess(%q) = %+v, want not curfew's", line, cp)
		}
	}
}
