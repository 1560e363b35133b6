package profiles_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/profiles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func loadMap(t *testing.T, name string) *accounts.Map {
	t.Helper()
	m, err := accounts.Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// golden compares got with testdata/<name>, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, profiles.Diff(path, "got", want, got))
	}
}

func TestGenerateGolden(t *testing.T) {
	tests := []struct {
		name, accountMap string
		options          profiles.Options
	}{
		{"developer", "accounts.yaml", profiles.Options{User: "alice"}},
		{"mfa-serial-prefix", "accounts.yaml", profiles.Options{User: "alice",
			MFASerial: "arn:aws:iam::111111111111:mfa/alice-phone", Prefix: "acme-", Duration: 4 * time.Hour}},
		{"source-profile", "accounts.yaml", profiles.Options{User: "alice", SourceProfile: "work"}},
		{"ci-user", "accounts.yaml", profiles.Options{User: "alice", CI: true}},
		{"ci-oidc", "accounts-oidc.yaml", profiles.Options{User: "alice", CI: true,
			WebIdentityTokenFile: "/var/run/secrets/ci/token"}},
		{"operator-prefix", "accounts.yaml", profiles.Options{User: "alice", Operator: true, Prefix: "acme-"}},
		{"operator-source-profile", "accounts.yaml", profiles.Options{User: "alice", Operator: true, SourceProfile: "work"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := profiles.Generate(loadMap(t, tt.accountMap), tt.options)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".golden", profiles.Render(ps, "\n"))
		})
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	m := loadMap(t, "accounts.yaml")
	oidc := loadMap(t, "accounts-oidc.yaml")
	refusesEach(t, []refusal{
		{"no user", m, profiles.Options{}, []string{"--user YOUR_IAM_USER", "arn:aws:iam::111111111111:mfa/YOUR_IAM_USER"}},
		// DeveloperAccess refuses a session not named after the IAM user: a profile
		// without role_session_name would fail at every use.
		{"MFA device without user", m, profiles.Options{MFASerial: "arn:aws:iam::111111111111:mfa/alice-phone"},
			[]string{"--user YOUR_IAM_USER", "role_session_name"}},
		{"user too short for a session name", m, profiles.Options{User: "a"}, []string{`--user "a"`, "2 to 64 characters"}},
		{"bad serial", m, profiles.Options{User: "alice", MFASerial: "my phone"}, []string{`--mfa-serial "my phone"`}},
		{"bad user and duration, all reported", m, profiles.Options{User: "alice smith", Duration: 13 * time.Hour},
			[]string{`--user "alice smith"`, "--duration 13h0m0s is outside 15m0s to 4h0m0s"}},
		// DeveloperAccess allows 4 h: a longer duration_seconds makes STS refuse every use.
		{"duration above DeveloperAccess's maximum", m, profiles.Options{User: "alice", Duration: 5 * time.Hour},
			[]string{"--duration 5h0m0s", "DeveloperAccess allows sessions of at most 4h0m0s"}},
		{"duration a minute too long", m, profiles.Options{User: "alice", Duration: accounts.DeveloperSessionMax + time.Minute},
			[]string{"--duration 4h1m0s"}},
		{"bad prefix", m, profiles.Options{User: "alice", Prefix: "acme/"}, []string{`--prefix "acme/"`}},
		{"oidc without token file", oidc, profiles.Options{User: "alice", CI: true}, []string{"--web-identity-token-file"}},
		{"operator without user", m, profiles.Options{Operator: true}, []string{"--user YOUR_IAM_USER"}},
		{"operator beside an account named operator", loadMap(t, "accounts-operator.yaml"), profiles.Options{User: "alice", Operator: true},
			[]string{`--operator: the map has an account named "operator"`}},
	})
}

// refusal is a map and options Generate refuses, with what its error must say.
type refusal struct {
	name    string
	m       *accounts.Map
	options profiles.Options
	want    []string
}

