package cdk_test

import (
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// TestAccountListBySimulation asks the simulator who may read and write the published
// list of accounts, with the synthesised bucket policy as the resource policy: developers
// with MFA and the operator role read exactly that object; leaked keys without MFA, the CI
// user, the identity account's roles and other accounts do not; only the shutdown and
// restart write it.
func TestAccountListBySimulation(t *testing.T) {
	o := unitsOrg(t)
	p := principals{t, o}
	m := o.m
	identity, home := m.IdentityAccount(), m.HomeAccount()
	if identity.ID == home.ID {
		t.Fatal("the map must keep the home account apart from the identity account, so that reads are cross-account")
	}
	bucket := accountlist.Bucket(m)
	object := "arn:aws:s3:::" + bucket + "/" + accountlist.Key
	o.resource(t, service, "AWS::S3::Bucket", "BucketName", bucket)
	var policy any
	for _, bp := range o.resources(t, service, "AWS::S3::BucketPolicy") {
		if contains(bp["PolicyDocument"], accountlist.Key) {
			policy = resolve(bp["PolicyDocument"], home.ID, m.HomeRegion)
		}
	}
	if policy == nil {
		t.Fatal("no bucket policy names " + accountlist.Key)
	}
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	ciUser := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
	tls := map[string]any{"aws:SecureTransport": "true"}
	var qs []question
	ask := func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, action, resource, want string) {
		ctx = withPrincipalARN(merge(tls, ctx), principalARN)
		qs = append(qs, question{name: name, principal: principal, context: ctx, identity: id, action: action,
			resource: resource, account: home.ID, trust: policy, want: want, honours: slices.Sorted(maps.Keys(ctx))})
	}
	dev := p.developer()
	asAlice := func(ctx map[string]any) map[string]any { return signedInAs("alice", "", ctx) }
	ask("developer with MFA reads the list", alice, alice, asAlice(mfa(60)), dev, "s3:GetObject", object, allowed)
	ask("developer's leaked access keys (no MFA key) read the list", alice, alice, asAlice(nil), dev, "s3:GetObject", object, denied)
	ask("developer without MFA reads the list", alice, alice, asAlice(map[string]any{"aws:MultiFactorAuthPresent": "false"}), dev, "s3:GetObject", object, denied)
	ask("developer with MFA writes the list", alice, alice, asAlice(mfa(60)), dev, "s3:PutObject", object, denied)
	ask("developer with MFA deletes the list", alice, alice, asAlice(mfa(60)), dev, "s3:DeleteObject", object, denied)
	ask("developer with MFA reads another object of the bucket", alice, alice, asAlice(mfa(60)), dev, "s3:GetObject", "arn:aws:s3:::"+bucket+"/accounts/other.json", denied)
	ask("CI user with its own policies reads the list", ciUser, ciUser, signedInAs(m.CI.User, "", nil), p.ciUser(), "s3:GetObject", object, denied)
	adminRole := "arn:aws:iam::" + identity.ID + ":role/admin"
	ask("identity-account role with admin policies and MFA reads the list", "arn:aws:sts::"+identity.ID+":assumed-role/admin/alice", adminRole,
		mfa(60), allowEverything, "s3:GetObject", object, denied)
	mallory := "arn:aws:iam::999999999999:user/mallory"
	ask("IAM user of another account with admin policies and MFA reads the list", mallory, mallory, signedInAs("mallory", "", mfa(60)), allowEverything, "s3:GetObject", object, denied)
	ask("IAM user of another account with admin policies and MFA writes the list", mallory, mallory, signedInAs("mallory", "", mfa(60)), allowEverything, "s3:PutObject", object, denied)

	operator := home.RoleARN(accounts.OperatorRole)
	opPolicies := p.role(service, accounts.OperatorRole)
	ask("curfew-operator reads the list", session(home.ID, accounts.OperatorRole), operator, nil, opPolicies, "s3:GetObject", object, allowed)
	ask("curfew-operator writes the list", session(home.ID, accounts.OperatorRole), operator, nil, opPolicies, "s3:PutObject", object, denied)
	for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction} {
		role := m.LambdaRoleARN(fn)
		ask(fn+" writes the list", session(home.ID, fn), role, nil, p.role(service, fn), "s3:PutObject", object, allowed)
		ask(fn+" writes another object of the bucket", session(home.ID, fn), role, nil, p.role(service, fn), "s3:PutObject", "arn:aws:s3:::"+bucket+"/accounts/other.json", denied)
		ask(fn+" deletes the list", session(home.ID, fn), role, nil, p.role(service, fn), "s3:DeleteObject", object, denied)
	}
	simulate(t, qs)
}

// A map without organisational units gets no list: no bucket, no grant.
func TestNoAccountListWithoutUnits(t *testing.T) {
	for _, o := range []*org{seed, oidcOrg} {
		for stack, tmpl := range o.templates {
			for id, r := range tmpl["Resources"].(map[string]any) {
				// The guardrails deny writes to every curfew-accounts-* bucket whatever the
				// map: only the bucket itself and its object must not appear.
				if contains(r, accountlist.Bucket(o.m)) || contains(r, accountlist.Key) {
					t.Errorf("%s %s names the list of accounts, for a map without units", stack, id)
				}
			}
		}
	}
}

var (
	unitsOnce sync.Once
	units     *org
	unitsErr  error
)

// unitsOrg is testdata/organization.yaml synthesised once for the tests of this file.
func unitsOrg(t *testing.T) *org {
	t.Helper()
	unitsOnce.Do(func() {
		// Next to the fake Lambda builds, in the directory TestMain removes at the end.
		units, unitsErr = synth("testdata/organization.yaml", lambdaDir, filepath.Join(filepath.Dir(lambdaDir), "cdk.out.units"))
	})
	if unitsErr != nil {
		t.Fatal(unitsErr)
	}
	return units
}

// The list's bucket and grants pass cdk-nag (or are suppressed with their reason) and
// cfn-lint.
func TestAccountListPassesNagAndLint(t *testing.T) {
	o := unitsOrg(t)
	for _, s := range []string{"curfew-identity", service} {
		stack := o.stacks.Service
		if s == "curfew-identity" {
			stack = o.stacks.Identity
		}
		noNagFindings(t, stack)
		cfnLint(t, writeTemplate(t, t.TempDir(), s, o.templates[s]))
	}
}
