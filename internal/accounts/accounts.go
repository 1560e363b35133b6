// Package accounts reads and validates curfew's account map: the one description of the
// organisation that the CDK app, the Lambdas and the CLI all share. It is the only code
// that knows the map's format, and it imports no other curfew package.
package accounts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Environment says whether an account runs production workloads.
type Environment string

// The environments an account may have.
const (
	Production    Environment = "production"
	NonProduction Environment = "non-production"
)

// Names of the roles curfew creates in every target account. They are fixed so that
// another account can build their ARNs without importing stack outputs.
const (
	DeveloperAccessRole = "DeveloperAccess"
	CIRole              = "CurfewCI"
	SchedulerRole       = "CurfewScheduler"
	CostReaderRole      = "CurfewCostReader"
)

// Names of curfew's Lambda functions in the home account, and of their execution roles.
const (
	ShutdownFunction   = "curfew-shutdown"
	RestartFunction    = "curfew-restart"
	CostReportFunction = "curfew-cost-report"
)

// Tag keys curfew reads and writes on resources.
const (
	SkipTag         = "curfew:skip"
	SnoozeUntilTag  = "curfew:snooze-until"
	StoppedAtTag    = "curfew:stopped-at"
	StoppedByRunTag = "curfew:stopped-by"
)

// Tags of the identity account's IAM users that stand for membership of curfew's groups.
// IAM trust policies cannot name a group, so DeveloperAccess trusts only users tagged
// DeveloperTag=MemberTagValue and curfew-operator only users tagged
// OperatorTag=MemberTagValue: an administrator of the identity account adds a person to
// the group and tags them alike, and a user outside the group is refused even when their
// own policies allow sts:AssumeRole on every role.
const (
	DeveloperTag   = "curfew:developer"
	OperatorTag    = "curfew:operator"
	MemberTagValue = "true"
)

// CapacityTag is part of curfew's mark on an Auto Scaling group: the min/desired/max
// capacity the shutdown found, which the restart sets back.
const CapacityTag = "curfew:asg-capacity"

// Parts of curfew's mark on an ECS service and an EKS managed node group: what the
// shutdown found, which the restart sets back. ECSMinCapacityTag is there only when the
// service has an Application Auto Scaling scalable target.
const (
	ECSDesiredTag       = "curfew:ecs-desired"
	ECSMinCapacityTag   = "curfew:ecs-min-capacity"
	NodegroupScalingTag = "curfew:eks-scaling"
)

// Map is the whole account map.
type Map struct {
	// Identity names the account that holds the IAM users and the developers group.
	Identity string `yaml:"identity"`
	// Home names the account where curfew's own Lambdas run.
	Home string `yaml:"home"`
	// HomeRegion is the region of curfew's service stack in the home account.
	HomeRegion string `yaml:"homeRegion"`
	// Management optionally names the organisation's management account; when set, the
	// cost report makes one grouped Cost Explorer query there.
	Management string `yaml:"management,omitempty"`
	// ExternalID is the ExternalId curfew's Lambdas present when they assume roles.
	ExternalID string `yaml:"externalId"`
	// CI is the principal that the CI role trusts.
	CI CI `yaml:"ci"`
	// Schedule is the organisation-wide shutdown schedule.
	Schedule Schedule `yaml:"schedule"`
	// CostReport says when the cost report runs and who receives it.
	CostReport CostReport `yaml:"costReport"`
	// Accounts lists every account of the organisation, the identity account included.
	Accounts []Account `yaml:"accounts"`
	// Organization optionally describes more target accounts by organisational unit;
	// the functions find them at run time.
	Organization *Organization `yaml:"organization,omitempty"`
	// Access is how people reach the target accounts: iam-users (the default) or
	// identity-center, with IdentityCenter.
	Access Access `yaml:"access,omitempty"`
	// IdentityCenter is the IAM Identity Center instance of access: identity-center.
	IdentityCenter *IdentityCenter `yaml:"identityCenter,omitempty"`
	// ExtraRegions are region names the pinned AWS SDK does not know yet (regions newer
	// than it), accepted in accounts[].regions and homeRegion as they are.
	ExtraRegions []string `yaml:"extraRegions,omitempty"`
	// HeadsUp configures the heads-up before each stop (see HeadsUp).
	HeadsUp *HeadsUp `yaml:"headsUp,omitempty"`
}