// refusesEach checks that Generate refuses each, saying all of its want.
func refusesEach(t *testing.T, refusals []refusal) {
	t.Helper()
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profiles.Generate(tt.m, tt.options)
			if err == nil {
				t.Fatal("Generate succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// Every DeveloperAccess profile names its session after the user, as DeveloperAccess's
// trust requires (sts:RoleSessionName = ${aws:username}); CurfewCI profiles keep their
// fixed session name, since CurfewCI is bound to no user.
func TestEveryDeveloperProfileNamesItsSession(t *testing.T) {
	for _, o := range []profiles.Options{
		{User: "alice"},
		{User: "bob", MFASerial: "arn:aws:iam::111111111111:mfa/bob-phone", Prefix: "acme-"},
		{User: "carol", SourceProfile: "work", CI: true},
	} {
		ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), o)
		if err != nil {
			t.Fatal(err)
		}
		developer := 0
		for _, p := range ps {
			settings := map[string]string{}
			for _, s := range p.Settings {
				settings[s.Key] = s.Value
			}
			switch role := settings["role_arn"]; {
			case strings.HasSuffix(role, ":role/"+accounts.DeveloperAccessRole):
				developer++
				if settings["role_session_name"] != o.User {
					t.Errorf("%+v: profile %s has role_session_name %q, want %q", o, p.Name, settings["role_session_name"], o.User)
				}
			case strings.HasSuffix(role, ":role/"+accounts.CIRole):
				if settings["role_session_name"] != "curfew-ci" {
					t.Errorf("%+v: CI profile %s has role_session_name %q", o, p.Name, settings["role_session_name"])
				}
			}
		}
		if developer != 3 {
			t.Errorf("%+v: %d DeveloperAccess profiles, want 3", o, developer)
		}
	}
}

// The operator profile assumes curfew-operator in the home account under the same
// conditions as DeveloperAccess: MFA, and a session named after the user; without
// --operator there is none.
func TestOperatorProfile(t *testing.T) {
	m := loadMap(t, "accounts.yaml")
	home := m.HomeAccount()
	for _, o := range []profiles.Options{
		{User: "alice", Operator: true},
		{User: "bob", Operator: true, Prefix: "acme-", MFASerial: "arn:aws:iam::111111111111:mfa/bob-phone", Duration: 2 * time.Hour},
		{User: "carol", Operator: true, SourceProfile: "work"},
	} {
		ps, err := profiles.Generate(m, o)
		if err != nil {
			t.Fatal(err)
		}
		var op []profiles.Profile
		for _, p := range ps {
			if strings.HasSuffix(settingsOf(p)["role_arn"], ":role/"+accounts.OperatorRole) {
				op = append(op, p)
			}
		}
		if len(op) != 1 {
			t.Fatalf("%+v: %d curfew-operator profiles, want 1", o, len(op))
		}
		mfa := o.MFASerial
		if mfa == "" {
			mfa = "arn:aws:iam::" + m.IdentityAccount().ID + ":mfa/" + o.User
		}
		source := o.SourceProfile
		if source == "" {
			source = o.Prefix + "identity"
		}
		duration := o.Duration
		if duration == 0 {
			duration = profiles.DefaultDuration
		}
		want := map[string]string{
			"role_arn": home.RoleARN(accounts.OperatorRole), "source_profile": source, "mfa_serial": mfa,
			"role_session_name": o.User, "region": m.HomeRegion, "duration_seconds": fmt.Sprint(int(duration.Seconds())),
		}
		if got := settingsOf(op[0]); op[0].Name != o.Prefix+profiles.OperatorProfile || !maps.Equal(got, want) {
			t.Errorf("%+v: profile %s = %v, want %s = %v", o, op[0].Name, got, o.Prefix+profiles.OperatorProfile, want)
		}
	}
	ps, err := profiles.Generate(m, profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if strings.Contains(settingsOf(p)["role_arn"], accounts.OperatorRole) {
			t.Errorf("profile %s without --operator assumes %s", p.Name, accounts.OperatorRole)
		}
	}
}

func settingsOf(p profiles.Profile) map[string]string {
	out := map[string]string{}
	for _, s := range p.Settings {
		out[s.Key] = s.Value
	}
	return out
}

// curfew never writes credentials, whatever the options.
func TestRenderHoldsNoCredentials(t *testing.T) {
	for _, o := range []profiles.Options{{User: "alice"}, {User: "alice", CI: true}} {
		ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), o)
		if err != nil {
			t.Fatal(err)
		}
		block := string(profiles.Render(ps, "\n"))
		for _, key := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} {
			if strings.Contains(block, key) {
				t.Errorf("block with %+v contains %s", o, key)
			}
		}
	}
}

