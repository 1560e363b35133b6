package accounts_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// guardMap is a small valid organisation: people (identity, home), root (the management
// account, production), dev (non-production) and prod (production). Its CI is an IAM
// user; with oidc, a GitHub Actions repository whose production accounts name a branch
// or environment of their own.
func guardMap(t *testing.T, oidc bool) *accounts.Map {
	t.Helper()
	ci := "ci: {user: ci-deployer, acceptStaticKeys: true}"
	prodSubject := ""
	if oidc {
		ci = "ci: {oidc: {issuer: https://token.actions.githubusercontent.com, audience: sts.amazonaws.com, subject: \"repo:acme/infra:*\"}}"
		prodSubject = ", ciSubject: \"repo:acme/infra:environment:production\""
	}
	m, err := accounts.Parse([]byte(`identity: people
home: people
homeRegion: eu-west-1
management: root
externalId: curfew-test
` + ci + `
schedule: {timezone: UTC, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: people, id: "000000000001", environment: production}
  - {name: root, id: "000000000002", environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]` + prodSubject + `}
  - {name: dev, id: "000000000003", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
  - {name: prod, id: "000000000004", environment: production, regions: [eu-west-1, eu-central-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess], ciCdkDeploy: true` + prodSubject + `}
`))
	if err != nil {
		t.Fatalf("the base map of the table is invalid: %v", err)
	}
	return m
}

// The accounts of guardMap, by index.
const (
	people = iota
	root
	dev
	prod
)

// guardCase is one row of a validation table: an edit of guardMap and the problem it
// must cause (field "" when the edited map is valid).
type guardCase struct {
	name   string
	oidc   bool
	edit   func(m *accounts.Map)
	field  string
	reason []string // phrases the problem's reason must contain
}

func runGuardCases(t *testing.T, tests []guardCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := guardMap(t, tt.oidc)
			tt.edit(m)
			err := m.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want a valid map", err)
				}
				return
			}
			var verr *accounts.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			for _, p := range verr.Problems {
				if p.Field == tt.field && containsAll(p.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("no problem %s: ...%s...; got:\n%v", tt.field, strings.Join(tt.reason, "..."), err)
		})
	}
}

