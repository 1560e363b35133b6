package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

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
	client := s3.NewFromConfig(home, func(o *s3.Options) { o.UsePathStyle = true })
	d := &orgDeveloper{mapPath: path, m: m, store: accountlist.Store{Client: client, Bucket: accountlist.Bucket(m), Owner: ids["identity"]}}
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(d.store.Bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}
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
	for _, want := range []string{"account=955555555555&roleName=DeveloperAccess&displayName=feature-x-5555", "account=977777777777&roleName=DeveloperAccess&displayName=payments-7777&color=f2b0a9", "[payments-7777]"} {
		if !strings.Contains(c.stdout, want) {
			t.Errorf("console lacks %s:\n%s", want, c.stdout)
		}
	}
}

// stop, start and plan take an account found in a unit by its id, its Organizations name
// or its profile name, read from the list through the invoking profile, and send its id;
// a found production account is refused like a listed one, before any invocation.
func TestInvokeOnAFoundAccount(t *testing.T) {
	d := newOrgDeveloper(t)
	d.publish(t,
		accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true},
		accountlist.Account{ID: "977777777777", Name: "Payments", Environment: accounts.Production, From: "organization.ous[1] (ou-ab12-product1)", Regions: []string{"eu-west-1"}, Reason: "production: never swept"})
	body, err := os.ReadFile("testdata/report-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
	s := emulator.Shared(t)
	operatorEnv(t, s.URL, lambdaURL.URL, s.URL, map[string]string{"ops": d.m.HomeAccount().ID})

	for i, name := range []string{"Feature X", "955555555555", "feature-x-5555"} {
		r := curfew(t, "", "--map", d.mapPath, "plan", "--account", name, "--account", "staging", "--profile", "ops")
		if r.err != nil {
			t.Fatalf("plan --account %s: %v\n%s", name, r.err, r.stderr)
		}
		if got := calls(); len(got) != i+1 || !slices.Equal(got[i].request.Accounts, []string{"955555555555", "staging"}) {
			t.Errorf("plan --account %q sent %+v, want the id and staging", name, got[len(got)-1].request)
		}
	}
	for name, want := range map[string]error{"payments-7777": ErrProduction, "Payments": ErrProduction, "nope": ErrUnknownAccount, "900000000000": ErrUnknownAccount} {
		r := curfew(t, "", "--map", d.mapPath, "stop", "--account", name, "--profile", "ops")
		if !errors.Is(r.err, want) {
			t.Errorf("stop --account %s: %v, want %v", name, r.err, want)
		}
	}
	if n := len(calls()); n != 3 {
		t.Errorf("%d invocations, want the 3 plans only", n)
	}
}

// curfew snooze takes an account found in a unit by its name in the list: it reads the
// list as the developer, then acts through the profile curfew profiles wrote for it.
func TestSnoozeOnAFoundAccount(t *testing.T) {
	d := newOrgDeveloper(t)
	id := emulator.NewAccountID()
	d.publish(t, accountlist.Account{ID: id, Name: "Feature X", Environment: accounts.NonProduction,
		From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true})
	if r := curfew(t, "123456\n", "--map", d.mapPath, "profiles", "--user", "alice", "--mfa-per-profile", "--config-file", d.configFile); r.err != nil {
		t.Fatalf("profiles: %v\n%s", r.err, r.stderr)
	}
	ec2c := ec2.NewFromConfig(emulator.Shared(t).Account(t, id, "eu-west-1"))
	run, err := ec2c.RunInstances(t.Context(), &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro})
	if err != nil {
		t.Fatal(err)
	}
	web := aws.ToString(run.Instances[0].InstanceId)
	// One MFA code reads the list, one assumes DeveloperAccess in the found account.
	r := curfew(t, "123456\n123456\n", "--map", d.mapPath, "snooze", "Feature X", web, "--tonight")
	if r.err != nil {
		t.Fatalf("snooze: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "snoozed EC2 instance "+web+" in feature-x-"+id[8:]+"/eu-west-1") {
		t.Errorf("snooze output:\n%s", r.stdout)
	}
	out, err := ec2c.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{web}})
	if err != nil {
		t.Fatal(err)
	}
	tagged := false
	for _, tg := range out.Reservations[0].Instances[0].Tags {
		tagged = tagged || aws.ToString(tg.Key) == accounts.SnoozeUntilTag
	}
	if !tagged {
		t.Errorf("the instance in the found account has no %s tag", accounts.SnoozeUntilTag)
	}
}

