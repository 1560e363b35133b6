package headsup

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/notify"
	"github.com/curfew/curfew/internal/table"
)

// Message is one owner's heads-up: every account of theirs with something to stop.
type Message struct {
	Owner accounts.Owner
	// Subject is the email's subject: ASCII, under SNS's 100 characters.
	Subject string
	// Text is the plain-text body, for email.
	Text string
	// Slack is the same in Slack's format: the tables in code blocks, the links clickable.
	Slack string
	// SlackBlocks, when the heads-up's Slack messages carry buttons (the map names the
	// Slack app's signing secret), are the message as Slack's blocks, a button beside each
	// link; Slack is then the text of notifications and of clients without blocks. Nil
	// otherwise, and for an email.
	SlackBlocks json.RawMessage
	// Accounts are the accounts the message names, in the plan's order.
	Accounts []string
	// Links counts the links it carries.
	Links int
}

// maxListed bounds the resources listed in each section of an account: the rest are
// counted, and `curfew plan` lists them (an email stays readable, and within SNS's size).
const maxListed = 25

// typeNames are the resource types as a person reads them.
var typeNames = map[string]string{
	history.EC2Instance:    "EC2 instance",
	history.RDSInstance:    "RDS instance",
	history.AuroraCluster:  "Aurora cluster",
	fleet.AutoScalingGroup: "Auto Scaling group",
	fleet.ECSService:       "ECS service",
	fleet.EKSNodegroup:     "EKS node group",
}

func typeName(t string) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return t
}

// section is one account's part of a message, to be written as text or for Slack.
type section struct {
	head  string   // "staging (111111111111) stops at 20:00 tonight (Mon 7 Dec, Europe/Madrid)"
	table string   // what will stop and what is left running, aligned
	notes []string // regions not planned, links that could not be made
	// keep introduces the links: "Keep it up until 07:30 tomorrow (Tue 8 Dec):".
	keep  string
	links []linkLine
	// works says what the links do, once; expires is when they stop working.
	works, expires string
}

type linkLine struct{ label, url string }

// The sizes a message must keep within: SNS's 256 KiB for a message (less its envelope)
// and the 40,000 characters Slack shows of a message's text.
const (
	MaxText  = 200 << 10
	MaxSlack = 38000
)

// listing is how many resources each section lists, tried in turn until a message fits.
var listing = []int{maxListed, 5, 0}

// compose writes the message of owner o about accounts as, at now. A message too long
// for its channel lists fewer resources of each account (counting the rest), and in the
// end leaves out the accounts that do not fit, naming how many.
func compose(o accounts.Owner, as []*account, now time.Time, buttons bool) Message {
	m := Message{Owner: o}
	resources := 0
	for _, a := range as {
		m.Accounts = append(m.Accounts, a.name)
		m.Links += len(a.links)
		resources += len(a.stops)
	}
	first := as[0]
	for _, a := range as[1:] {
		if a.stop.Before(first.stop) {
			first = a
		}
	}
	where := "your account " + first.name
	if len(as) > 1 {
		where = fmt.Sprintf("%d of your accounts", len(as))
	}
	stops := fmt.Sprintf("curfew's stop at %s will stop %s in %s. If that is fine, there is nothing to do. ", at(first.stop, now, first.loc, "tonight", first.zone), plural(resources, "resource"), where)
	intro := stops + "To keep something up tonight, open its link below and confirm."
	buttons = buttons && o.Slack != ""
	m.Subject = subject(resources, as, first)
	for _, n := range listing {
		var sections []section
		for _, a := range as {
			sections = append(sections, a.section(now, n))
		}
		last := n == listing[len(listing)-1]
		if m.Text == "" {
			if text, fits := render(intro, sections, MaxText, plainSection, last); fits || last {
				m.Text = text
			}
		}
		if m.Slack == "" {
			head := "*" + notify.Escape(m.Subject) + "*\n" + notify.Escape(intro)
			if text, fits := render(head, sections, MaxSlack, slackSection, last); fits || last {
				m.Slack = text
			}
		}
		if buttons && m.SlackBlocks == nil {
			head := "*" + notify.Escape(m.Subject) + "*\n" + notify.Escape(stops+"To keep something up tonight, press its button below: it works once, for tonight.")
			if blocks, fits := slackBlocks(head, sections); fits || last {
				m.SlackBlocks = blocks
			}
		}
	}
	return m
}

// render writes head and the sections in one format; it reports whether they all fit
// within limit. When cut, it keeps the sections that fit and names how many it left out.
func render(head string, sections []section, limit int, format func(section) string, cut bool) (string, bool) {
	var b strings.Builder
	b.WriteString(head + "\n")
	for i, s := range sections {
		part := format(s)
		if b.Len()+len(part) > limit-200 {
			if !cut {
				return "", false
			}
			fmt.Fprintf(&b, "\n... and %d more accounts, left out to keep this message within its size: `curfew plan` lists them.\n", len(sections)-i)
			return b.String(), false
		}
		b.WriteString(part)
	}
	return b.String(), true
}

// plainSection writes a section as plain text, for email.
func plainSection(s section) string {
	var b strings.Builder
	b.WriteString("\n" + s.head + "\n" + indent(s.table, "  "))
	for _, n := range s.notes {
		b.WriteString("  " + n + "\n")
	}
	if len(s.links) == 0 {
		return b.String()
	}
	b.WriteString("  " + s.keep + "\n")
	for _, l := range s.links {
		b.WriteString("    " + l.label + ": " + l.url + "\n")
	}
	b.WriteString("  " + s.works + "\n")
	return b.String()
}