func containsAll(s string, phrases []string) bool {
	for _, p := range phrases {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func reasons(r ...string) []string { return r }

func TestRegionsAreTheSDKs(t *testing.T) {
	runGuardCases(t, []guardCase{
		{name: "known regions of several partitions", edit: func(m *accounts.Map) {
			m.Accounts[dev].Regions = []string{"eu-west-1", "us-gov-west-1", "cn-north-1", "eusc-de-east-1"}
		}},
		{name: "typo in an account region", edit: func(m *accounts.Map) { m.Accounts[dev].Regions = []string{"eu-wset-1"} },
			field: "accounts[2].regions[0]", reason: reasons(`"eu-wset-1" is not a region the AWS SDK knows`, "did you mean eu-west-1?", "extraRegions")},
		{name: "typo in the home region", edit: func(m *accounts.Map) { m.HomeRegion = "us-esat-1" },
			field: "homeRegion", reason: reasons("did you mean us-east-1?", "extraRegions")},
		{name: "region-shaped but nothing near", edit: func(m *accounts.Map) { m.Accounts[prod].Regions = []string{"eu-west-1", "ap-nowhere-9"} },
			field: "accounts[3].regions[1]", reason: reasons("not a region the AWS SDK knows", "extraRegions")},
		{name: "not a region name at all", edit: func(m *accounts.Map) { m.Accounts[dev].Regions = []string{"Ireland"} },
			field: "accounts[2].regions[0]", reason: reasons("not a region name like eu-west-1")},
		{name: "a region newer than the SDK, listed in extraRegions", edit: func(m *accounts.Map) {
			m.ExtraRegions = []string{"eu-south-9"}
			m.Accounts[dev].Regions = []string{"eu-south-9"}
			m.HomeRegion = "eu-south-9"
		}},
		{name: "extraRegions are still pattern-checked", edit: func(m *accounts.Map) {
			m.ExtraRegions = []string{"moon-base-1"}
			m.Accounts[dev].Regions = []string{"moon-base-1"}
		}, field: "extraRegions[0]", reason: reasons(`"moon-base-1" does not follow the region names of any AWS partition`)},
		{name: "extraRegions listed twice", edit: func(m *accounts.Map) { m.ExtraRegions = []string{"eu-south-9", "eu-south-9"} },
			field: "extraRegions[1]", reason: reasons("listed twice")},
		{name: "region listed twice", edit: func(m *accounts.Map) { m.Accounts[dev].Regions = []string{"eu-west-1", "eu-west-1"} },
			field: "accounts[2].regions[1]", reason: reasons("listed twice")},
		{name: "more regions than exist", edit: func(m *accounts.Map) {
			m.Accounts[dev].Regions = make([]string, 1000)
		}, field: "accounts[2].regions", reason: reasons("lists 1000 regions; there are")},
	})
}

func TestOIDCSubjects(t *testing.T) {
	const github = "https://token.actions.githubusercontent.com"
	orgSubject := func(s string) func(m *accounts.Map) { return func(m *accounts.Map) { m.CI.OIDC.Subject = s } }
	prodSubject := func(s string) func(m *accounts.Map) { return func(m *accounts.Map) { m.Accounts[prod].CISubject = s } }
	gitlab := func(org, prodSub string) func(m *accounts.Map) {
		return func(m *accounts.Map) {
			m.CI.OIDC.Issuer, m.CI.OIDC.Subject = "https://gitlab.example.com", org
			m.Accounts[root].CISubject, m.Accounts[prod].CISubject = prodSub, prodSub
		}
	}
	wildcard := reasons("wildcard (* or ?) in the owner or repository", "repo:acme/infra:ref:refs/heads/main")
	runGuardCases(t, []guardCase{
		{name: "branch wildcard for non-production, bound subjects for production", oidc: true, edit: func(*accounts.Map) {}},
		{name: "repo:*", oidc: true, edit: orgSubject("repo:*"), field: "ci.oidc.subject", reason: wildcard},
		{name: "*:*", oidc: true, edit: orgSubject("*:*"), field: "ci.oidc.subject", reason: wildcard},
		{name: "repo:*/*:*", oidc: true, edit: orgSubject("repo:*/*:*"), field: "ci.oidc.subject", reason: wildcard},
		{name: "repo:acme/*:*", oidc: true, edit: orgSubject("repo:acme/*:*"), field: "ci.oidc.subject", reason: wildcard},
		{name: "wildcard within the repository name", oidc: true, edit: orgSubject("repo:acme/infra-?:ref:refs/heads/main"), field: "ci.oidc.subject", reason: wildcard},
		{name: "bare *", oidc: true, edit: orgSubject("*"), field: "ci.oidc.subject", reason: wildcard},
		{name: "empty", oidc: true, edit: orgSubject(""), field: "ci.oidc.subject", reason: reasons("must name the CI subject")},
		{name: "not repo:OWNER/REPO:…", oidc: true, edit: orgSubject("acme/infra"), field: "ci.oidc.subject", reason: reasons("not a GitHub Actions subject repo:OWNER/REPO:…", "e.g. repo:acme/infra")},
		{name: "no qualifier", oidc: true, edit: orgSubject("repo:acme/infra"), field: "ci.oidc.subject", reason: reasons("not a GitHub Actions subject")},
		{name: "wildcard in an account's subject", oidc: true, edit: func(m *accounts.Map) { m.Accounts[dev].CISubject = "repo:acme/*:*" },
			field: "accounts[2].ciSubject", reason: wildcard},
		{name: "a subject per non-production account", oidc: true, edit: func(m *accounts.Map) { m.Accounts[dev].CISubject = "repo:acme/app:pull_request" }},
		{name: "production bound to an environment", oidc: true, edit: prodSubject("repo:acme/infra:environment:production")},
		{name: "production bound to a branch", oidc: true, edit: prodSubject("repo:acme/infra:ref:refs/heads/main")},
		{name: "production inheriting a wildcard subject", oidc: true, edit: prodSubject(""),
			field: "accounts[3].ciSubject", reason: reasons(`account "prod" is production`, "ci.oidc.subject, which it inherits,", "protected environment or branch", "repo:acme/infra:environment:production")},
		{name: "production with a branch wildcard", oidc: true, edit: prodSubject("repo:acme/infra:ref:refs/heads/*"),
			field: "accounts[3].ciSubject", reason: reasons("its ciSubject", "with no wildcard")},
		{name: "production with an environment wildcard", oidc: true, edit: prodSubject("repo:acme/infra:environment:prod?"),
			field: "accounts[3].ciSubject", reason: reasons("with no wildcard")},
		{name: "production bound to a tag", oidc: true, edit: prodSubject("repo:acme/infra:ref:refs/tags/v1"),
			field: "accounts[3].ciSubject", reason: reasons("protected environment or branch")},
		{name: "production bound to pull requests", oidc: true, edit: prodSubject("repo:acme/infra:pull_request"),
			field: "accounts[3].ciSubject", reason: reasons("protected environment or branch")},
		{name: "ciSubject with an IAM-user CI", edit: func(m *accounts.Map) { m.Accounts[dev].CISubject = "repo:acme/infra:ref:refs/heads/main" },
			field: "accounts[2].ciSubject", reason: reasons("applies to CI through ci.oidc only")},
		{name: "ciSubject on the identity account", oidc: true, edit: func(m *accounts.Map) { m.Accounts[people].CISubject = "repo:acme/infra:ref:refs/heads/main" },
			field: "accounts[0].ciSubject", reason: reasons("identity account, which has no CI role")},
		{name: "other issuer: wildcard after the workload", oidc: true, edit: gitlab("project_path:acme/infra:*", "project_path:acme/infra:ref_type:branch:ref:main")},
		{name: "other issuer: wildcard in the workload", oidc: true, edit: gitlab("project_path:acme/*:*", "project_path:acme/infra:ref_type:branch:ref:main"),
			field: "ci.oidc.subject", reason: reasons("wildcard (* or ?) in the part that names the workload")},
		{name: "other issuer: production with a wildcard anywhere", oidc: true, edit: gitlab("project_path:acme/infra:ref_type:branch:ref:main", "project_path:acme/infra:ref_type:branch:ref:*"),
			field: "accounts[3].ciSubject", reason: reasons("must not have a wildcard")},
		{name: "GitHub issuer with a trailing slash is still GitHub", oidc: true, edit: func(m *accounts.Map) {
			m.CI.OIDC.Issuer = github + "/"
			m.CI.OIDC.Subject = "repo:*"
		}, field: "ci.oidc.subject", reason: wildcard},
	})
}

// TestCIExistingProvider: ci.oidc.existingProvider applies to every target account,
// ciExistingProvider overrides it for one; both need OIDC, and the identity account has
// no CI role to give a provider; an issuer that no provider ARN can name is refused.
func TestCIExistingProvider(t *testing.T) {
	yes, no := true, false
	runGuardCases(t, []guardCase{
		{name: "every account has one", oidc: true, edit: func(m *accounts.Map) { m.CI.OIDC.ExistingProvider = true }},
		{name: "one account has one", oidc: true, edit: func(m *accounts.Map) { m.Accounts[dev].CIExistingProvider = &yes }},
		{name: "every account but one has one", oidc: true, edit: func(m *accounts.Map) {
			m.CI.OIDC.ExistingProvider = true
			m.Accounts[prod].CIExistingProvider = &no
		}},
		{name: "with an IAM-user CI", edit: func(m *accounts.Map) { m.Accounts[dev].CIExistingProvider = &yes },
			field: "accounts[2].ciExistingProvider", reason: reasons("applies to CI through ci.oidc only", "remove it")},
		{name: "false with an IAM-user CI", edit: func(m *accounts.Map) { m.Accounts[dev].CIExistingProvider = &no },
			field: "accounts[2].ciExistingProvider", reason: reasons("applies to CI through ci.oidc only")},
		{name: "on the identity account", oidc: true, edit: func(m *accounts.Map) { m.Accounts[people].CIExistingProvider = &yes },
			field: "accounts[0].ciExistingProvider", reason: reasons(`account "people" is the identity account, which has no CI role`)},
		{name: "issuer with a query", oidc: true, edit: func(m *accounts.Map) { m.CI.OIDC.Issuer = "https://token.actions.githubusercontent.com?x=1" },
			field: "ci.oidc.issuer", reason: reasons("has a user, query or fragment", "https://HOST[/PATH] only")},
		{name: "issuer with a fragment", oidc: true, edit: func(m *accounts.Map) { m.CI.OIDC.Issuer = "https://gitlab.example.com/#x" },
			field: "ci.oidc.issuer", reason: reasons("has a user, query or fragment")},
		{name: "issuer with a user", oidc: true, edit: func(m *accounts.Map) { m.CI.OIDC.Issuer = "https://ci@gitlab.example.com" },
			field: "ci.oidc.issuer", reason: reasons("has a user, query or fragment")},
		{name: "issuer with a path", oidc: true, edit: func(m *accounts.Map) {
			m.CI.OIDC.Issuer = "https://oidc.example.com/tenant-1"
			m.CI.OIDC.Subject = "project_path:acme/infra:ref_type:branch:ref:main"
			m.Accounts[root].CISubject, m.Accounts[prod].CISubject = "", ""
		}},
	})

	tests := []struct {
		name             string
		oidc, orgDefault bool
		override         *bool
		want             bool
	}{
		{name: "IAM-user CI", want: false},
		{name: "created by default", oidc: true, want: false},
		{name: "existing for all", oidc: true, orgDefault: true, want: true},
		{name: "existing for the account", oidc: true, override: &yes, want: true},
		{name: "created for the account", oidc: true, orgDefault: true, override: &no, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := guardMap(t, tt.oidc)
			if tt.oidc {
				m.CI.OIDC.ExistingProvider = tt.orgDefault
			}
			a := m.Accounts[dev]
			a.CIExistingProvider = tt.override
			if got := m.CIProviderExists(a); got != tt.want {
				t.Errorf("CIProviderExists = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCIPrincipal(t *testing.T) {
	noAck := func(m *accounts.Map) { m.CI.AcceptStaticKeys = false }
	runGuardCases(t, []guardCase{
		{name: "user acknowledged", edit: func(*accounts.Map) {}},
		{name: "user unrestricted and not acknowledged", edit: noAck,
			field: "ci.user", reason: reasons("from anywhere, without MFA", "ci.sourceIps", "ci.sourceVpcs", "ci.acceptStaticKeys: true")},
		{name: "user restricted to source IPs", edit: func(m *accounts.Map) {
			noAck(m)
			m.CI.SourceIPs = []string{"203.0.113.0/24", "2001:db8::/32"}
		}},
		{name: "user restricted to a VPC", edit: func(m *accounts.Map) {
			noAck(m)
			m.CI.SourceVPCs = []string{"vpc-0a1b2c3d4e5f60718", "vpc-1a2b3c4d"}
		}},
		{name: "source IP not a CIDR", edit: func(m *accounts.Map) { m.CI.SourceIPs = []string{"office"} },
			field: "ci.sourceIps[0]", reason: reasons(`"office" is not a CIDR range`)},
		{name: "source IP without a prefix length", edit: func(m *accounts.Map) { m.CI.SourceIPs = []string{"203.0.113.7"} },
			field: "ci.sourceIps[0]", reason: reasons("not a CIDR range")},
		{name: "source IP with host bits", edit: func(m *accounts.Map) { m.CI.SourceIPs = []string{"203.0.113.7/24"} },
			field: "ci.sourceIps[0]", reason: reasons("write 203.0.113.0/24")},
		{name: "source VPC not a VPC id", edit: func(m *accounts.Map) { m.CI.SourceVPCs = []string{"vpce-0a1b2c3d"} },
			field: "ci.sourceVpcs[0]", reason: reasons(`"vpce-0a1b2c3d" is not a VPC id`)},
		{name: "acceptStaticKeys with OIDC", oidc: true, edit: func(m *accounts.Map) { m.CI.AcceptStaticKeys = true },
			field: "ci.acceptStaticKeys", reason: reasons("applies to ci.user only")},
		{name: "sourceIps with OIDC", oidc: true, edit: func(m *accounts.Map) { m.CI.SourceIPs = []string{"203.0.113.0/24"} },
			field: "ci.sourceIps", reason: reasons("applies to ci.user only")},
		{name: "sourceVpcs with OIDC", oidc: true, edit: func(m *accounts.Map) { m.CI.SourceVPCs = []string{"vpc-1a2b3c4d"} },
			field: "ci.sourceVpcs", reason: reasons("applies to ci.user only")},
	})
}

func TestProductionCIPolicies(t *testing.T) {
	prodCI := func(p ...string) func(m *accounts.Map) {
		return func(m *accounts.Map) { m.Accounts[prod].CIPolicies = p }
	}
	runGuardCases(t, []guardCase{
		{name: "the whole allow-list", edit: prodCI(accounts.ReadOnlyPolicies()...)},
		{name: "allow-listed by ARN", edit: prodCI("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "arn:aws-us-gov:iam::aws:policy/SecurityAudit")},
		{name: "PowerUserAccess", edit: prodCI("ReadOnlyAccess", "PowerUserAccess"),
			field: "accounts[3].ciPolicies[1]", reason: reasons(`"PowerUserAccess" is not on the production allow-list for CI (ReadOnlyAccess, job-function/ViewOnlyAccess, SecurityAudit, AWSCloudFormationReadOnlyAccess)`, "deploy with ciCdkDeploy: true (the CI role may then assume the account's CDK bootstrap roles) or add overrides: [ci-policies]")},
		{name: "PowerUserAccess by ARN", edit: prodCI("arn:aws:iam::aws:policy/PowerUserAccess"),
			field: "accounts[3].ciPolicies[0]", reason: reasons("not on the production allow-list", "overrides: [ci-policies]")},
		{name: "PowerUserAccess lifted", edit: func(m *accounts.Map) {
			prodCI("PowerUserAccess")(m)
			m.Accounts[prod].Overrides = []accounts.Override{accounts.OverrideCIPolicies}
		}},
		{name: "PowerUserAccess outside production", edit: func(m *accounts.Map) { m.Accounts[dev].CIPolicies = []string{"PowerUserAccess"} }},
		{name: "the management account is production here", edit: func(m *accounts.Map) { m.Accounts[root].CIPolicies = []string{"AWSLambda_FullAccess"} },
			field: "accounts[1].ciPolicies[0]", reason: reasons("production allow-list")},
	})
}

func TestAdministratorAndManagementGuardrails(t *testing.T) {
	lift := func(i int, o ...accounts.Override) func(m *accounts.Map) {
		return func(m *accounts.Map) { m.Accounts[i].Overrides = o }
	}
	both := func(edits ...func(m *accounts.Map)) func(m *accounts.Map) {
		return func(m *accounts.Map) {
			for _, e := range edits {
				e(m)
			}
		}
	}
	prodDev := func(p ...string) func(m *accounts.Map) {
		return func(m *accounts.Map) { m.Accounts[prod].DeveloperPolicies = p }
	}
	nonProductionRoot := func(m *accounts.Map) { m.Accounts[root].Environment = accounts.NonProduction }
	off := false
	runGuardCases(t, []guardCase{
		{name: "administrator for developers outside production", edit: func(m *accounts.Map) { m.Accounts[dev].DeveloperPolicies = []string{"AdministratorAccess"} }},
		{name: "AdministratorAccess for developers in production", edit: prodDev("AdministratorAccess"),
			field: "accounts[3].developerPolicies[0]", reason: reasons(`"AdministratorAccess" is administrator access in a production account ("prod")`, "overrides: [administrator]")},
		{name: "IAMFullAccess by ARN for developers in production", edit: prodDev("ReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess"),
			field: "accounts[3].developerPolicies[1]", reason: reasons("administrator access in a production account", "overrides: [administrator]")},
		{name: "AdministratorAccess for CI in production", edit: func(m *accounts.Map) { m.Accounts[prod].CIPolicies = []string{"AdministratorAccess"} },
			field: "accounts[3].ciPolicies[0]", reason: reasons("administrator access in a production account", "overrides: [administrator]")},
		{name: "AdministratorAccess in production, lifted", edit: both(prodDev("AdministratorAccess"), lift(prod, accounts.OverrideAdministrator))},
		{name: "AdministratorAccess in a non-production management account", edit: both(nonProductionRoot, func(m *accounts.Map) {
			m.Accounts[root].Shutdown = &off
			m.Accounts[root].DeveloperPolicies = []string{"AdministratorAccess"}
		}), field: "accounts[1].developerPolicies[0]", reason: reasons("administrator access in the management account", "overrides: [administrator]")},
		{name: "night shutdown of the management account", edit: nonProductionRoot,
			field: "accounts[1].shutdown", reason: reasons(`account "root" is the management account`, "shutdown: false or add overrides: [sweep-management]")},
		{name: "management account not swept", edit: both(nonProductionRoot, func(m *accounts.Map) { m.Accounts[root].Shutdown = &off })},
		{name: "management account swept on purpose", edit: both(nonProductionRoot, lift(root, accounts.OverrideSweepManagement))},
		{name: "unknown override", edit: lift(dev, "yolo"),
			field: "accounts[2].overrides[0]", reason: reasons(`"yolo" is not an override: use administrator, ci-policies, sweep-management, shared-home, unbounded-bootstrap`)},
		{name: "administrator lifting nothing outside production and management", edit: both(lift(dev, accounts.OverrideAdministrator), func(m *accounts.Map) {
			m.Accounts[dev].DeveloperPolicies = []string{"AdministratorAccess"}
		}), field: "accounts[2].overrides[0]", reason: reasons(`"administrator" lifts nothing on account "dev"`, "remove it")},
		{name: "administrator lifting nothing in a read-only production account", edit: lift(prod, accounts.OverrideAdministrator),
			field: "accounts[3].overrides[0]", reason: reasons(`"administrator" lifts nothing on account "prod"`)},
		{name: "ci-policies lifting nothing", edit: lift(prod, accounts.OverrideCIPolicies),
			field: "accounts[3].overrides[0]", reason: reasons(`"ci-policies" lifts nothing`)},
		{name: "sweep-management lifting nothing in a production management account", edit: lift(root, accounts.OverrideSweepManagement),
			field: "accounts[1].overrides[0]", reason: reasons(`"sweep-management" lifts nothing`)},
		{name: "overrides on the identity account", edit: lift(people, accounts.OverrideAdministrator),
			field: "accounts[0].overrides[0]", reason: reasons("lifts nothing")},
		{name: "override listed twice", edit: both(prodDev("AdministratorAccess"), lift(prod, accounts.OverrideAdministrator, accounts.OverrideAdministrator)),
			field: "accounts[3].overrides[1]", reason: reasons(`"administrator" is listed twice`)},
	})
}

// unbounded-bootstrap accepts, for one target account, a CDK bootstrap whose
// CloudFormation execution role is administrator without a permissions boundary (curfew
// preflight refuses it otherwise); the identity account has no DeveloperAccess or
// CurfewCI to reach a bootstrap, so there it lifts nothing.
func TestUnboundedBootstrapOverride(t *testing.T) {
	lift := func(i int) func(m *accounts.Map) {
		return func(m *accounts.Map) {
			m.Accounts[i].Overrides = []accounts.Override{accounts.OverrideUnboundedBootstrap}
		}
	}
	runGuardCases(t, []guardCase{
		{name: "a non-production account", edit: lift(dev)},
		{name: "a production account", edit: lift(prod)},
		{name: "the identity account", edit: lift(people),
			field: "accounts[0].overrides[0]", reason: reasons(`"unbounded-bootstrap" lifts nothing on account "people"`, "preflight refuses a CDK bootstrap whose CloudFormation execution role is administrator without a permissions boundary")},
	})
}

func TestHomeAccount(t *testing.T) {
	home := func(name string) func(m *accounts.Map) { return func(m *accounts.Map) { m.Home = name } }
	runGuardCases(t, []guardCase{
		{name: "the identity account", edit: home("people")},
		{name: "a read-only production account", edit: home("prod")},
		{name: "an account where developers and CI write", edit: home("dev"),
			field: "home", reason: reasons(`account "dev" runs curfew's Lambdas`, "principals with write access in the home account can replace curfew's functions and act through them in every account", "overrides: [shared-home] to accounts[2]")},
		{name: "CI alone writes", edit: func(m *accounts.Map) {
			m.Home = "root"
			m.Accounts[root].Overrides = []accounts.Override{accounts.OverrideCIPolicies}
			m.Accounts[root].CIPolicies = []string{"AWSLambda_FullAccess"}
		}, field: "home", reason: reasons("can replace curfew's functions")},
		{name: "shared on purpose", edit: func(m *accounts.Map) {
			m.Home = "dev"
			m.Accounts[dev].Overrides = []accounts.Override{accounts.OverrideSharedHome}
		}},
		{name: "shared-home on a read-only home", edit: func(m *accounts.Map) {
			m.Home = "prod"
			m.Accounts[prod].Overrides = []accounts.Override{accounts.OverrideSharedHome}
		}, field: "accounts[3].overrides[0]", reason: reasons(`"shared-home" lifts nothing`)},
		{name: "shared-home on an account that is not the home", edit: func(m *accounts.Map) {
			m.Accounts[dev].Overrides = []accounts.Override{accounts.OverrideSharedHome}
		}, field: "accounts[2].overrides[0]", reason: reasons(`"shared-home" lifts nothing`)},
	})
}
