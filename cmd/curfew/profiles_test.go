package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func Example_profilesDryRun() {
	example("--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--prefix", "acme-",
		"--config-file", "testdata/user-config", "--dry-run")
	// Output:
	// --- testdata/user-config
	// +++ testdata/user-config (curfew)
	// @@ -3,3 +3,26 @@
	//  # my own account
	//  [profile personal]
	//  region = eu-south-2
	// +
	// +# BEGIN curfew profiles: written by `curfew profiles` from the account map; edits between BEGIN and END are replaced.
	// +# curfew never writes credentials: access keys stay in the credentials file.
	// +
	// +# identity (111111111111): your IAM user; its access keys belong in the credentials file (aws configure --profile acme-identity)
	// +[profile acme-identity]
	// +region = eu-west-1
	// +
	// +# staging (222222222222, non-production): DeveloperAccess from curfew's daily MFA session (one code a day)
	// +[profile acme-staging]
	// +credential_process = /usr/local/bin/curfew credentials staging --role-arn arn:aws:iam::222222222222:role/DeveloperAccess --source-profile acme-identity --mfa-serial arn:aws:iam::111111111111:mfa/alice --session-name alice --duration 1h
	// +region = eu-west-1
	// +
	// +# sandbox (333333333333, non-production): DeveloperAccess from curfew's daily MFA session (one code a day)
	// +[profile acme-sandbox]
	// +credential_process = /usr/local/bin/curfew credentials sandbox --role-arn arn:aws:iam::333333333333:role/DeveloperAccess --source-profile acme-identity --mfa-serial arn:aws:iam::111111111111:mfa/alice --session-name alice --duration 1h
	// +region = eu-west-1
	// +
	// +# production (444444444444, production): DeveloperAccess from curfew's daily MFA session (one code a day)
	// +[profile acme-production]
	// +credential_process = /usr/local/bin/curfew credentials production --role-arn arn:aws:iam::444444444444:role/DeveloperAccess --source-profile acme-identity --mfa-serial arn:aws:iam::111111111111:mfa/alice --session-name alice --duration 1h
	// +region = eu-west-1
	// +# END curfew profiles
}

func Example_profilesWithoutUser() {
	example("--map", "testdata/accounts.yaml", "profiles", "--config-file", "testdata/user-config")
	// Output:
	// curfew: invalid input: no IAM user: pass --user YOUR_IAM_USER; DeveloperAccess only accepts sessions named after your IAM user (role_session_name), and mfa_serial becomes arn:aws:iam::111111111111:mfa/YOUR_IAM_USER unless you pass --mfa-serial ARN
	//   next: fix the flags above; curfew profiles --help lists them
}

func TestProfilesWriteBackupAndRerun(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config")
	original := "# mine\n[profile personal]\nregion = eu-south-2"
	if err := os.WriteFile(config, []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	r := curfew(t, "", "--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--config-file", config)
	if r.err != nil {
		t.Fatal(r.err)
	}
	backup := config + ".curfew-20261127T183000Z.bak"
	if b, err := os.ReadFile(backup); err != nil || string(b) != original {
		t.Errorf("backup %s: %q, %v", backup, b, err)
	}
	holds(t, "stderr", r.stderr, "wrote 4 profiles to "+config, "backup: "+backup, "aws configure --profile identity", "aws sts get-caller-identity --profile staging")
	written, _ := os.ReadFile(config)
	if !strings.HasPrefix(string(written), original+"\n") || !strings.Contains(string(written), "[profile staging]") {
		t.Errorf("config after the run:\n%s", written)
	}
	again := curfew(t, "", "--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--config-file", config)
	if again.err != nil || !strings.Contains(again.stderr, "nothing written") {
		t.Errorf("second run: %v\n%s", again.err, again.stderr)
	}
	if after, _ := os.ReadFile(config); string(after) != string(written) {
		t.Error("second run changed the file")
	}
	dry := curfew(t, "", "--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--config-file", config, "--dry-run")
	if dry.err != nil || !strings.Contains(dry.stdout, "nothing to change") {
		t.Errorf("dry run after the run: %v\n%s", dry.err, dry.stdout)
	}
}

// What `aws configure` writes into one of curfew's sections survives the next `curfew
// profiles`, as the pinned AWS CLI itself reads it back.
func TestProfilesKeepWhatAWSConfigureAdded(t *testing.T) {
	awsCLI := pinnedAWSCLI(t)
	config := filepath.Join(t.TempDir(), "config")
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(awsCLI, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=" + config,
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "credentials")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if r := curfew(t, "", "--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--mfa-per-profile", "--config-file", config); r.err != nil {
		t.Fatal(r.err)
	}
	// The AWS CLI appends the key at the end of the section as it sees it: after the blank
	// line and the comment curfew wrote above [profile staging], inside curfew's block.
	aws("configure", "set", "output", "json", "--profile", "identity")
	written, _ := os.ReadFile(config)
	if !strings.Contains(string(written), "output = json\n[profile staging]\n") || aws("configure", "get", "output", "--profile", "identity") != "json" {
		t.Fatalf("aws configure did not write into curfew's block, so this test proves nothing:\n%s", written)
	}
	// A second run that changes the block (another duration) keeps the user's key.
	if r := curfew(t, "", "--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--mfa-per-profile", "--duration", "2h", "--config-file", config); r.err != nil {
		t.Fatal(r.err)
	}
	if got := aws("configure", "get", "output", "--profile", "identity"); got != "json" {
		t.Errorf("output of profile identity after curfew profiles = %q, want json", got)
	}
	if got := aws("configure", "get", "duration_seconds", "--profile", "staging"); got != "7200" {
		t.Errorf("duration_seconds of staging = %q, want 7200 (the second run wrote nothing?)", got)
	}
}

// After writing, profiles says the next steps that fit the access model: Identity Center
// signs in with aws sso login and hears nothing of MFA codes; IAM users put their keys
// in, run curfew login once, and try an account; a --source-profile that exists is taken.
func TestProfilesNextSteps(t *testing.T) {
	isolateAWSEnv(t)
	keys := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(keys, []byte("[mykeys]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", keys)
	tests := []struct {
		name     string
		args     []string
		want     []string
		dontWant []string
	}{
		{"identity center", []string{"--map", "testdata/accounts-identity-center.yaml", "profiles"},
			[]string{"next: sign in with `aws sso login --sso-session curfew`"}, []string{"MFA code", "curfew login"}},
		{"iam users", []string{"--map", "testdata/accounts.yaml", "profiles", "--user", "alice"},
			[]string{"aws configure --profile identity", "then run `curfew login` (it asks for your MFA code once"}, nil},
		{"an existing source profile", []string{"--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--source-profile", "mykeys"},
			[]string{"next: run `curfew login`"}, []string{"aws configure"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := curfew(t, "", append(tt.args, "--config-file", filepath.Join(t.TempDir(), "config"))...)
			if r.err != nil {
				t.Fatal(r.err)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			for _, w := range tt.dontWant {
				if strings.Contains(r.stderr, w) {
					t.Errorf("stderr says %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}
