package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
)

// orgDeveloper is a developer of a map with organisational units, in moto: alice is an
// IAM user of the identity account with access keys and one MFA device, and the home
// account has the bucket of the published list, empty.
type orgDeveloper struct {
	mapPath, configFile string
	m                   *accounts.Map
	store               accountlist.Store
}

func newOrgDeveloper(t *testing.T) *orgDeveloper {
	t.Helper()
	s := emulator.Shared(t)
	path, ids := testMap(t)
	unit := fmt.Sprintf(`
organization:
  managementAccount: "%s"
  ous:
    - {id: ou-ab12-nonprod1, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
    - {id: ou-ab12-product1, environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
`, emulator.NewAccountID())
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(unit); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m, err := accounts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	home := s.Account(t, ids["identity"], "eu-west-1")
	ctx := t.Context()
	iamc := iam.NewFromConfig(home)
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	device, err := iamc.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: device.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}); err != nil {
		t.Fatal(err)
	}
	client := emulator.S3(home)
	d := &orgDeveloper{mapPath: path, m: m, store: accountlist.Store{Client: client, Bucket: accountlist.Bucket(m), Owner: ids["identity"]}}
	emulator.Bucket(t, client, d.store.Bucket)
	dir := t.TempDir()
	credentials := filepath.Join(dir, "credentials")
	keys := fmt.Sprintf("[identity]\naws_access_key_id = %s\naws_secret_access_key = %s\n", aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	if err := os.WriteFile(credentials, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	d.configFile = filepath.Join(dir, "config")
	if err := os.WriteFile(d.configFile, []byte("[default]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	isolateAWSEnv(t)
	t.Setenv("AWS_CONFIG_FILE", d.configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", s.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", s.URL)
	return d
}

// publish writes the list a run would have published.
func (d *orgDeveloper) publish(t *testing.T, found ...accountlist.Account) {
	t.Helper()
	staging, _ := d.m.Account("staging")
	l := accountlist.List{RunID: "20261127T190000Z-1a2b3c", Kind: "shutdown", Published: time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC),
		Accounts: append([]accountlist.Account{{ID: staging.ID, Name: "staging", Environment: accounts.NonProduction, From: "accounts[1]", Listed: true, Regions: staging.Regions, Swept: true}}, found...)}
	if err := d.store.Put(t.Context(), l); err != nil {
		t.Fatal(err)
	}
}

// `curfew profiles` and `curfew console` on a map with units read the published list
// (with alice's keys and an MFA session) and cover the accounts found there; before any
// run has published it, both fail saying what to do, and the config file is untouched.
func TestFoundAccountsInProfilesAndConsole(t *testing.T) {
	d := newOrgDeveloper(t)
	before, err := os.ReadFile(d.configFile)
	if err != nil {
		t.Fatal(err)
	}
	profiles := func() result {
		return curfew(t, "123456\n", "--map", d.mapPath, "profiles", "--user", "alice", "--mfa-per-profile", "--config-file", d.configFile)
	}

	r := profiles()
	if !errors.Is(r.err, ErrNoAccountList) || !strings.Contains(r.err.Error(), "curfew plan --profile operator") || !strings.Contains(r.err.Error(), "nothing was written") {
		t.Errorf("profiles before any run published: %v", r.err)
	}
	if after, _ := os.ReadFile(d.configFile); !bytes.Equal(after, before) {
		t.Errorf("the failed command changed the config file:\n%s", after)
	}
	if backups, _ := filepath.Glob(d.configFile + ".curfew-*"); len(backups) > 0 {
		t.Errorf("the failed command wrote %v", backups)
	}
	if r := curfew(t, "123456\n", "--map", d.mapPath, "console"); !errors.Is(r.err, ErrNoAccountList) || r.stdout != "" {
		t.Errorf("console before any run published: %v\n%s", r.err, r.stdout)
	}

	d.publish(t,
		accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true},
		accountlist.Account{ID: "977777777777", Name: "Payments", Environment: accounts.Production, From: "organization.ous[1] (ou-ab12-product1)", Regions: []string{"eu-west-1"}, Reason: "production: never swept"})
	if r = profiles(); r.err != nil {
		t.Fatalf("profiles: %v\n%s", r.err, r.stderr)
	}
	written, err := os.ReadFile(d.configFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"[default]\nregion = eu-west-1\n",
		"[profile staging]\nrole_arn = " + d.m.Accounts[1].RoleARN(accounts.DeveloperAccessRole) + "\n",
		"# feature-x-5555 (955555555555, non-production): DeveloperAccess with MFA\n[profile feature-x-5555]\nrole_arn = arn:aws:iam::955555555555:role/DeveloperAccess\nsource_profile = identity\n",
		"# payments-7777 (977777777777, production): DeveloperAccess with MFA\n[profile payments-7777]\nrole_arn = arn:aws:iam::977777777777:role/DeveloperAccess\n",
	} {
		if !strings.Contains(string(written), want) {
			t.Errorf("the config file lacks\n%s\nin:\n%s", want, written)
		}
	}
	if !strings.Contains(r.stderr, "2 account(s) found in organisational units by run 20261127T190000Z-1a2b3c") {
		t.Errorf("profiles does not say where the found accounts come from:\n%s", r.stderr)
	}

	// console finds alice's one MFA device itself.
	c := curfew(t, "123456\n", "--map", d.mapPath, "console")
	if c.err != nil {
		t.Fatalf("console: %v\n%s", c.err, c.stderr)
	}
	holds(t, "console", c.stdout, "account=955555555555&roleName=DeveloperAccess&displayName=feature-x-5555", "account=977777777777&roleName=DeveloperAccess&displayName=payments-7777&color=f2b0a9", "[payments-7777]")
}

// One MFA path: the published list is read through the day's MFA session that every
// curfew profile uses, not a session of its own. console asks for the code once (here
// on stdin, there being no terminal); a second console asks nothing, and neither does
// curfew credentials for the same IAM user and device.
func TestAccountListIsReadThroughTheDailySession(t *testing.T) {
	d := newOrgDeveloper(t)
	d.publish(t, accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction,
		From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true})
	cache := filepath.Join(t.TempDir(), "curfew")
	setup := func(a *app) { a.cacheDir, a.now = cache, clock.Now }
	first := curfewWith(t, strings.NewReader("123456\n"), setup, "--map", d.mapPath, "console")
	if first.err != nil || !strings.Contains(first.stdout, "account=955555555555") || strings.Count(first.stderr, "MFA code of") != 1 {
		t.Fatalf("console: %v, stderr %q; want the found account after one code", first.err, first.stderr)
	}
	again := curfewWith(t, strings.NewReader(""), setup, "--map", d.mapPath, "console")
	if again.err != nil || !strings.Contains(again.stdout, "account=955555555555") || strings.Contains(again.stderr, "MFA code") {
		t.Errorf("a second console: %v, stderr %q; want the list read from the day's session, no code", again.err, again.stderr)
	}
	staging, _ := d.m.Account("staging")
	creds := curfewWith(t, strings.NewReader(""), setup, "credentials", "staging", "--role-arn", staging.RoleARN(accounts.DeveloperAccessRole),
		"--source-profile", "identity", "--mfa-serial", "arn:aws:iam::"+d.m.IdentityAccount().ID+":mfa/alice", "--session-name", "alice")
	if creds.err != nil || !strings.Contains(creds.stdout, `"SessionToken"`) {
		t.Errorf("curfew credentials after console opened the session: %v, stderr %q; want credentials without login", creds.err, creds.stderr)
	}
}