// Account is one AWS account of the organisation.
type Account struct {
	Name        string      `yaml:"name"`
	ID          string      `yaml:"id"`
	Environment Environment `yaml:"environment"`
	// Regions are swept by the shutdown; the first is the account's default region.
	Regions []string `yaml:"regions"`
	// DeveloperPolicies are the AWS managed policies the DeveloperAccess role gets.
	DeveloperPolicies []string `yaml:"developerPolicies"`
	// CIPolicies are the AWS managed policies the CI role gets.
	CIPolicies []string `yaml:"ciPolicies"`
	// Shutdown turns the night shutdown on or off; it defaults to on for non-production
	// accounts and must not be on for production ones.
	Shutdown *bool `yaml:"shutdown,omitempty"`
	// Schedule overrides parts of the organisation-wide schedule for this account.
	Schedule *ScheduleOverride `yaml:"schedule,omitempty"`
	// Holidays are added to the organisation-wide holidays for this account: dates,
	// calendars and exceptions (see Holiday).
	Holidays []Holiday `yaml:"holidays,omitempty"`
	// CISubject overrides ci.oidc.subject for this account's CI role (OIDC only).
	// Production accounts need a subject bound to a protected environment or branch.
	CISubject string `yaml:"ciSubject,omitempty"`
	// CICDKDeploy lets this account's CI role assume the account's CDK bootstrap roles
	// (deploy, file and image publishing, lookup) to deploy with `cdk deploy`.
	CICDKDeploy bool `yaml:"ciCdkDeploy,omitempty"`
	// CIExistingProvider overrides ci.oidc.existingProvider for this account (OIDC only):
	// true when the account already has an IAM OIDC provider for the issuer, false when
	// curfew creates it.
	CIExistingProvider *bool `yaml:"ciExistingProvider,omitempty"`
	// Overrides lift named guardrails for this account, each on purpose and visible in the
	// map: see the Override constants.
	Overrides []Override `yaml:"overrides,omitempty"`
	// Owners receive this account's own messages: its cost report (and, later, heads-ups).
	Owners *Owners `yaml:"owners,omitempty"`
	// Budget is the account's monthly budget in the cost report's currency; the report
	// says whether its forecast is within it.
	Budget *float64 `yaml:"budget,omitempty"`
}

// Override names a guardrail of the account map that an account lifts explicitly.
type Override string

// The guardrails an account may lift.
const (
	// OverrideAdministrator allows AdministratorAccess (or IAMFullAccess) for developers
	// or CI in a production account or the management account.
	OverrideAdministrator Override = "administrator"
	// OverrideCIPolicies allows CI policies outside the production allow-list in a
	// production account.
	OverrideCIPolicies Override = "ci-policies"
	// OverrideSweepManagement allows the night shutdown in the management account.
	OverrideSweepManagement Override = "sweep-management"
	// OverrideSharedHome allows a home account (other than the identity account) whose
	// developers or CI may write; curfew then denies changes to its own resources there.
	OverrideSharedHome Override = "shared-home"
	// OverrideUnboundedBootstrap accepts a CDK bootstrap in a target account whose
	// CloudFormation execution role is administrator without a permissions boundary:
	// whoever may use its deploy role (DeveloperAccess, CurfewCI with ciCdkDeploy) then
	// deploys past every guardrail. curfew preflight refuses such a bootstrap otherwise.
	OverrideUnboundedBootstrap Override = "unbounded-bootstrap"
)

// guardrail is a rule of the account map that an override lifts.
type guardrail struct {
	override Override
	rule     string
}

// guardrails are the rules an account may lift, each with its override.
var guardrails = []guardrail{
	{OverrideAdministrator, "no AdministratorAccess or IAMFullAccess in a production account or the management account"},
	{OverrideCIPolicies, "production CI policies come from the read-only allow-list"},
	{OverrideSweepManagement, "no night shutdown in the management account"},
	{OverrideSharedHome, "a home account other than the identity account grants read-only policies only"},
	{OverrideUnboundedBootstrap, "preflight refuses a CDK bootstrap whose CloudFormation execution role is administrator without a permissions boundary"},
}

