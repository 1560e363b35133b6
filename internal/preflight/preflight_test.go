package preflight

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// org is an emulated organisation of preflight's test map: fresh accounts for identity
// (also the home account) and staging, reached through a fault proxy in front of moto.
type org struct {
	m     *accounts.Map
	ids   map[string]string
	proxy *faultproxy.Proxy
	via   *emulator.Server
}

// newOrg loads testdata/accounts.yaml with fresh account ids, edit applied to its text.
func newOrg(t *testing.T, edit func(string) string) *org {
	t.Helper()
	s := emulator.Shared(t)
	ids := map[string]string{"identity": emulator.NewAccountID(), "staging": emulator.NewAccountID()}
	data, err := os.ReadFile("testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(`"111111111111"`, `"`+ids["identity"]+`"`, `"222222222222"`, `"`+ids["staging"]+`"`).Replace(string(data))
	if edit != nil {
		text = edit(text)
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := accounts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faultproxy.For(t, s.URL)
	return &org{m: m, ids: ids, proxy: proxy, via: emulator.Connect(proxy.URL)}
}

// target reaches account name through the proxy, which learns its credentials' account
// from the AssumeRole it forwards.
func (o *org) target(t *testing.T, name string) Target {
	t.Helper()
	a, _ := o.m.Account(name)
	return Target{Map: o.m, Account: a, Config: o.via.Account(t, a.ID, o.m.HomeRegion), Profile: name}
}

// bootstrapped creates what `cdk bootstrap` leaves that preflight reads: the CDKToolkit
// stack and, in it, the bootstrap's version parameter.
func bootstrapped(t *testing.T, cfg aws.Config, region, version string) {
	t.Helper()
	template := fmt.Sprintf(`{"Resources":{"CdkBootstrapVersion":{"Type":"AWS::SSM::Parameter","Properties":{"Name":%q,"Type":"String","Value":%q}}}}`, versionParameter, version)
	createStack(t, cfg, region, toolkitStack, template)
}

func createStack(t *testing.T, cfg aws.Config, region, name, template string) {
	t.Helper()
	c := cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.Region = region })
	if _, err := c.CreateStack(t.Context(), &cloudformation.CreateStackInput{
		StackName: aws.String(name), TemplateBody: aws.String(template),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityNamedIam},
	}); err != nil {
		t.Fatalf("create stack %s: %v", name, err)
	}
}

// lambdaSettings answers Lambda's GetAccountSettings for account, which moto lacks, in
// the shape of the Lambda API reference (GetAccountSettings: AccountLimit, AccountUsage).
func lambdaSettings(p *faultproxy.Proxy, account string, limit, unreserved int) {
	p.Add(faultproxy.Rule{
		Account: account, Service: "lambda", Kind: faultproxy.Answer,
		Match: func(c faultproxy.Call) bool { return strings.Contains(c.Path, "/account-settings") },
		Body: fmt.Sprintf(`{"AccountLimit":{"TotalCodeSize":80530636800,"CodeSizeUnzipped":262144000,"CodeSizeZipped":52428800,"ConcurrentExecutions":%d,"UnreservedConcurrentExecutions":%d},"AccountUsage":{"TotalCodeSize":0,"FunctionCount":0}}`,
			limit, unreserved),
	})
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// An account with nothing in the way passes every check: bootstrapped, a Lambda limit of
// 1000, Cost Explorer answering, and no fixed name taken except by curfew's own stack (a
// second preflight, before an upgrade, finds DeveloperAccess in curfew-staging).
func TestReadyAccountsPass(t *testing.T) {
	o := newOrg(t, nil)
	identity, staging := o.target(t, "identity"), o.target(t, "staging")
	bootstrapped(t, identity.Config, "eu-west-1", "21")
	bootstrapped(t, staging.Config, "eu-west-1", "21")
	lambdaSettings(o.proxy, o.ids["identity"], 1000, 1000)
	createStack(t, staging.Config, "eu-west-1", "curfew-staging", fmt.Sprintf(
		`{"Resources":{"DeveloperAccess":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"DeveloperAccess","AssumeRolePolicyDocument":%s}}}}`, trust))

	for _, tg := range []Target{identity, staging} {
		results := Run(t.Context(), tg, Checks())
		if n := Problems(results); n != 0 {
			t.Errorf("%s: %d problem(s):\n%s", tg.Account.Name, n, dump(results))
		}
	}
	got := dump(Run(t.Context(), staging, Checks()))
	for _, want := range []string{
		"ok  fixed names: role DeveloperAccess belongs to curfew's stack curfew-staging",
		"ok  cdk bootstrap: aws://" + o.ids["staging"] + "/eu-west-1 bootstrapped (CDKToolkit CREATE_COMPLETE, version 21)",
		"n/a  lambda concurrency: curfew's functions run in the home account (identity)",
		"n/a  stacksets access: the account map has no organization: curfew's stacks are deployed one per account",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("staging lacks %q:\n%s", want, got)
		}
	}
}