// A run that could not publish the list says so on stderr; the command still succeeds.
func TestInvokeWarnsOfAnUnpublishedList(t *testing.T) {
	mapPath, ids := testMap(t)
	body := []byte(`{"runId":"20261127T183000Z-1a2b3c","kind":"shutdown","trigger":"manual","dryRun":true,"started":"2026-11-27T18:30:00Z","results":[],"totals":{},` +
		`"accountListError":"put the list of accounts in s3://curfew-accounts-111111111111-eu-west-1/accounts/latest.json: AccessDenied"}`)
	lambdaURL, _ := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return body, "" })
	s := emulator.Shared(t)
	operatorEnv(t, s.URL, lambdaURL.URL, s.URL, map[string]string{"ops": ids["identity"]})
	r := curfew(t, "", "--map", mapPath, "plan", "--account", "staging", "--profile", "ops")
	if r.err != nil {
		t.Fatalf("plan: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning: the run did not publish the accounts it knew") || !strings.Contains(r.stderr, "AccessDenied") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// Issue 26, item 1: whoever can write the published list must not reach a developer's
// ~/.aws/config through it. A list with a value that would add lines (a second
// credential_process runs a command on every use of the profile), a short id or a region
// that is no region is refused whole, naming the entry, and nothing is written.
func TestAMaliciousAccountListWritesNothing(t *testing.T) {
	const inject = "\ncredential_process = /bin/sh -c 'touch /tmp/curfew-pwned'"
	good := accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"eu-west-1"}, Swept: true}
	edit := func(f func(a *accountlist.Account)) accountlist.Account {
		a := good
		a.Regions = slices.Clone(good.Regions)
		f(&a)
		return a
	}
	tests := []struct {
		name  string
		found accountlist.Account
		want  []string
	}{
		{"a line added through a region", edit(func(a *accountlist.Account) { a.Regions[0] += inject }), []string{"accounts[1].regions[0]", `"eu-west-1\ncredential_process`}},
		{"a line added through the id", edit(func(a *accountlist.Account) { a.ID += inject }), []string{"accounts[1].id", "12 digits"}},
		{"a line added through the environment", edit(func(a *accountlist.Account) { a.Environment += inject }), []string{"accounts[1].environment"}},
		{"a control character in the name", edit(func(a *accountlist.Account) { a.Name = "Feature X" + inject }), []string{"accounts[1].name"}},
		{"a short id", edit(func(a *accountlist.Account) { a.ID = "123" }), []string{`accounts[1].id "123" is not 12 digits`}},
		{"a region that is no region", edit(func(a *accountlist.Account) { a.Regions = []string{"eu-west-1", "moon-base-1"} }), []string{`accounts[1].regions[1] "moon-base-1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newOrgDeveloper(t)
			d.publish(t, tt.found)
			before, err := os.ReadFile(d.configFile)
			if err != nil {
				t.Fatal(err)
			}
			r := curfew(t, "123456\n", "--map", d.mapPath, "profiles", "--user", "alice", "--config-file", d.configFile)
			if !errors.Is(r.err, accountlist.ErrInvalidList) || !strings.Contains(r.err.Error(), "nothing was written") {
				t.Errorf("profiles: %v, want the list refused and nothing written", r.err)
			}
			for _, w := range tt.want {
				if r.err != nil && !strings.Contains(r.err.Error(), w) {
					t.Errorf("the error does not name %s:\n%v", w, r.err)
				}
			}
			if r.err != nil && strings.Contains(strings.SplitN(r.err.Error(), "\n  next: ", 2)[0], "\n") {
				t.Errorf("the error is not one line: %q", r.err)
			}
			if after, _ := os.ReadFile(d.configFile); !bytes.Equal(after, before) {
				t.Errorf("the config file changed:\n%s", after)
			}
			if backups, _ := filepath.Glob(d.configFile + ".curfew-*"); len(backups) > 0 {
				t.Errorf("wrote %v", backups)
			}
		})
	}
}

// stop, start and plan refuse such a list too, and invoke nothing.
func TestInvokeRefusesAMaliciousAccountList(t *testing.T) {
	d := newOrgDeveloper(t)
	d.publish(t, accountlist.Account{ID: "955555555555", Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-nonprod1)",
		Regions: []string{"eu-west-1\ncredential_process = /bin/sh -c 'touch /tmp/curfew-pwned'"}, Swept: true})
	lambdaURL, calls := lambdaEndpoint(t, func(string, []byte) ([]byte, string) { return []byte(`{}`), "" })
	s := emulator.Shared(t)
	operatorEnv(t, s.URL, lambdaURL.URL, s.URL, map[string]string{"ops": d.m.HomeAccount().ID})
	r := curfew(t, "", "--map", d.mapPath, "stop", "--account", "Feature X", "--profile", "ops")
	if !errors.Is(r.err, accountlist.ErrInvalidList) || !strings.Contains(r.err.Error(), "accounts[1].regions[0]") || !strings.Contains(r.err.Error(), "nothing was invoked") {
		t.Errorf("stop: %v, want the list refused naming accounts[1].regions[0]", r.err)
	}
	if n := len(calls()); n != 0 {
		t.Errorf("%d invocations, want none", n)
	}
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