// readOnlyPolicies backs ReadOnlyPolicies.
var readOnlyPolicies = []string{"ReadOnlyAccess", "job-function/ViewOnlyAccess", "SecurityAudit", "AWSCloudFormationReadOnlyAccess"}

// ReadOnlyPolicies returns the AWS managed policies a production account's CI role may
// have without an override, and all that developers and CI may have in a home account
// other than the identity account. None of them writes, assumes a role or passes one, so
// a leaked CI credential cannot change production through them (production deploys go
// through the CDK bootstrap roles instead: ciCdkDeploy), and nobody in the home account
// can replace curfew's functions, which act in every account.
func ReadOnlyPolicies() []string { return slices.Clone(readOnlyPolicies) }

// IsReadOnlyPolicy reports whether an AWS managed policy, by name or ARN, is one of
// ReadOnlyPolicies.
func IsReadOnlyPolicy(policy string) bool {
	return slices.Contains(readOnlyPolicies, ManagedPolicyName(policy))
}

// administratorPolicies are the AWS managed policies that amount to administrator access:
// IAMFullAccess can grant itself everything else.
var administratorPolicies = []string{"AdministratorAccess", "IAMFullAccess"}

// managedPolicyARNPrefix matches the ARN prefix of an AWS managed policy in any partition.
var managedPolicyARNPrefix = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::aws:policy/`)

// IsAdministratorPolicy reports whether an AWS managed policy, by name or ARN, amounts to
// administrator access (AdministratorAccess, or IAMFullAccess, which can grant itself
// everything else).
func IsAdministratorPolicy(policy string) bool {
	return slices.Contains(administratorPolicies, ManagedPolicyName(policy))
}

// ManagedPolicyName returns an AWS managed policy's name with its path
// (job-function/ViewOnlyAccess), whether it is given by name or by ARN.
func ManagedPolicyName(policy string) string {
	return managedPolicyARNPrefix.ReplaceAllLiteralString(policy, "")
}

// Lifts reports whether the account lifts the named guardrail.
func (a Account) Lifts(o Override) bool { return slices.Contains(a.Overrides, o) }

// CI describes the principal of non-interactive use: an IAM user in the identity
// account, or an OIDC identity provider.
type CI struct {
	User string `yaml:"user,omitempty"`
	OIDC *OIDC  `yaml:"oidc,omitempty"`
	// SourceIPs are the CIDR ranges the CI user's static key may be used from
	// (aws:SourceIp); user only.
	SourceIPs []string `yaml:"sourceIps,omitempty"`
	// SourceVPCs are the VPC ids the CI user's static key may be used from
	// (aws:SourceVpc); user only.
	SourceVPCs []string `yaml:"sourceVpcs,omitempty"`
	// AcceptStaticKeys acknowledges a CI user whose static key works from anywhere,
	// without MFA; a CI user needs sourceIps, sourceVpcs or this.
	AcceptStaticKeys bool `yaml:"acceptStaticKeys,omitempty"`
}

// OIDC is a web identity provider trusted by the CI role.
type OIDC struct {
	// Issuer is the provider's URL, e.g. https://token.actions.githubusercontent.com.
	Issuer   string `yaml:"issuer"`
	Audience string `yaml:"audience"`
	// Subject is matched with StringLike; wildcards are allowed only after the
	// repository part (never in the owner or repository), and accounts may override it
	// with ciSubject.
	Subject string `yaml:"subject"`
	// ExistingProvider says that the target accounts already have an IAM OIDC provider
	// for Issuer (anyone using the issuer with AWS has one, and IAM allows one per issuer
	// and account): their CI roles reference it instead of creating it. Accounts may say
	// otherwise with ciExistingProvider.
	ExistingProvider bool `yaml:"existingProvider,omitempty"`
}

// Schedule is when curfew stops and starts resources, in one time zone.
type Schedule struct {
	TimeZone string `yaml:"timezone"`
	Stop     Cron   `yaml:"stop"`
	// Start is the optional morning start; without it, only on-demand restarts run.
	Start *Cron `yaml:"start,omitempty"`
	// Holidays are the days on which the scheduled morning start does not run: dates
	// (YYYY-MM-DD) and calendars of public holidays, with exceptions (see Holiday).
	Holidays []Holiday `yaml:"holidays,omitempty"`
}

// ScheduleOverride replaces the organisation-wide time zone, stop or start of one account.
type ScheduleOverride struct {
	TimeZone string `yaml:"timezone,omitempty"`
	Stop     *Cron  `yaml:"stop,omitempty"`
	Start    *Cron  `yaml:"start,omitempty"`
}

// Cron is a time of day on some days of the week.
type Cron struct {
	// At is a 24-hour time, HH:MM.
	At string `yaml:"at"`
	// Days are three-letter day names or ranges: [MON-FRI], [MON, WED, SAT].
	Days []string `yaml:"days"`
}

// CostReport is when the cost report runs and who receives it.
type CostReport struct {
	Cron       `yaml:",inline"`
	Recipients []string `yaml:"recipients"`
	// AlarmRecipients receive the alarm on an undelivered email report (see AlarmTo).
	AlarmRecipients []string `yaml:"alarmRecipients,omitempty"`
	// Metric is the Cost Explorer metric the report reads (see CostMetric); empty for
	// amortized.
	Metric string `yaml:"metric,omitempty"`
	// IncludeCredits counts credits and refunds in the figures; by default they are
	// excluded, so that a credit does not read as negative spend.
	IncludeCredits bool `yaml:"includeCredits,omitempty"`
}

// Load reads and validates the account map at path.
func Load(path string) (*Map, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read account map: %w", err)
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("account map %s: %w", path, err)
	}
	return m, nil
}

// Bounds on what an account map may cost to parse. A map of a thousand accounts, one
// line each, is about 170 KB and 17,000 YAML nodes. Without aliases the size bounds the
// nodes; aliases multiply them (an alias of a list of N regions used by M accounts
// decodes N×M strings), so a map with anchors is also bounded in nodes, counting an
// alias's target at every use.
const (
	// MaxMapSize is the largest account map accepted, in bytes.
	MaxMapSize = 256 << 10
	// MaxMapNodes is the largest number of YAML nodes a map with anchors may decode to.
	MaxMapNodes = 100_000
)

// Parse decodes an account map strictly (unknown fields are errors) and validates it.
// A validation failure is a *ValidationError listing every problem.
func Parse(data []byte) (*Map, error) {
	if len(data) > MaxMapSize {
		return nil, fmt.Errorf("the account map is %d bytes: at most %d (256 KiB) are accepted", len(data), MaxMapSize)
	}
	// Count the nodes before decoding: the parser builds each node once, while decoding
	// into the map expands every alias. An alias needs an anchor, and an anchor starts
	// with &: a map without one is spared this second parse.
	if bytes.ContainsRune(data, '&') {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		if n := expandedNodes(&doc, map[*yaml.Node]int{}); n > MaxMapNodes {
			return nil, fmt.Errorf("decode: the account map decodes to more than %d YAML nodes (an alias counts its target at every use): write it with fewer aliases", MaxMapNodes)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m Map
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the account map is empty")
		}
		return nil, fmt.Errorf("decode: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode: the account map must be a single YAML document")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// expandedNodes counts the nodes under n as decoding sees them, every alias replaced by
// its target, saturating just above MaxMapNodes. Each node is visited once (memo), so
// counting costs what parsing did.
func expandedNodes(n *yaml.Node, memo map[*yaml.Node]int) int {
	if v, ok := memo[n]; ok {
		return v
	}
	// An anchor that contains an alias of itself counts once here; decoding refuses it.
	memo[n] = 1
	total := 1
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		total = min(1+expandedNodes(n.Alias, memo), MaxMapNodes+1)
	}
	for _, c := range n.Content {
		total = min(total+expandedNodes(c, memo), MaxMapNodes+1)
	}
	memo[n] = total
	return total
}

// Account returns the account with the given name.
func (m *Map) Account(name string) (Account, bool) {
	i := slices.IndexFunc(m.Accounts, func(a Account) bool { return a.Name == name })
	if i < 0 {
		return Account{}, false
	}
	return m.Accounts[i], true
}

// IdentityAccount returns the account that holds the IAM users.
func (m *Map) IdentityAccount() Account {
	a, _ := m.Account(m.Identity)
	return a
}

// HomeAccount returns the account where curfew's Lambdas run.
func (m *Map) HomeAccount() Account {
	a, _ := m.Account(m.Home)
	return a
}

// Targets returns the accounts developers switch into: every account but the identity one.
func (m *Map) Targets() []Account {
	return slices.DeleteFunc(slices.Clone(m.Accounts), func(a Account) bool { return a.Name == m.Identity })
}

// Swept returns the accounts the night shutdown visits: non-production targets with the
// shutdown on.
func (m *Map) Swept() []Account {
	return slices.DeleteFunc(m.Targets(), func(a Account) bool { return !a.ShutdownEnabled() })
}

// IsProduction reports whether the account runs production workloads.
func (a Account) IsProduction() bool { return a.Environment != NonProduction }

// ShutdownEnabled reports whether the night shutdown may touch this account. It is false
// for every production account, whatever the map says.
func (a Account) ShutdownEnabled() bool {
	if a.IsProduction() {
		return false
	}
	return a.Shutdown == nil || *a.Shutdown
}

// CISubject returns the OIDC subject the CI role of account a trusts: the account's
// ciSubject, or else ci.oidc.subject; "" when CI is not OIDC.
func (m *Map) CISubject(a Account) string {
	if m.CI.OIDC == nil {
		return ""
	}
	if a.CISubject != "" {
		return a.CISubject
	}
	return m.CI.OIDC.Subject
}

// CIProviderExists reports whether the CI role of account a references an IAM OIDC
// provider the account already has, rather than one curfew creates: the account's
// ciExistingProvider, or else ci.oidc.existingProvider; false when CI is not OIDC.
func (m *Map) CIProviderExists(a Account) bool {
	if m.CI.OIDC == nil {
		return false
	}
	if a.CIExistingProvider != nil {
		return *a.CIExistingProvider
	}
	return m.CI.OIDC.ExistingProvider
}

// RoleARN returns the ARN of the named role in this account.
func (a Account) RoleARN(role string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", a.ID, role)
}

// DefaultRegion is the account's first region, or "" when it lists none.
func (a Account) DefaultRegion() string {
	if len(a.Regions) == 0 {
		return ""
	}
	return a.Regions[0]
}

// LambdaRoleARN returns the ARN of the execution role of one of curfew's functions in the
// home account; the role has the function's name.
func (m *Map) LambdaRoleARN(function string) string {
	return m.HomeAccount().RoleARN(function)
}

// Encode returns the map as YAML without comments; Parse reads it back.
func (m *Map) Encode() ([]byte, error) {
	return yaml.Marshal(m)
}

// FunctionMapFile is the account map's file in the code of each of curfew's Lambda
// functions, next to its bootstrap: the CDK app writes it there (WriteFunctionMap) and the
// functions read it at cold start from their task root (LoadFunctionMap).
const FunctionMapFile = "accounts.yaml"

// WriteFunctionMap writes the map, encoded, into dir as FunctionMapFile. A map that
// encodes to more than MaxMapSize is refused: the functions could not read it.
func (m *Map) WriteFunctionMap(dir string) error {
	data, err := m.Encode()
	if err != nil {
		return fmt.Errorf("encode the account map: %w", err)
	}
	if len(data) > MaxMapSize {
		return fmt.Errorf("the account map encodes to %d bytes for the Lambda functions, more than the %d (256 KiB) they accept: split the organisation", len(data), MaxMapSize)
	}
	return os.WriteFile(filepath.Join(dir, FunctionMapFile), data, 0o644)
}

// LoadFunctionMap reads and validates the map in a function's code directory, its task
// root (Lambda's LAMBDA_TASK_ROOT).
func LoadFunctionMap(taskRoot string) (*Map, error) {
	return Load(filepath.Join(taskRoot, FunctionMapFile))
}