// Each problem preflight looks for, in an emulated account that has it, is reported as a
// problem of its check with a fix.
func TestEachProblemIsReported(t *testing.T) {
	// Ten managed policies for DeveloperAccess: with CurfewGuardrails, one more than the
	// ten IAM allows per role by default (moto answers IAM's default quotas).
	o := newOrg(t, func(text string) string {
		return strings.Replace(text, "developerPolicies: [PowerUserAccess]",
			"developerPolicies: [PowerUserAccess, SecurityAudit, AmazonS3ReadOnlyAccess, AmazonEC2ReadOnlyAccess, AmazonRDSReadOnlyAccess, "+
				"CloudWatchReadOnlyAccess, AWSLambda_ReadOnlyAccess, AmazonSNSReadOnlyAccess, AmazonSQSReadOnlyAccess, AmazonDynamoDBReadOnlyAccess]", 1)
	})
	identity, staging := o.target(t, "identity"), o.target(t, "staging")

	// identity, the home account: never bootstrapped; a pool of 2 unreserved executions;
	// Cost Explorer never enabled; 999 of its 1,000 roles in use; the developers group and
	// a role named curfew-shutdown made by someone else; a log group an earlier install kept.
	lambdaSettings(o.proxy, o.ids["identity"], 1000, 2)
	// What GetCostAndUsage answers where Cost Explorer was never enabled (Cost Explorer API
	// reference: DataUnavailableException, "the requested data is unavailable"); moto
	// answers it always.
	o.proxy.Add(faultproxy.Rule{Account: o.ids["identity"], Service: "ce", Action: "GetCostAndUsage", Kind: faultproxy.Error, Code: "DataUnavailableException"})
	// An account at its roles quota, as GetAccountSummary reports one (Roles next to
	// RolesQuota); creating 999 roles in moto would take minutes.
	usedRoles := regexp.MustCompile(`(<key>Roles</key><value>)\d+`)
	o.proxy.Add(faultproxy.Rule{Account: o.ids["identity"], Service: "iam", Action: "GetAccountSummary", Kind: faultproxy.Rewrite,
		Rewrite: func(_ faultproxy.Call, body []byte) []byte { return usedRoles.ReplaceAll(body, []byte("${1}999")) }})
	ic := iam.NewFromConfig(identity.Config)
	if _, err := ic.CreateGroup(t.Context(), &iam.CreateGroupInput{GroupName: aws.String("developers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("curfew-shutdown"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	// What a deleted curfew-service leaves behind: a retained log group of a function.
	if _, err := cloudwatchlogs.NewFromConfig(identity.Config).CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/curfew-restart")}); err != nil {
		t.Fatal(err)
	}

	// staging: bootstrapped by an old CDK; GitHub's OIDC provider already there; a
	// DeveloperAccess role and a CurfewGuardrails policy of someone else's.
	bootstrapped(t, staging.Config, "eu-west-1", "5")
	sc := iam.NewFromConfig(staging.Config)
	if _, err := sc.CreateOpenIDConnectProvider(t.Context(), &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("DeveloperAccess"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.CreatePolicy(t.Context(), &iam.CreatePolicyInput{PolicyName: aws.String("CurfewGuardrails"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		target Target
		want   map[string][]string // check -> its problem findings contain each
	}{
		{identity, map[string][]string{
			"cdk bootstrap":      {"aws://" + o.ids["identity"] + "/eu-west-1 is not bootstrapped: no CDKToolkit stack"},
			"lambda concurrency": {"concurrency limit 1000, only 2 unreserved"},
			"iam quotas":         {"roles: 999 of 1000 in use, curfew creates 5"},
			"fixed names":        {"group developers already exists", "role curfew-shutdown already exists", "log group /aws/lambda/curfew-restart already exists in eu-west-1"},
			"cost explorer":      {"Cost Explorer is not enabled for this account (GetCostAndUsage: DataUnavailableException)"},
		}},
		{staging, map[string][]string{
			"cdk bootstrap":    {`bootstrap version "5", curfew's templates need 6 or later`},
			"iam quotas":       {"role DeveloperAccess gets 11 managed policies, the account allows 10 per role"},
			"ci oidc provider": {"oidc-provider/token.actions.githubusercontent.com already exists and no stack of curfew created it"},
			"fixed names":      {"role DeveloperAccess already exists", "policy CurfewGuardrails already exists"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.target.Account.Name, func(t *testing.T) {
			results := Run(t.Context(), tt.target, Checks())
			for _, r := range results {
				var problems []string
				for _, f := range r.Findings {
					if f.Status == Problem {
						if f.Fix == "" {
							t.Errorf("%s: problem %q has no fix", r.Check, f.Detail)
						}
						problems = append(problems, f.Detail)
					}
				}
				want := tt.want[r.Check]
				if len(problems) != len(want) {
					t.Errorf("%s: %d problem(s), want %d:\n%s", r.Check, len(problems), len(want), dump(results))
				}
				for _, w := range want {
					if !strings.Contains(strings.Join(problems, "\n"), w) {
						t.Errorf("%s: no problem says %q:\n%s", r.Check, w, dump(results))
					}
				}
			}
		})
	}
}

// A member of developers or operators without the group's tag is named with the command
// that tags them: DeveloperAccess and curfew-operator trust tagged users only (issue 26,
// item 9). Accounts other than the identity account have no such groups.
func TestGroupMembersCarryTheirTag(t *testing.T) {
	o := newOrg(t, nil)
	identity, staging := o.target(t, "identity"), o.target(t, "staging")
	c := iam.NewFromConfig(identity.Config)
	if got := dump(Run(t.Context(), identity, []Check{groupTags{}})); !strings.Contains(got, "ok  group tags: every member of developers and operators carries its group's tag (0 membership(s))") {
		t.Errorf("before curfew-identity:\n%s", got)
	}
	tag := func(key string) []iamtypes.Tag {
		return []iamtypes.Tag{{Key: aws.String(key), Value: aws.String("true")}}
	}
	for _, u := range []struct {
		name, group string
		tags        []iamtypes.Tag
	}{
		{"alice", "developers", tag(accounts.DeveloperTag)},
		{"bob", "developers", nil},
		{"carol", "operators", tag(accounts.DeveloperTag)},
		{"dave", "operators", tag(accounts.OperatorTag)},
	} {
		if _, err := c.GetGroup(t.Context(), &iam.GetGroupInput{GroupName: aws.String(u.group)}); err != nil {
			if _, err := c.CreateGroup(t.Context(), &iam.CreateGroupInput{GroupName: aws.String(u.group)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.CreateUser(t.Context(), &iam.CreateUserInput{UserName: aws.String(u.name), Tags: u.tags}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUserToGroup(t.Context(), &iam.AddUserToGroupInput{GroupName: aws.String(u.group), UserName: aws.String(u.name)}); err != nil {
			t.Fatal(err)
		}
	}
	results := Run(t.Context(), identity, []Check{groupTags{}})
	var problems []string
	for _, f := range results[0].Findings {
		if f.Status == Problem {
			problems = append(problems, f.Detail+" / fix: "+f.Fix)
		}
	}
	want := []string{
		"user bob is in group developers but not tagged curfew:developer=true: DeveloperAccess refuses them / fix: aws iam tag-user --user-name bob --tags Key=curfew:developer,Value=true --profile identity",
		"user carol is in group operators but not tagged curfew:operator=true: curfew-operator refuses them / fix: aws iam tag-user --user-name carol --tags Key=curfew:operator,Value=true --profile identity",
	}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(want, "\n"))
	}
	if got := dump(Run(t.Context(), staging, []Check{groupTags{}})); !strings.HasPrefix(got, "n/a  group tags: curfew's groups are in the identity account (identity)") {
		t.Errorf("staging:\n%s", got)
	}
}

// The bucket of found accounts (curfew-accounts-<home>-<region>, issue 26, item 11) is
// one of curfew's fixed names in the home account of a map with an organization: one
// left by an earlier curfew-service, or made by someone else, is a problem; one in
// curfew-service is curfew's.
func TestAccountListBucketIsAFixedName(t *testing.T) {
	o := newMotoOrg(t, func(o *motoOrg) string { return o.mgmt }, false)
	identity := o.target(t, "identity")
	bucket := accountlist.Bucket(o.m)
	names := func() string { return dump(Run(t.Context(), identity, []Check{fixedNames{}})) }
	if got := names(); strings.Contains(got, "problem") || !strings.Contains(got, "fixed names is taken") {
		t.Errorf("before any bucket:\n%s", got)
	}
	c := emulator.S3(identity.Config)
	emulator.Bucket(t, c, bucket)
	if got, want := names(), "problem  fixed names: bucket "+bucket+" already exists and no stack of curfew holds it"; !strings.Contains(got, want) {
		t.Errorf("with a bucket left behind, lacks %q:\n%s", want, got)
	}
	if _, err := c.DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	createStack(t, identity.Config, "eu-west-1", "curfew-service", fmt.Sprintf(
		`{"Resources":{"AccountList":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":%q}}}}`, bucket))
	if got, want := names(), "ok  fixed names: bucket "+bucket+" belongs to curfew's stack curfew-service"; !strings.Contains(got, want) {
		t.Errorf("with curfew-service's bucket, lacks %q:\n%s", want, got)
	}
	// What S3 answers HeadBucket with ExpectedBucketOwner for a bucket another account holds.
	o.proxy.Add(faultproxy.Rule{Service: "s3", Kind: faultproxy.Error, Code: "Forbidden", Status: 403,
		Match: func(c faultproxy.Call) bool { return c.Method == "HEAD" && strings.Contains(c.Path, bucket) }})
	if got, want := names(), "problem  fixed names: bucket "+bucket+" exists and is not this account's"; !strings.Contains(got, want) {
		t.Errorf("with another account's bucket, lacks %q:\n%s", want, got)
	}
}

// dump renders results one finding a line: "status  check: detail".
func dump(results []Result) string {
	var b strings.Builder
	for _, r := range results {
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "%s  %s: %s\n", f.Status, r.Check, f.Detail)
		}
	}
	return b.String()
}

// With the map saying the account has the issuer's provider (ciExistingProvider), preflight
// passes only where it exists and lists the map's audience: otherwise CurfewCI would trust
// a provider that is missing, or one IAM refuses the CI's tokens at.
func TestExistingOIDCProviderIsChecked(t *testing.T) {
	provider := func(t *testing.T, tg Target, audience string) {
		t.Helper()
		if _, err := iam.NewFromConfig(tg.Config).CreateOpenIDConnectProvider(t.Context(), &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{audience},
			ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		audience string // of the provider in the account; "" for none
		status   Status
		detail   string
	}{
		{"provider with the map's audience", "sts.amazonaws.com", OK, "the map references the existing provider"},
		{"no provider at all", "", Problem, "has none: CurfewCI would trust a provider that does not exist"},
		{"provider for another audience", "api://other", Problem, "does not list the audience sts.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, func(text string) string {
				return strings.Replace(text, "audience: sts.amazonaws.com", "audience: sts.amazonaws.com\n    existingProvider: true", 1)
			})
			staging := o.target(t, "staging")
			if tt.audience != "" {
				provider(t, staging, tt.audience)
			}
			results := Run(t.Context(), staging, []Check{oidcProvider{}})
			if len(results) != 1 || len(results[0].Findings) != 1 {
				t.Fatalf("results = %s", dump(results))
			}
			f := results[0].Findings[0]
			if f.Status != tt.status || !strings.Contains(f.Detail, tt.detail) || (f.Status == Problem && f.Fix == "") {
				t.Errorf("finding = %s %q (fix %q), want %s containing %q", f.Status, f.Detail, f.Fix, tt.status, tt.detail)
			}
		})
	}
}

// With access: identity-center, curfew creates neither DeveloperAccess nor the developers
// group: a role or group of those names (left by the IAM-users model while an organisation
// moves over, say) is no clash, and DeveloperAccess's policies count for no quota.
func TestIdentityCenterFootprint(t *testing.T) {
	o := newOrg(t, func(text string) string {
		return `access: identity-center
identityCenter:
  instanceArn: arn:aws:sso:::instance/ssoins-0123456789abcdef
  identityStoreId: d-0123456789
  account: "999999999999"
  startUrl: https://acme.awsapps.com/start
  region: eu-west-1
  developerGroups: {non-production: [9067d2f4-3041-70f6-e73b-1e2ee0a6a0b1]}
` + strings.Replace(text, "developerPolicies: [PowerUserAccess]",
			"developerPolicies: [PowerUserAccess, SecurityAudit, AmazonS3ReadOnlyAccess, AmazonEC2ReadOnlyAccess, AmazonRDSReadOnlyAccess, "+
				"CloudWatchReadOnlyAccess, AWSLambda_ReadOnlyAccess, AmazonSNSReadOnlyAccess, AmazonSQSReadOnlyAccess, AmazonDynamoDBReadOnlyAccess]", 1)
	})
	identity, staging := o.target(t, "identity"), o.target(t, "staging")
	if _, err := iam.NewFromConfig(identity.Config).CreateGroup(t.Context(), &iam.CreateGroupInput{GroupName: aws.String("developers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(staging.Config).CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("DeveloperAccess"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	for _, tg := range []Target{identity, staging} {
		for _, r := range Run(t.Context(), tg, []Check{fixedNames{}, iamQuotas{}}) {
			for _, f := range r.Findings {
				if f.Status == Problem || strings.Contains(f.Detail, "DeveloperAccess") || strings.Contains(f.Detail, "developers") {
					t.Errorf("%s: %s: %s %s", tg.Account.Name, r.Check, f.Status, f.Detail)
				}
			}
		}
	}
}

// A role or policy CloudFormation tagged with a stack of curfew's is curfew's even when no
// stack of curfew lists it (its stack is deleted, or it was made in another region): the
// stack's tag, not only the stack's resources, says whose the name is.
func TestANameTaggedByCurfewsStackIsCurfews(t *testing.T) {
	o := newOrg(t, nil)
	staging := o.target(t, "staging")
	c := iam.NewFromConfig(staging.Config)
	tags := []iamtypes.Tag{{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("curfew-staging")}}
	if _, err := c.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("DeveloperAccess"), AssumeRolePolicyDocument: aws.String(trust), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicy(t.Context(), &iam.CreatePolicyInput{PolicyName: aws.String("CurfewGuardrails"), Tags: tags,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	got := dump(Run(t.Context(), staging, []Check{fixedNames{}}))
	for _, want := range []string{
		"ok  fixed names: role DeveloperAccess belongs to curfew's stack curfew-staging",
		"ok  fixed names: policy CurfewGuardrails belongs to curfew's stack curfew-staging",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "problem") {
		t.Errorf("a name tagged by curfew's stack is a problem:\n%s", got)
	}
}
