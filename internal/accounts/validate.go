package accounts

import (
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FieldError is one problem with the account map, naming the field it is in.
type FieldError struct {
	// Field is a path into the map, e.g. "accounts[2].id".
	Field  string
	Reason string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// ValidationError lists every problem found in an account map.
type ValidationError struct {
	Problems []FieldError
}

// maxListedProblems bounds the message of a ValidationError; Problems keeps them all.
const maxListedProblems = 50

func (e *ValidationError) Error() string {
	lines := make([]string, 0, maxListedProblems+2)
	lines = append(lines, fmt.Sprintf("the account map has %d problem(s):", len(e.Problems)))
	for _, p := range e.Problems[:min(len(e.Problems), maxListedProblems)] {
		lines = append(lines, "  - "+p.Error())
	}
	if n := len(e.Problems) - maxListedProblems; n > 0 {
		lines = append(lines, fmt.Sprintf("  - and %d more", n))
	}
	return strings.Join(lines, "\n")
}

var (
	accountIDPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	accountNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	// An AWS managed policy: a name, optionally under a path (job-function/ViewOnlyAccess),
	// or its full ARN.
	policyPattern     = regexp.MustCompile(`^(arn:aws(-[a-z]+)*:iam::aws:policy/)?([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,128}$`)
	externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9+=,.@:/_-]+$`)
	iamUserPattern    = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	vpcIDPattern      = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	// A GitHub Actions subject bound to one environment or one branch of one repository.
	boundGitHubSubject = regexp.MustCompile(`^repo:[^/:*?]+/[^/:*?]+:(environment:[^:*?]+|ref:refs/heads/[^*?]+)$`)
)

// githubIssuerHost is the host of GitHub Actions' OIDC issuer, whose subjects have the
// form repo:OWNER/REPO:QUALIFIER.
const githubIssuerHost = "token.actions.githubusercontent.com"

// problems collects field errors.
type problems []FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Validate checks the whole map and returns a *ValidationError with every problem, or nil.
func (m *Map) Validate() error {
	var p problems
	extra := m.validateExtraRegions(&p)
	m.validateAccounts(&p, extra)
	m.validateReferences(&p, extra)
	m.validateHome(&p)
	m.validateOrganization(&p, extra)
	m.validateIdentityCenter(&p, extra)
	if n := len(m.ExternalID); n < 2 || n > 1224 || !externalIDPattern.MatchString(m.ExternalID) {
		p.add("externalId", "must be 2 to 1224 characters of letters, digits and +=,.@:/_-")
	}
	m.validateCI(&p)
	validateSchedule(&p, "schedule", m.Schedule)
	validateCron(&p, "costReport", m.CostReport.Cron)
	validateCostMetric(&p, m.CostReport)
	if len(m.CostReport.Recipients) == 0 {
		p.add("costReport.recipients", "list at least one email address")
	}
	for i, r := range m.CostReport.Recipients {
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
			p.add(fmt.Sprintf("costReport.recipients[%d]", i), "%q is not a plain email address", r)
		}
	}
	validateAlarmRecipients(&p, m.CostReport)
	m.validateOwners(&p)
	m.validateHeadsUp(&p)
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}

func (m *Map) validateAccounts(p *problems, extra map[string]bool) {
	if len(m.Accounts) == 0 {
		p.add("accounts", "list at least the identity account and one target account")
	}
	names := map[string]int{}
	ids := map[string]int{}
	for i, a := range m.Accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		if !accountNamePattern.MatchString(a.Name) {
			p.add(f+".name", "%q must be 2-32 lower-case letters, digits or dashes, starting with a letter", a.Name)
		}
		if j, dup := names[a.Name]; dup && a.Name != "" {
			p.add(f+".name", "%q is also the name of accounts[%d]", a.Name, j)
		} else {
			names[a.Name] = i
		}
		if !accountIDPattern.MatchString(a.ID) {
			p.add(f+".id", "%q is not 12 digits (quote it in YAML so leading zeros stay)", a.ID)
		} else if j, dup := ids[a.ID]; dup {
			p.add(f+".id", "%s is also the id of accounts[%d]", a.ID, j)
		} else {
			ids[a.ID] = i
		}
		validateEnvironment(p, f, a.Environment, a.Shutdown, fmt.Sprintf("account %q", a.Name))
		m.validateOverrides(p, f, a)
		m.validateCISubject(p, f, a)
		m.validateCIExistingProvider(p, f, a)
		if a.Name == m.Identity {
			continue
		}
		validateRegions(p, f+".regions", a.Regions, extra)
		validatePolicies(p, f+".developerPolicies", a.DeveloperPolicies)
		validatePolicies(p, f+".ciPolicies", a.CIPolicies)
		m.validateGuardrails(p, f, a)
		validateScheduleOverride(p, f, a.Schedule, a.Holidays)
	}
}

// validateScheduleOverride checks what an account or a unit (at field f) changes in the
// organisation-wide schedule: its own time zone, stop or start, and holidays added.
func validateScheduleOverride(p *problems, f string, o *ScheduleOverride, holidays []Holiday) {
	validateHolidays(p, f+".holidays", holidays)
	if o == nil {
		return
	}
	if o.TimeZone != "" {
		validateTimeZone(p, f+".schedule.timezone", o.TimeZone)
	}
	if o.Stop != nil {
		validateCron(p, f+".schedule.stop", *o.Stop)
	}
	if o.Start != nil {
		validateCron(p, f+".schedule.start", *o.Start)
	}
}

func (m *Map) validateReferences(p *problems, extra map[string]bool) {
	identity, ok := m.Account(m.Identity)
	if m.Identity == "" {
		p.add("identity", "name the account that holds the IAM users")
	} else if !ok {
		p.add("identity", "%q is not the name of an account in accounts", m.Identity)
	} else if identity.Environment == NonProduction && identity.Shutdown != nil && *identity.Shutdown {
		p.add("identity", "account %q holds the IAM users: it cannot be marked for shutdown", m.Identity)
	}
	if m.Home == "" {
		p.add("home", "name the account where curfew's Lambdas run")
	} else if _, ok := m.Account(m.Home); !ok {
		p.add("home", "%q is not the name of an account in accounts", m.Home)
	}
	validateRegion(p, "homeRegion", m.HomeRegion, extra)
	if m.Management != "" {
		if _, ok := m.Account(m.Management); !ok {
			p.add("management", "%q is not the name of an account in accounts", m.Management)
		}
	}
	if ok && len(m.Targets()) == 0 {
		p.add("accounts", "list at least one target account besides the identity account")
	}
}

func (m *Map) validateCI(p *problems) {
	switch c := m.CI; {
	case c.User != "" && c.OIDC != nil:
		p.add("ci", "set either user or oidc, not both")
	case c.User != "":
		m.validateCIUser(p)
	case c.OIDC != nil:
		switch u, err := url.Parse(c.OIDC.Issuer); {
		case err != nil || u.Scheme != "https" || u.Host == "":
			p.add("ci.oidc.issuer", "%q is not an https URL", c.OIDC.Issuer)
		case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			// IAM names a provider by the issuer's host and path: its ARN, which a CI role
			// references, has no room for the rest.
			p.add("ci.oidc.issuer", "%q has a user, query or fragment: an IAM OIDC provider's URL is https://HOST[/PATH] only", c.OIDC.Issuer)
		}
		if c.OIDC.Audience == "" {
			p.add("ci.oidc.audience", "must not be empty")
		}
		if c.OIDC.Subject == "" {
			p.add("ci.oidc.subject", "must name the CI subject, e.g. repo:acme/infra:ref:refs/heads/main")
		} else {
			m.validateSubject(p, "ci.oidc.subject", c.OIDC.Subject)
		}
		// The conditions of a static key mean nothing for a short-lived token bound to
		// its subject; accepting them would suggest a protection that is not there.
		const userOnly = "applies to ci.user only (an OIDC token is short-lived and bound to its subject): remove it"
		if len(c.SourceIPs) > 0 {
			p.add("ci.sourceIps", userOnly)
		}
		if len(c.SourceVPCs) > 0 {
			p.add("ci.sourceVpcs", userOnly)
		}
		if c.AcceptStaticKeys {
			p.add("ci.acceptStaticKeys", userOnly)
		}
	default:
		p.add("ci", "set user (an IAM user in the identity account) or oidc (issuer, audience, subject)")
	}
}

// validateCIUser checks an IAM-user CI principal: its long-term access key signs in with
// no MFA, so the map must restrict where it works or say that it accepts the risk.
func (m *Map) validateCIUser(p *problems) {
	c := m.CI
	if !iamUserPattern.MatchString(c.User) {
		p.add("ci.user", "%q is not a valid IAM user name", c.User)
	}
	for i, r := range c.SourceIPs {
		f := fmt.Sprintf("ci.sourceIps[%d]", i)
		switch prefix, err := netip.ParsePrefix(r); {
		case err != nil:
			p.add(f, "%q is not a CIDR range like 203.0.113.0/24", r)
		case prefix != prefix.Masked():
			p.add(f, "%q has address bits past its prefix length: write %s", r, prefix.Masked())
		}
	}
	for i, v := range c.SourceVPCs {
		if !vpcIDPattern.MatchString(v) {
			p.add(fmt.Sprintf("ci.sourceVpcs[%d]", i), "%q is not a VPC id like vpc-0a1b2c3d4e5f60718", v)
		}
	}
	if len(c.SourceIPs) == 0 && len(c.SourceVPCs) == 0 && !c.AcceptStaticKeys {
		p.add("ci.user", "the CI user's access key would work from anywhere, without MFA: restrict it with ci.sourceIps (CIDR ranges) or ci.sourceVpcs (VPC ids), or accept that with ci.acceptStaticKeys: true (safer: ci.oidc instead of a user)")
	}
}

// githubIssuer reports whether CI signs in with GitHub Actions' OIDC tokens.
func (m *Map) githubIssuer() bool {
	if m.CI.OIDC == nil {
		return false
	}
	u, err := url.Parse(m.CI.OIDC.Issuer)
	return err == nil && u.Host == githubIssuerHost
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// validateSubject refuses an OIDC subject (matched with StringLike) with a wildcard in the
// part that names the workload: with GitHub's issuer, repo:*/… or repo:acme/*:… lets
// repositories anyone can create assume the CI role.
func (m *Map) validateSubject(p *problems, field, subject string) {
	const example = "e.g. repo:acme/infra:ref:refs/heads/main or repo:acme/infra:environment:production"
	if !m.githubIssuer() {
		// Other issuers also name the workload in the first two fields
		// (GitLab: project_path:GROUP/PROJECT:ref_type:branch:ref:main).
		claim, rest, _ := strings.Cut(subject, ":")
		workload, _, _ := strings.Cut(rest, ":")
		if hasWildcard(claim) || hasWildcard(workload) {
			p.add(field, "%q has a wildcard (* or ?) in the part that names the workload: every workload it matches could assume the CI role; name it, e.g. project_path:acme/infra:ref_type:branch:ref:main", subject)
		}
		return
	}
	rest, isRepo := strings.CutPrefix(subject, "repo:")
	ownerRepo, qualifier, _ := strings.Cut(rest, ":")
	if !isRepo {
		ownerRepo, _, _ = strings.Cut(subject, ":")
	}
	if hasWildcard(ownerRepo) {
		p.add(field, "%q has a wildcard (* or ?) in the owner or repository: any GitHub repository it matches, anyone's, could assume the CI role; name the repository, %s", subject, example)
		return
	}
	owner, repo, ok := strings.Cut(ownerRepo, "/")
	if !isRepo || !ok || owner == "" || repo == "" || strings.Contains(repo, "/") || qualifier == "" {
		p.add(field, "%q is not a GitHub Actions subject repo:OWNER/REPO:…, %s", subject, example)
	}
}

// validateCISubject checks accounts[].ciSubject, and that a production account's
// effective subject is bound to one environment or branch, with no wildcard.
func (m *Map) validateCISubject(p *problems, f string, a Account) {
	f += ".ciSubject"
	if a.CISubject != "" {
		switch {
		case m.CI.OIDC == nil:
			p.add(f, "applies to CI through ci.oidc only; this map's CI is not OIDC: remove it")
			return
		case a.Name == m.Identity:
			p.add(f, "account %q is the identity account, which has no CI role: remove it", a.Name)
			return
		}
		m.validateSubject(p, f, a.CISubject)
	}
	if m.CI.OIDC == nil || a.Name == m.Identity || !a.IsProduction() {
		return
	}
	m.validateProductionSubject(p, f, fmt.Sprintf("account %q", a.Name), a.CISubject)
}

// validateProductionSubject checks that the subject the CI role of a production account
// or unit (what) trusts, own or else ci.oidc.subject, is bound to one environment or
// branch, with no wildcard. CI must be OIDC.
func (m *Map) validateProductionSubject(p *problems, f, what, own string) {
	subject, source := own, "its ciSubject"
	if own == "" {
		subject, source = m.CI.OIDC.Subject, "ci.oidc.subject, which it inherits,"
	}
	if m.githubIssuer() {
		if !boundGitHubSubject.MatchString(subject) {
			p.add(f, "%s is production: %s (%q) must name one protected environment or branch with no wildcard, e.g. %s", what, source, subject, productionSubjectExample(subject))
		}
		return
	}
	if hasWildcard(subject) {
		p.add(f, "%s is production: %s (%q) must not have a wildcard (* or ?); name the protected environment or branch of one workload", what, source, subject)
	}
}

// validateCIExistingProvider checks accounts[].ciExistingProvider: it says how the
// account's CI role finds its OIDC provider, so it needs OIDC and a CI role.
func (m *Map) validateCIExistingProvider(p *problems, f string, a Account) {
	f += ".ciExistingProvider"
	switch {
	case a.CIExistingProvider == nil:
	case m.CI.OIDC == nil:
		p.add(f, "applies to CI through ci.oidc only; this map's CI is not OIDC: remove it")
	case a.Name == m.Identity:
		p.add(f, "account %q is the identity account, which has no CI role: remove it", a.Name)
	}
}

// productionSubjectExample suggests a bound subject for the repository subject names.
func productionSubjectExample(subject string) string {
	ownerRepo := "acme/infra"
	if rest, ok := strings.CutPrefix(subject, "repo:"); ok {
		if or, _, _ := strings.Cut(rest, ":"); strings.Count(or, "/") == 1 && !hasWildcard(or) && !strings.HasPrefix(or, "/") && !strings.HasSuffix(or, "/") {
			ownerRepo = or
		}
	}
	return fmt.Sprintf("repo:%s:environment:production or repo:%s:ref:refs/heads/main", ownerRepo, ownerRepo)
}

func validateSchedule(p *problems, field string, s Schedule) {
	validateTimeZone(p, field+".timezone", s.TimeZone)
	validateCron(p, field+".stop", s.Stop)
	if s.Start != nil {
		validateCron(p, field+".start", *s.Start)
	}
	validateHolidays(p, field+".holidays", s.Holidays)
}

func validateTimeZone(p *problems, field, tz string) {
	// time.LoadLocation accepts "" and "Local"; neither means anything in the cloud.
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		p.add(field, "%q is not an IANA time zone like Europe/Madrid", tz)
	}
}

func validateCron(p *problems, field string, c Cron) {
	if _, _, err := parseClock(c.At); err != nil {
		p.add(field+".at", "%v", err)
	}
	if len(c.Days) == 0 {
		p.add(field+".days", "list at least one day, e.g. [MON-FRI]")
	}
	for i, d := range c.Days {
		if _, err := parseDays(d); err != nil {
			p.add(fmt.Sprintf("%s.days[%d]", field, i), "%v", err)
		}
	}
}

func validateDate(p *problems, field, d string) {
	if _, err := time.Parse(dateLayout, d); err != nil {
		p.add(field, "%q is not a date YYYY-MM-DD", d)
	}
}

func validatePolicies(p *problems, field string, policies []string) {
	if len(policies) == 0 {
		p.add(field, "list at least one AWS managed policy, e.g. ReadOnlyAccess")
	}
	for i, name := range policies {
		if !policyPattern.MatchString(name) {
			p.add(fmt.Sprintf("%s[%d]", field, i), "%q is not an AWS managed policy name (ReadOnlyAccess, job-function/ViewOnlyAccess) or ARN", name)
		}
	}
}

// validateExtraRegions checks extraRegions and returns them as a set.
func (m *Map) validateExtraRegions(p *problems) map[string]bool {
	seen := map[string]bool{}
	for i, r := range m.ExtraRegions {
		f := fmt.Sprintf("extraRegions[%d]", i)
		if !regionShaped(r) {
			p.add(f, "%q does not follow the region names of any AWS partition (%s), like eu-west-1", r, partitionNames())
		}
		if seen[r] {
			p.add(f, "%q is listed twice", r)
		}
		seen[r] = true
	}
	return seen
}

func validateRegions(p *problems, field string, regions []string, extra map[string]bool) {
	if len(regions) == 0 {
		p.add(field, "list at least one region")
	}
	// Regions cannot repeat, so a longer list is a mistake; refusing it whole also keeps
	// a huge list from costing one check per entry.
	if limit := knownRegionCount() + len(extra); len(regions) > limit {
		p.add(field, "lists %d regions; there are %d", len(regions), limit)
		return
	}
	seen := map[string]bool{}
	for j, r := range regions {
		f := fmt.Sprintf("%s[%d]", field, j)
		validateRegion(p, f, r, extra)
		if seen[r] {
			p.add(f, "%q is listed twice", r)
		}
		seen[r] = true
	}
}

// validateRegion accepts the regions the pinned SDK knows and those of extraRegions.
func validateRegion(p *problems, field, r string, extra map[string]bool) {
	switch {
	case KnownRegion(r) || extra[r]:
	case !regionShaped(r):
		p.add(field, "%q is not a region name like eu-west-1", r)
	default:
		hint := ""
		if near := nearestRegion(r); near != "" {
			hint = fmt.Sprintf("did you mean %s? ", near)
		}
		p.add(field, "%q is not a region the AWS SDK knows (aws-sdk-go-v2 %s): %s(list a region newer than the SDK in extraRegions)", r, sdkVersion, hint)
	}
}

// grants reports whether any of the policies is one of names, by name or ARN.
func grants(policies, names []string) (int, bool) {
	i := slices.IndexFunc(policies, func(p string) bool { return slices.Contains(names, ManagedPolicyName(p)) })
	return i, i >= 0
}

// writes reports whether a developer or CI policy of the account is not read-only.
func (a Account) writes() bool {
	return !all(a.DeveloperPolicies, IsReadOnlyPolicy) || !all(a.CIPolicies, IsReadOnlyPolicy)
}

func all(list []string, f func(string) bool) bool {
	return !slices.ContainsFunc(list, func(s string) bool { return !f(s) })
}

// guarded reports whether the guardrail that o lifts applies to the account, i.e.
// whether the override lifts anything there.
func (m *Map) guarded(a Account, o Override) bool {
	isTarget := a.Name != m.Identity
	switch o {
	case OverrideAdministrator:
		_, dev := grants(a.DeveloperPolicies, administratorPolicies)
		_, ci := grants(a.CIPolicies, administratorPolicies)
		return isTarget && (a.IsProduction() || a.Name == m.Management) && (dev || ci)
	case OverrideCIPolicies:
		return isTarget && a.IsProduction() && !all(a.CIPolicies, IsReadOnlyPolicy)
	case OverrideSweepManagement:
		return isTarget && a.Name == m.Management && a.ShutdownEnabled()
	case OverrideSharedHome:
		return isTarget && a.Name == m.Home && a.writes()
	case OverrideUnboundedBootstrap:
		// DeveloperAccess and CurfewCI, who may use a bootstrap's deploy role, exist in
		// target accounts only.
		return isTarget
	}
	return false
}

// validateOverrides refuses unknown overrides and overrides that lift nothing on their
// account, so that every override in a map is one somebody needs.
func (m *Map) validateOverrides(p *problems, f string, a Account) {
	var names []string
	for _, g := range guardrails {
		names = append(names, string(g.override))
	}
	seen := map[Override]bool{}
	for j, o := range a.Overrides {
		field := fmt.Sprintf("%s.overrides[%d]", f, j)
		i := slices.IndexFunc(guardrails, func(g guardrail) bool { return g.override == o })
		switch {
		case i < 0:
			p.add(field, "%q is not an override: use %s", o, strings.Join(names, ", "))
		case seen[o]:
			p.add(field, "%q is listed twice", o)
		case !m.guarded(a, o):
			p.add(field, "%q lifts nothing on account %q: the guardrail it lifts (%s) does not apply there; remove it", o, a.Name, guardrails[i].rule)
		}
		seen[o] = true
	}
}

// validateGuardrails refuses what a production or management account must not have
// unless the account lifts the guardrail by name.
func (m *Map) validateGuardrails(p *problems, f string, a Account) {
	where := ""
	switch {
	case a.Name == m.Management:
		where = "the management account"
	case a.IsProduction():
		where = "a production account"
	}
	if where != "" && !a.Lifts(OverrideAdministrator) {
		eachAdministratorPolicy(f, a.DeveloperPolicies, a.CIPolicies, func(field, pol string) {
			p.add(field, "%q is administrator access in %s (%q): grant less (PowerUserAccess for developers, ReadOnlyAccess for CI) or add overrides: [%s]", pol, where, a.Name, OverrideAdministrator)
		})
	}
	if a.IsProduction() && !a.Lifts(OverrideCIPolicies) {
		eachWritingCIPolicy(f, a.CIPolicies, func(field, pol string) {
			p.add(field, "%q is not on the production allow-list for CI (%s): deploy with ciCdkDeploy: true (the CI role may then assume the account's CDK bootstrap roles) or add overrides: [%s]", pol, strings.Join(readOnlyPolicies, ", "), OverrideCIPolicies)
		})
	}
	if a.Name == m.Management && a.ShutdownEnabled() && !a.Lifts(OverrideSweepManagement) {
		p.add(f+".shutdown", "account %q is the management account: the night shutdown must not stop what runs the organisation; set shutdown: false or add overrides: [%s]", a.Name, OverrideSweepManagement)
	}
}

// validateEnvironment checks the environment of an account or organisational unit (what
// names it in the message), and that a production one is not marked for shutdown.
func validateEnvironment(p *problems, f string, env Environment, shutdown *bool, what string) {
	switch env {
	case Production, NonProduction:
	default:
		p.add(f+".environment", "%q is not %q or %q", env, Production, NonProduction)
	}
	if env == Production && shutdown != nil && *shutdown {
		p.add(f+".shutdown", "%s is production: curfew never shuts production down", what)
	}
}

// eachAdministratorPolicy calls found with the field and name of every administrator
// policy among the developer and CI policies of the account or unit at f.
func eachAdministratorPolicy(f string, developer, ci []string, found func(field, policy string)) {
	for _, list := range []struct {
		field    string
		policies []string
	}{{".developerPolicies", developer}, {".ciPolicies", ci}} {
		for j, pol := range list.policies {
			if _, admin := grants([]string{pol}, administratorPolicies); admin {
				found(fmt.Sprintf("%s%s[%d]", f, list.field, j), pol)
			}
		}
	}
}

// eachWritingCIPolicy calls found with the field and name of every CI policy of the
// account or unit at f that is not on the production allow-list.
func eachWritingCIPolicy(f string, ci []string, found func(field, policy string)) {
	for j, pol := range ci {
		if !IsReadOnlyPolicy(pol) {
			found(fmt.Sprintf("%s.ciPolicies[%d]", f, j), pol)
		}
	}
}

// validateHome refuses a home account where developers or CI may write, unless it is the
// identity account or lifts shared-home.
func (m *Map) validateHome(p *problems) {
	i := slices.IndexFunc(m.Accounts, func(a Account) bool { return a.Name == m.Home })
	if i < 0 || m.Home == m.Identity {
		return
	}
	home := m.Accounts[i]
	if home.writes() && !home.Lifts(OverrideSharedHome) {
		p.add("home", "account %q runs curfew's Lambdas, and its developerPolicies or ciPolicies allow writing: principals with write access in the home account can replace curfew's functions and act through them in every account; make the identity account the home, grant only read-only policies there (%s), or add overrides: [%s] to accounts[%d] (curfew then denies changes to its own resources there to everyone but its deployer)", home.Name, strings.Join(readOnlyPolicies, ", "), OverrideSharedHome, i)
	}
}