// The AWS SDK's own shared-config parser reads what curfew writes.
func TestSDKReadsProfiles(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), profiles.Options{User: "alice", Duration: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	path := mergedConfig(t, ps)
	// The identity profile's keys are the developer's own, in the credentials file.
	credentials := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(credentials, []byte("[identity]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(name string) config.SharedConfig {
		t.Helper()
		c, err := config.LoadSharedConfigProfile(context.Background(), name, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles = []string{path}
			o.CredentialsFiles = []string{credentials}
		})
		if err != nil {
			t.Fatalf("profile %s: %v", name, err)
		}
		return c
	}
	staging := load("staging")
	if staging.RoleARN != "arn:aws:iam::222222222222:role/DeveloperAccess" || staging.SourceProfileName != "identity" ||
		staging.MFASerial != "arn:aws:iam::111111111111:mfa/alice" || staging.Region != "eu-west-1" ||
		staging.RoleDurationSeconds == nil || *staging.RoleDurationSeconds != 2*time.Hour || staging.RoleSessionName != "alice" {
		t.Errorf("staging profile as the SDK reads it: %+v", staging)
	}
	if got := load("sandbox").RoleARN; got != "arn:aws:iam::333333333333:role/DeveloperAccess" {
		t.Errorf("sandbox role_arn = %s", got)
	}
	// The user's own profiles still read as before.
	if got := load("billing"); got.SSOAccountID != "555555555555" || got.SSOSessionName != "acme-sso" {
		t.Errorf("billing profile: %+v", got)
	}
	if got := load("personal").Region; got != "eu-south-2" {
		t.Errorf("personal region = %q", got)
	}
}

func TestMergeGolden(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := filepath.Glob("testdata/merge/*.config")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no merge fixtures: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".config")
		t.Run(name, func(t *testing.T) {
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := profiles.Merge(input, ps)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("merge", name+".golden"), got)
			assertUserBytesKept(t, input, got)
			again, err := profiles.Merge(got, ps)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, got) {
				t.Errorf("second merge changed the file:\n%s", profiles.Diff("first", "second", got, again))
			}
			if bytes.Contains(input, []byte("\r\n")) && bytes.Count(got, []byte("\n")) != bytes.Count(got, []byte("\r\n")) {
				t.Error("a CRLF file got lines ending in a bare LF")
			}
		})
	}
}

// assertUserBytesKept checks that everything outside curfew's block is the user's input:
// byte for byte around a block that was replaced, or the input followed by line endings
// when the block was appended.
func assertUserBytesKept(t *testing.T, input, got []byte) {
	t.Helper()
	outsideIn, hadBlock := outside(input)
	outsideGot, hasBlock := outside(got)
	if !hasBlock {
		t.Fatal("merged file has no curfew block")
	}
	if hadBlock {
		if !bytes.Equal(outsideIn, outsideGot) {
			t.Errorf("bytes outside the block changed:\n%s", profiles.Diff("input", "merged", outsideIn, outsideGot))
		}
		return
	}
	if !bytes.HasPrefix(got, input) {
		t.Errorf("merged file does not start with the input:\n%s", profiles.Diff("input", "merged", input, got))
	}
	if extra := bytes.Trim(outsideGot[len(input):], "\r\n"); len(extra) > 0 {
		t.Errorf("merge added %q outside the block", extra)
	}
}

