package accounts

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

// Owners are who owns an account, or every account of a unit: the people told about
// those accounts alone. One field serves every message meant for an account's owners: the
// cost report sends each owner the report of their accounts (issue 31), and the
// shutdown's heads-up (issue 30) reaches the same owners through the same addresses and
// webhooks. An owner is one address or one webhook parameter; an owner named by several
// accounts or units gets one report of all of them.
type Owners struct {
	// Emails are plain email addresses; each is subscribed to curfew's topic for the
	// messages of its accounts only.
	Emails []string `yaml:"emails,omitempty"`
	// Slack names SSM SecureString parameters under OwnerParameterPrefix, each holding a
	// Slack incoming-webhook URL (as costReport's own Slack delivery does).
	Slack []string `yaml:"slack,omitempty"`
}

// OwnerParameterPrefix is where owners' Slack webhook parameters live in the home
// account: the cost report may read these parameters and no others of that kind.
const OwnerParameterPrefix = "/curfew/owners/"

// OwnerMessageAttribute is the SNS message attribute that carries an owner's address on
// the messages meant for that owner alone: the topic's subscriptions filter on it (the
// CDK app writes the filters, the functions set the attribute).
const OwnerMessageAttribute = "owner"

// Owner is one recipient of an owner's messages: an email address or a Slack webhook
// parameter, never both.
type Owner struct {
	Email string
	Slack string
}

// String names the owner as a person reads it: the address, or "Slack <parameter>".
func (o Owner) String() string {
	if o.Email != "" {
		return o.Email
	}
	return "Slack " + o.Slack
}

// List returns the owners one by one: emails first, each in the map's order.
func (o *Owners) List() []Owner {
	if o == nil {
		return nil
	}
	var out []Owner
	for _, e := range o.Emails {
		out = append(out, Owner{Email: e})
	}
	for _, s := range o.Slack {
		out = append(out, Owner{Slack: s})
	}
	return out
}

// AllOwners returns every owner the map names, on accounts or units, once each, in the
// map's order: accounts first, then units.
func (m *Map) AllOwners() []Owner {
	var out []Owner
	add := func(os *Owners) {
		for _, o := range os.List() {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	for _, a := range m.Accounts {
		add(a.Owners)
	}
	if m.Organization != nil {
		for _, u := range m.Organization.OUs {
			add(u.Owners)
		}
	}
	return out
}

// ownerParameterPattern is an SSM parameter name under OwnerParameterPrefix.
var ownerParameterPattern = regexp.MustCompile(`^/curfew/owners/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)

// maxBudget bounds a budget: beyond it a typo (an extra three zeros) is likelier than a
// budget.
const maxBudget = 1e9

// validateOwners checks the owners and budgets of the accounts and units.
func (m *Map) validateOwners(p *problems) {
	for i, a := range m.Accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		validateOwnerList(p, f+".owners", a.Owners)
		validateBudget(p, f+".budget", a.Budget)
	}
	if m.Organization == nil {
		return
	}
	for i, u := range m.Organization.OUs {
		f := fmt.Sprintf("organization.ous[%d]", i)
		validateOwnerList(p, f+".owners", u.Owners)
		validateBudget(p, f+".budget", u.Budget)
	}
}

func validateOwnerList(p *problems, f string, o *Owners) {
	if o == nil {
		return
	}
	if len(o.Emails) == 0 && len(o.Slack) == 0 {
		p.add(f, "name at least one email address (emails) or Slack webhook parameter (slack), or remove owners")
	}
	for j, e := range o.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			p.add(fmt.Sprintf("%s.emails[%d]", f, j), "%q is not a plain email address", e)
		} else if slices.Index(o.Emails, e) < j {
			p.add(fmt.Sprintf("%s.emails[%d]", f, j), "%q is listed twice", e)
		}
	}
	for j, s := range o.Slack {
		switch {
		case strings.HasPrefix(s, "https://"):
			p.add(fmt.Sprintf("%s.slack[%d]", f, j), "a webhook URL is a secret: store it in an SSM SecureString parameter under %s and name the parameter here", OwnerParameterPrefix)
		case !ownerParameterPattern.MatchString(s):
			p.add(fmt.Sprintf("%s.slack[%d]", f, j), "%q is not an SSM parameter name under %s (letters, digits, _.- and /)", s, OwnerParameterPrefix)
		case slices.Index(o.Slack, s) < j:
			p.add(fmt.Sprintf("%s.slack[%d]", f, j), "%q is listed twice", s)
		}
	}
}

func validateBudget(p *problems, f string, b *float64) {
	if b == nil {
		return
	}
	if math.IsNaN(*b) || *b <= 0 || *b > maxBudget {
		p.add(f, "a monthly budget is an amount in the cost report's currency, above 0 and at most %.0f", float64(maxBudget))
	}
}