// slackSection writes a section in Slack's format: the table in a code block, the links
// clickable after it.
func slackSection(s section) string {
	var b strings.Builder
	b.WriteString("\n*" + notify.Escape(s.head) + "*\n```\n" + notify.Escape(s.table) + "```\n")
	for _, n := range s.notes {
		b.WriteString(notify.Escape(n) + "\n")
	}
	if len(s.links) == 0 {
		return b.String()
	}
	var links []string
	for _, l := range s.links {
		links = append(links, "<"+notify.Escape(l.url)+"|"+notify.Escape(l.label)+">")
	}
	b.WriteString(notify.Escape(s.keep) + " " + strings.Join(links, " · ") + "\n_" + notify.Escape(s.works) + "_\n")
	return b.String()
}

// section writes the account's part of a message, listing up to listed resources of each
// kind (will stop, left running) and counting the rest.
func (a *account) section(now time.Time, listed int) section {
	s := section{head: fmt.Sprintf("%s (%s) stops at %s", a.name, a.acct.ID, at(a.stop, now, a.loc, "tonight", a.zone))}
	if a.name == a.acct.ID {
		s.head = fmt.Sprintf("%s stops at %s", a.name, at(a.stop, now, a.loc, "tonight", a.zone))
	}
	var b strings.Builder
	t := table.New(&b)
	t.Row("will stop:")
	for i, x := range a.stops {
		if i == listed {
			t.Row("", fmt.Sprintf("%s (`curfew plan --account %s` lists them)", more(listed, len(a.stops)), a.name))
			break
		}
		note := ""
		if !snoozable(x.Type) {
			note = "the link cannot keep it up: tag it " + accounts.SkipTag + "=true"
		}
		t.Row("", typeName(x.Type), x.ID, orDash(x.Size), x.region, note)
	}
	if len(a.kept) > 0 {
		t.Row("left running:")
		for i, x := range a.kept {
			if i == listed {
				t.Row("", more(listed, len(a.kept)))
				break
			}
			t.Row("", typeName(x.Type), x.ID, orDash(x.Size), x.region, x.Reason)
		}
	}
	_ = t.Flush()
	s.table = b.String()
	if len(a.failed) > 0 {
		s.notes = append(s.notes, fmt.Sprintf("Not planned in %s: the dry run could not read it, so the stop may stop more there.", strings.Join(a.failed, ", ")))
	}
	switch {
	case len(a.targets()) == 0:
		s.notes = append(s.notes, "No link: links keep EC2 instances, RDS instances and Aurora clusters up, and the stop stops none here; tag a resource "+accounts.SkipTag+"=true to keep it up every night.")
	case a.linkErr != nil:
		s.notes = append(s.notes, fmt.Sprintf("The link keeping all of %s up could not be made: `curfew snooze %s RESOURCE-ID --tonight` keeps a resource up.", a.name, a.name))
	}
	if len(a.links) == 0 {
		return s
	}
	s.keep = fmt.Sprintf("Keep it up until %s:", at(a.until, a.stop, a.loc, "the same morning", ""))
	for _, l := range a.links {
		label := fmt.Sprintf("all %s of %s", plural(l.count, "resource"), a.name)
		if l.resource != "" {
			label = l.resource + " only"
		}
		s.links = append(s.links, linkLine{label, l.url})
	}
	s.expires = at(a.stop, now, a.loc, "tonight", "")
	s.works = fmt.Sprintf("Each link works once, until %s, and asks you to confirm first.", s.expires)
	return s
}

// at says when t is, in loc, as a person reads it next to ref: "20:00 tonight (Mon 7
// Dec, Europe/Madrid)" (sameDay is the word for ref's own day), "07:30 tomorrow (Tue 8
// Dec)", "07:30 on Mon 14 Dec". zone, when given, is named.
func at(t, ref time.Time, loc *time.Location, sameDay, zone string) string {
	t, ref = t.In(loc), ref.In(loc)
	day := t.Format("Mon 2 Jan")
	if zone != "" {
		day += ", " + zone
	}
	y1, m1, d1 := t.Date()
	y0, m0, d0 := ref.Date()
	switch {
	case y1 == y0 && m1 == m0 && d1 == d0:
		return fmt.Sprintf("%s %s (%s)", t.Format("15:04"), sameDay, day)
	case time.Date(y0, m0, d0+1, 0, 0, 0, 0, loc).Equal(time.Date(y1, m1, d1, 0, 0, 0, 0, loc)):
		return fmt.Sprintf("%s tomorrow (%s)", t.Format("15:04"), day)
	}
	return fmt.Sprintf("%s on %s", t.Format("15:04"), day)
}

// subject is the message's subject: ASCII (SNS refuses anything else) and under 100
// characters.
func subject(resources int, as []*account, first *account) string {
	where := as[0].name
	switch len(as) {
	case 1:
	case 2:
		where += " and " + as[1].name
	default:
		where += fmt.Sprintf(" and %d more accounts", len(as)-1)
	}
	s := fmt.Sprintf("curfew: %s stop at %s %s in %s", plural(resources, "resource"), first.stop.In(first.loc).Format("15:04"), first.zone, where)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > 99 {
		s = s[:96] + "..."
	}
	return s
}

// more counts the resources a section does not list: "and 47 more", or "72 resources"
// when it lists none.
func more(listed, all int) string {
	if listed == 0 {
		return plural(all, "resource")
	}
	return fmt.Sprintf("and %d more", all-listed)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func indent(text, by string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		b.WriteString(by + line)
	}
	return b.String()
}