// outside returns data without curfew's block.
func outside(data []byte) ([]byte, bool) {
	begin := bytes.Index(data, []byte(profiles.BeginMarker))
	if begin < 0 {
		return data, false
	}
	end := bytes.Index(data, []byte(profiles.EndMarker)) + len(profiles.EndMarker)
	if bytes.HasPrefix(data[end:], []byte("\r\n")) {
		end += 2
	} else if bytes.HasPrefix(data[end:], []byte("\n")) {
		end++
	}
	return append(append([]byte{}, data[:begin]...), data[end:]...), true
}

func TestMergeRefusesConflictsAndBrokenMarkers(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, input string
		want        error
		mention     string
	}{
		{"user has a staging profile", "[profile staging]\nregion = us-east-1\n[profile  identity ]\n", profiles.ErrConflict, "staging, identity"},
		{"begin without end", profiles.BeginMarker + "\n[profile x]\n", profiles.ErrMarkers, "has no"},
		{"end without begin", "[default]\n" + profiles.EndMarker + "\n", profiles.ErrMarkers, "line 2"},
		{"two blocks", profiles.BeginMarker + "\n" + profiles.EndMarker + "\n" + profiles.BeginMarker + "\n" + profiles.EndMarker + "\n",
			profiles.ErrMarkers, "second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profiles.Merge([]byte(tt.input), ps)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("Merge error = %v, want %v mentioning %q", err, tt.want, tt.mention)
			}
		})
	}
	// A profile of the same name inside curfew's own old block is no conflict.
	old := profiles.Render([]profiles.Profile{{Name: "staging"}}, "\n")
	if _, err := profiles.Merge(old, ps); err != nil {
		t.Errorf("merge over curfew's own block: %v", err)
	}
}

