package accounts

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
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

func (e *ValidationError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	lines = append(lines, fmt.Sprintf("the account map has %d problem(s):", len(e.Problems)))
	for _, p := range e.Problems {
		lines = append(lines, "  - "+p.Error())
	}
	return strings.Join(lines, "\n")
}

var (
	accountIDPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	accountNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	regionPattern      = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}$`)
	// An AWS managed policy: a name, optionally under a path (job-function/ViewOnlyAccess),
	// or its full ARN.
	policyPattern     = regexp.MustCompile(`^(arn:aws(-[a-z]+)*:iam::aws:policy/)?([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,128}$`)
	externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9+=,.@:/_-]+$`)
	iamUserPattern    = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
)

// problems collects field errors.
type problems []FieldError

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Validate checks the whole map and returns a *ValidationError with every problem, or nil.
func (m *Map) Validate() error {
	var p problems
	m.validateAccounts(&p)
	m.validateReferences(&p)
	if n := len(m.ExternalID); n < 2 || n > 1224 || !externalIDPattern.MatchString(m.ExternalID) {
		p.add("externalId", "must be 2 to 1224 characters of letters, digits and +=,.@:/_-")
	}
	m.validateCI(&p)
	validateSchedule(&p, "schedule", m.Schedule)
	validateCron(&p, "costReport", m.CostReport.Cron)
	if len(m.CostReport.Recipients) == 0 {
		p.add("costReport.recipients", "list at least one email address")
	}
	for i, r := range m.CostReport.Recipients {
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
			p.add(fmt.Sprintf("costReport.recipients[%d]", i), "%q is not a plain email address", r)
		}
	}
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}

func (m *Map) validateAccounts(p *problems) {
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
		switch a.Environment {
		case Production, NonProduction:
		default:
			p.add(f+".environment", "%q is not %q or %q", a.Environment, Production, NonProduction)
		}
		if a.Environment == Production && a.Shutdown != nil && *a.Shutdown {
			p.add(f+".shutdown", "account %q is production: curfew never shuts production down", a.Name)
		}
		if a.Name == m.Identity {
			continue
		}
		if len(a.Regions) == 0 {
			p.add(f+".regions", "list at least one region")
		}
		seen := map[string]bool{}
		for j, r := range a.Regions {
			if !regionPattern.MatchString(r) {
				p.add(fmt.Sprintf("%s.regions[%d]", f, j), "%q is not a region name like eu-west-1", r)
			}
			if seen[r] {
				p.add(fmt.Sprintf("%s.regions[%d]", f, j), "%q is listed twice", r)
			}
			seen[r] = true
		}
		validatePolicies(p, f+".developerPolicies", a.DeveloperPolicies)
		validatePolicies(p, f+".ciPolicies", a.CIPolicies)
		for j, h := range a.Holidays {
			validateDate(p, fmt.Sprintf("%s.holidays[%d]", f, j), h)
		}
		if o := a.Schedule; o != nil {
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
	}
}

func (m *Map) validateReferences(p *problems) {
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
	if !regionPattern.MatchString(m.HomeRegion) {
		p.add("homeRegion", "%q is not a region name like eu-west-1", m.HomeRegion)
	}
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
		if !iamUserPattern.MatchString(c.User) {
			p.add("ci.user", "%q is not a valid IAM user name", c.User)
		}
	case c.OIDC != nil:
		u, err := url.Parse(c.OIDC.Issuer)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			p.add("ci.oidc.issuer", "%q is not an https URL", c.OIDC.Issuer)
		}
		if c.OIDC.Audience == "" {
			p.add("ci.oidc.audience", "must not be empty")
		}
		if c.OIDC.Subject == "" || c.OIDC.Subject == "*" {
			p.add("ci.oidc.subject", "must name the CI subject (a bare * would trust every workload of the issuer)")
		}
	default:
		p.add("ci", "set user (an IAM user in the identity account) or oidc (issuer, audience, subject)")
	}
}

func validateSchedule(p *problems, field string, s Schedule) {
	validateTimeZone(p, field+".timezone", s.TimeZone)
	validateCron(p, field+".stop", s.Stop)
	if s.Start != nil {
		validateCron(p, field+".start", *s.Start)
	}
	for i, h := range s.Holidays {
		validateDate(p, fmt.Sprintf("%s.holidays[%d]", field, i), h)
	}
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
