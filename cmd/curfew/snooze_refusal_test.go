package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/profiles"
)

// Issue 12, item 7: Alice has a profile "staging" of her own, in another account, so she
// wrote curfew's profiles with --prefix acme-. A database named orders-db lives in both
// accounts. `curfew snooze staging orders-db` without --prefix once tagged her own
// database and said it had snoozed staging's. Now it asks STS which account the profile
// reaches before anything else and refuses, with no call to RDS in any account; with
// --prefix acme- it tags staging's database and nothing in hers. A faultproxy in front
// of moto counts the calls per account.
func TestSnoozeRefusesAProfileOfAnotherAccount(t *testing.T) {
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	mapPath, ids := testMap(t)
	personal := emulator.NewAccountID()

	isolateAWSEnv(t)
	dir := t.TempDir()
	configFile, credentials := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	own := fmt.Sprintf("[profile me]\nregion = eu-west-1\n\n[profile staging]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\nsource_profile = me\nregion = eu-west-1\n", personal)
	if err := os.WriteFile(configFile, []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := curfew(t, "", "--map", mapPath, "profiles", "--user", "alice", "--config-file", configFile); !errors.Is(r.err, profiles.ErrConflict) {
		t.Fatalf("profiles without a prefix: %v, want the clash with her own staging profile", r.err)
	}
	if r := curfew(t, "", "--map", mapPath, "profiles", "--user", "alice", "--prefix", "acme-", "--mfa-per-profile", "--config-file", configFile); r.err != nil ||
		!strings.Contains(r.stderr, "curfew's other commands need the same prefix: curfew --prefix acme- snooze") {
		t.Fatalf("profiles --prefix acme-: %v\n%s", r.err, r.stderr)
	}
	if err := os.WriteFile(credentials, []byte("[me]\naws_access_key_id = AKIAMEEXAMPLE\naws_secret_access_key = me-secret\n"+
		"[acme-identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = alice-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", proxy.URL)

	arns := map[string]string{}
	for _, account := range []string{ids["staging"], personal} {
		db := emulator.CreateDB(t, rds.NewFromConfig(s.Account(t, account, "eu-west-1")), "orders-db")
		arns[account] = aws.ToString(db.DBInstanceArn)
	}
	snoozeTag := func(account string) (string, bool) {
		t.Helper()
		out, err := rds.NewFromConfig(s.Account(t, account, "eu-west-1")).ListTagsForResource(t.Context(),
			&rds.ListTagsForResourceInput{ResourceName: aws.String(arns[account])})
		if err != nil {
			t.Fatal(err)
		}
		return rdsTag(out.TagList)
	}

	for _, args := range [][]string{
		{"snooze", "staging", "orders-db", "--until", "12h"},
		{"snooze", "staging", "--list"},
	} {
		r := curfew(t, "123456\n", append([]string{"--map", mapPath}, args...)...)
		if !errors.Is(r.err, ErrWrongAccount) {
			t.Fatalf("%v: error = %v, want ErrWrongAccount\n%s", args, r.err, r.stdout)
		}
		for _, want := range []string{
			`profile "staging" acts in account ` + personal + " (an account that is not in the account map, as arn:aws:sts::" + personal,
			"curfew snooze acts in account " + ids["staging"] + " (staging); nothing was changed",
			"next: if you wrote curfew's profiles with a prefix, pass the same one (e.g. --prefix acme- uses profile acme-staging), or pass --profile",
		} {
			if !strings.Contains(r.err.Error(), want) {
				t.Errorf("%v: error %q does not say %q", args, r.err, want)
			}
		}
		if r.stdout != "" {
			t.Errorf("%v printed %q", args, r.stdout)
		}
	}
	if n := proxy.Count(personal, "sts", "GetCallerIdentity"); n != 2 {
		t.Errorf("%d GetCallerIdentity calls in her account, want 2", n)
	}
	if n := proxy.Count("", "rds", "") + proxy.Count("", "ec2", ""); n != 0 {
		t.Errorf("%d RDS and EC2 calls by a profile of the wrong account, want none: %+v", n, proxy.Calls())
	}
	if v, ok := snoozeTag(personal); ok {
		t.Errorf("her own orders-db was tagged %s=%s", accounts.SnoozeUntilTag, v)
	}

	proxy.Clear()
	r := curfew(t, "123456\n", "--map", mapPath, "--prefix", "acme-", "snooze", "staging", "orders-db", "--until", "12h")
	if r.err != nil {
		t.Fatalf("snooze --prefix acme-: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, `MFA code for profile "acme-staging"`) || !strings.Contains(r.stdout, "snoozed RDS instance orders-db in staging/eu-west-1") {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	want := testNow.Add(12 * time.Hour).Format(time.RFC3339)
	if v, ok := snoozeTag(ids["staging"]); !ok || v != want {
		t.Errorf("staging's orders-db tag = %q, %v; want %s", v, ok, want)
	}
	if v, ok := snoozeTag(personal); ok {
		t.Errorf("her own orders-db was tagged %s=%s", accounts.SnoozeUntilTag, v)
	}
	var inStaging []string
	for _, c := range proxy.Calls() {
		if c.Account == ids["staging"] {
			inStaging = append(inStaging, c.Service+":"+c.Action)
		}
	}
	if len(inStaging) == 0 || inStaging[0] != "sts:GetCallerIdentity" || proxy.Count(ids["staging"], "rds", "AddTagsToResource") != 1 {
		t.Errorf("calls in staging = %v, want GetCallerIdentity first and one AddTagsToResource", inStaging)
	}
	if n := proxy.Count(personal, "", ""); n != 0 {
		t.Errorf("%d calls in her own account with --prefix acme-", n)
	}

	// When STS cannot say whose the credentials are, nothing goes ahead either.
	proxy.Clear()
	proxy.Add(faultproxy.Rule{Service: "sts", Action: "GetCallerIdentity", Kind: faultproxy.Error, Code: "InvalidClientTokenId", Status: 403})
	failed := curfew(t, "123456\n", "--map", mapPath, "--prefix", "acme-", "snooze", "staging", "orders-db", "--until", "1d")
	if failed.err == nil || !strings.Contains(failed.err.Error(), `ask STS which account profile "acme-staging" acts in`) ||
		!strings.Contains(failed.err.Error(), "InvalidClientTokenId") || !strings.Contains(failed.err.Error(), "next: ") {
		t.Errorf("snooze when GetCallerIdentity fails: %v", failed.err)
	}
	if n := proxy.Count("", "rds", ""); n != 0 {
		t.Errorf("%d RDS calls after GetCallerIdentity failed", n)
	}

	// Issue 28, item 5: a refused tagging reads as one line with its cause and the next
	// step, without the SDK's text.
	proxy.Clear()
	proxy.Add(faultproxy.Rule{Service: "rds", Action: "AddTagsToResource", Kind: faultproxy.Error, Code: "AccessDenied", Status: 403})
	denied := curfew(t, "123456\n", "--map", mapPath, "--prefix", "acme-", "snooze", "staging", "orders-db", "--until", "1d")
	if denied.err == nil || !strings.Contains(denied.err.Error(), "snooze RDS instance orders-db in staging/eu-west-1: RDS AddTagsToResource: access denied\n  next: ") {
		t.Errorf("snooze when tagging is denied: %v", denied.err)
	} else {
		causetest.NoSDKText(t, "snooze's error", denied.err.Error())
	}
}