func TestUpdateWriteBacksUpAndFollowsSymlinks(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "aws-config")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	original := []byte("[default]\nregion = eu-west-1\n")
	if err := os.WriteFile(real, original, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	u, err := profiles.Plan(link, ps)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Changed() || !strings.Contains(u.Diff(), "+[profile staging]") {
		t.Fatalf("plan: changed=%v diff:\n%s", u.Changed(), u.Diff())
	}
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	backup, err := u.Write(now)
	if err != nil {
		t.Fatal(err)
	}
	if want := real + ".curfew-20261127T093000Z.bak"; backup != want {
		t.Errorf("backup = %s, want %s", backup, want)
	}
	if b, _ := os.ReadFile(backup); !bytes.Equal(b, original) {
		t.Errorf("backup holds %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
	written, _ := os.ReadFile(real)
	if !bytes.Equal(written, u.New) {
		t.Error("file does not hold the merged content")
	}
	// A second run changes nothing and writes no second backup.
	u2, err := profiles.Plan(link, ps)
	if err != nil {
		t.Fatal(err)
	}
	if u2.Changed() || u2.Diff() != "" {
		t.Errorf("second plan changes the file:\n%s", u2.Diff())
	}
	if b, err := u2.Write(now.Add(time.Hour)); err != nil || b != "" {
		t.Errorf("second write: backup %q, err %v", b, err)
	}
	// A missing file is created 0600, with no backup.
	fresh := filepath.Join(dir, "new", ".aws", "config")
	u3, err := profiles.Plan(fresh, ps)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := u3.Write(now); err != nil || b != "" {
		t.Fatalf("write new file: backup %q, err %v", b, err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new file: %v", err)
	}
}

func TestDiff(t *testing.T) {
	a := "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n"
	b := "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven"
	want := `--- a
+++ b
@@ -1,6 +1,6 @@
 one
 two
-three
+THREE
 four
 five
 six
@@ -8,3 +8,4 @@
 eight
 nine
 ten
+eleven
\ No newline at end of file
`
	if got := profiles.Diff("a", "b", []byte(a), []byte(b)); got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
	if got := profiles.Diff("a", "b", []byte(a), []byte(a)); got != "" {
		t.Errorf("Diff of equal files = %q", got)
	}
	if got := profiles.Diff("a", "b", nil, []byte("x\n")); got != "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("Diff from empty = %q", got)
	}
}

// The AWS CLI reads a section header up to its closing bracket, ignoring what follows,
// and splits it on any blanks (the pinned CLI reads each of these as profile staging);
// curfew must see the same profile, or it writes a second [profile staging] and the AWS
// CLI fails on every profile.
func TestMergeRecognisesHeadersAsTheAWSCLIReadsThem(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	for _, header := range []string{
		"[profile staging] ; old",
		"[profile staging] # comment",
		"[profile staging];old",
		"[profile\tstaging]",
		`[profile "staging"]`,
		"  [ profile   staging ]  ",
	} {
		t.Run(header, func(t *testing.T) {
			_, err := profiles.Merge([]byte("[default]\nregion = eu-west-1\n"+header+"\nregion = us-east-1\n"), ps)
			var conflict *profiles.ConflictError
			if !errors.As(err, &conflict) || len(conflict.Names) != 1 || conflict.Names[0] != "staging" {
				t.Errorf("Merge error = %v, want a conflict on staging", err)
			}
		})
	}
	for _, header := range []string{"[sso-session staging]", "[profilestaging]", "# [profile staging]", "[profile staging-old] ; staging"} {
		t.Run(header, func(t *testing.T) {
			if _, err := profiles.Merge([]byte(header+"\nregion = us-east-1\n"), ps); err != nil {
				t.Errorf("Merge error = %v, want none: this is no profile staging", err)
			}
		})
	}
}

// Keys that `aws configure` or the user put into one of curfew's sections survive the
// next run; the keys curfew writes take the map's values again.
func TestMergeKeepsUserKeysInsideTheBlock(t *testing.T) {
	ps, err := profiles.Generate(loadMap(t, "accounts.yaml"), profiles.Options{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := profiles.Merge([]byte("[default]\nregion = eu-west-1\n"), ps)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		edit           func(string) string
		want, unwanted []string
	}{
		{"aws configure adds output to identity",
			func(s string) string {
				return strings.Replace(s, "[profile identity]\nregion = eu-west-1\n", "[profile identity]\nregion = eu-west-1\noutput = json\n", 1)
			},
			[]string{"[profile identity]\nregion = eu-west-1\noutput = json\n"}, nil},
		{"a nested setting with its continuation lines, and a colon key",
			func(s string) string {
				return strings.Replace(s, "duration_seconds = 3600\n\n# sandbox", "duration_seconds = 3600\ns3 =\n  max_concurrent_requests = 20\ncli_pager: less\n\n# sandbox", 1)
			},
			[]string{"duration_seconds = 3600\ns3 =\n  max_concurrent_requests = 20\ncli_pager: less\n\n# sandbox"}, nil},
		{"a changed curfew key takes the map's value again",
			func(s string) string {
				return strings.Replace(s, "[profile staging]\nrole_arn = arn:aws:iam::222222222222:role/DeveloperAccess\n",
					"[profile staging]\nRole_ARN = arn:aws:iam::999999999999:role/Other\n", 1)
			},
			[]string{"[profile staging]\nrole_arn = arn:aws:iam::222222222222:role/DeveloperAccess\n"}, []string{"999999999999"}},
		{"comments and a section curfew no longer writes go",
			func(s string) string {
				return strings.Replace(s, profiles.EndMarker, "# my note\n[profile old]\noutput = text\n"+profiles.EndMarker, 1)
			},
			nil, []string{"my note", "[profile old]", "output = text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := tt.edit(string(first))
			if edited == string(first) {
				t.Fatal("the edit changed nothing: fix the test")
			}
			got, err := profiles.Merge([]byte(edited), ps)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("merged file lacks %q:\n%s", w, got)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(string(got), u) {
					t.Errorf("merged file still holds %q:\n%s", u, got)
				}
			}
			again, err := profiles.Merge(got, ps)
			if err != nil || !bytes.Equal(again, got) {
				t.Errorf("second merge changed the file (%v):\n%s", err, profiles.Diff("first", "second", got, again))
			}
		})
	}
}

// ownConfig writes a person's own config file, a default profile and nothing of curfew's,
// in a new directory: its path and what it holds.
func ownConfig(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	original := []byte("[default]\nregion = eu-west-1\n")
	if err := os.WriteFile(path, original, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, original
}

// Two runs in the same second keep two backups: the first holds the file as it was
// before curfew touched it.
func TestBackupsNeverReplaceEachOther(t *testing.T) {
	m := loadMap(t, "accounts.yaml")
	path, original := ownConfig(t)
	now := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	var backups []string
	contents := [][]byte{original}
	for _, user := range []string{"alice", "bob", "carol"} {
		ps, err := profiles.Generate(m, profiles.Options{User: user})
		if err != nil {
			t.Fatal(err)
		}
		u, err := profiles.Plan(path, ps)
		if err != nil {
			t.Fatal(err)
		}
		backup, err := u.Write(now)
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, backup)
		contents = append(contents, u.New)
	}
	want := []string{path + ".curfew-20261127T093000Z.bak", path + ".curfew-20261127T093000Z-2.bak", path + ".curfew-20261127T093000Z-3.bak"}
	for i, b := range backups {
		if b != want[i] {
			t.Errorf("backup %d = %s, want %s", i+1, b, want[i])
		}
		if got, err := os.ReadFile(b); err != nil || !bytes.Equal(got, contents[i]) {
			t.Errorf("backup %s holds %q (%v), want the file before run %d", b, got, err, i+1)
		}
		if fi, err := os.Stat(b); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("backup %s: mode %v, %v", b, fi.Mode().Perm(), err)
		}
	}
}

// Backups are pruned to profiles.KeptBackups: the oldest (the file before curfew first
// wrote it) and the newest; backups within one second are ordered by number, not name.
func TestBackupsArePrunedKeepingTheOriginal(t *testing.T) {
	m := loadMap(t, "accounts.yaml")
	path, original := ownConfig(t)
	// Someone else's file beside them is never touched.
	other := path + ".curfew-notes.bak"
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	var backups []string
	for i := range 12 {
		ps, err := profiles.Generate(m, profiles.Options{User: fmt.Sprintf("user%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		u, err := profiles.Plan(path, ps)
		if err != nil {
			t.Fatal(err)
		}
		backup, err := u.Write(start.Add(time.Duration(i/3) * time.Second)) // three runs a second
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, backup)
	}
	left, err := filepath.Glob(path + ".curfew-2*.bak")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{backups[0]}, backups[len(backups)-(profiles.KeptBackups-1):]...)
	slices.Sort(left)
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("backups left = %q, want the first and the last %d: %q", left, profiles.KeptBackups-1, want)
	}
	if got, err := os.ReadFile(backups[0]); err != nil || !bytes.Equal(got, original) {
		t.Errorf("the oldest backup holds %q (%v), want the file before curfew", got, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file that is no backup of curfew's was removed: %v", err)
	}
}

// mergedConfig writes ps merged into testdata/merge/realworld.config, a user's own
// config, to a file of its own, and returns its path.
func mergedConfig(t *testing.T, ps []profiles.Profile) string {
	t.Helper()
	input, err := os.ReadFile("testdata/merge/realworld.config")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := profiles.Merge(input, ps)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, merged, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
