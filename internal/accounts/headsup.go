package accounts

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// The heads-up before the night (issue 30): a function of the home account tells each
// owner, some time before a stop schedule fires, what that stop will do, with one link per
// account (and per resource where there are few) that keeps it up tonight. The link
// reaches a public function of the home account, which snoozes through SnoozeLinkRole.
const (
	// HeadsUpFunction plans each stop ahead (the shutdown's dry run) and sends the owners
	// their part, with the links.
	HeadsUpFunction = "curfew-heads-up"
	// SnoozeLinkFunction is the public endpoint (a Lambda function URL) behind the links:
	// GET shows a confirmation page, POST from that page applies the snooze.
	SnoozeLinkFunction = "curfew-snooze-link"
	// SnoozeLinkRole is the role of each swept account that the link function assumes: it
	// may read EC2 instances, RDS instances and Aurora clusters and write only the
	// SnoozeUntilTag and SnoozedByTag tags. Production accounts never get it.
	SnoozeLinkRole = "CurfewSnoozeLink"
	// SnoozedByTag says where the snooze of SnoozeUntilTag came from, for the night's
	// report and `curfew snooze --list`: "heads-up link of 19:30 until <RFC 3339 time>".
	// It counts only while its until matches SnoozeUntilTag's value.
	SnoozedByTag = "curfew:snoozed-by"
	// HeadsUpKeyParameter is the SSM SecureString of the home account holding the key the
	// links are signed with; the heads-up function creates it when it is missing, the link
	// function only reads it. Deleting it invalidates every link already sent.
	HeadsUpKeyParameter = "/curfew/heads-up/key"
	// HeadsUpPrefix is where, in the history bucket, the heads-up stores each link's
	// resources and the link function records each link used (replays are refused).
	HeadsUpPrefix = "heads-up/"
)

// Bounds of headsUp.before.
const (
	DefaultHeadsUpBefore = 30 * time.Minute
	MinHeadsUpBefore     = 5 * time.Minute
	MaxHeadsUpBefore     = 4 * time.Hour
)

// HeadsUp configures the heads-up. It is on whenever the map names an owner (on an
// account or a unit); without one, nobody would hear it.
type HeadsUp struct {
	// Before is how long before each stop the heads-up goes out, as a Go duration (45m,
	// 1h); DefaultHeadsUpBefore when empty.
	Before string `yaml:"before,omitempty"`
	// Off turns the heads-up off even where owners are named.
	Off bool `yaml:"off,omitempty"`
	// SlackSigningSecret names the SSM SecureString parameter of the home account holding
	// the signing secret of the Slack app whose incoming webhooks are the owners': with it,
	// each link is also a button in Slack, which the link function applies once Slack's
	// signature of the press checks out. Without it, Slack carries the links alone.
	SlackSigningSecret string `yaml:"slackSigningSecret,omitempty"`
}

// SlackSigningSecret is the parameter holding the Slack app's signing secret, or "" when
// the heads-up's Slack messages carry no buttons.
func (m *Map) SlackSigningSecret() string {
	if _, on := m.HeadsUpBefore(); !on || m.HeadsUp == nil {
		return ""
	}
	return m.HeadsUp.SlackSigningSecret
}

// slackSecretPattern is an SSM parameter name under /curfew/.
var slackSecretPattern = regexp.MustCompile(`^/curfew/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)

// HeadsUpBefore returns how long before each stop the heads-up goes out, and whether it
// goes out at all: only when the map names an owner and headsUp.off is not set.
func (m *Map) HeadsUpBefore() (time.Duration, bool) {
	if len(m.AllOwners()) == 0 || (m.HeadsUp != nil && m.HeadsUp.Off) {
		return 0, false
	}
	if m.HeadsUp == nil || m.HeadsUp.Before == "" {
		return DefaultHeadsUpBefore, true
	}
	d, err := time.ParseDuration(m.HeadsUp.Before)
	if err != nil {
		return DefaultHeadsUpBefore, true // Validate refused it already
	}
	return d, true
}

func (m *Map) validateHeadsUp(p *problems) {
	if m.HeadsUp == nil {
		return
	}
	switch s := m.HeadsUp.SlackSigningSecret; {
	case s == "":
	case !slackSecretPattern.MatchString(s):
		p.add("headsUp.slackSigningSecret", "%q is not an SSM parameter name under /curfew/ (letters, digits, _.- and /): store the secret in a SecureString parameter and name it here", s)
	case s == HeadsUpKeyParameter || strings.HasPrefix(s, OwnerParameterPrefix):
		p.add("headsUp.slackSigningSecret", "%q is curfew's own parameter: store the Slack app's signing secret in a parameter of its own, such as /curfew/heads-up/slack-signing-secret", s)
	}
	if m.HeadsUp.Before == "" {
		return
	}
	d, err := time.ParseDuration(m.HeadsUp.Before)
	switch {
	case err != nil:
		p.add("headsUp.before", "%q is not a duration like 30m or 1h", m.HeadsUp.Before)
	case d < MinHeadsUpBefore || d > MaxHeadsUpBefore:
		p.add("headsUp.before", "%s is outside %s to %s", d, MinHeadsUpBefore, fmtDuration(MaxHeadsUpBefore))
	case d%time.Minute != 0:
		p.add("headsUp.before", "%s is not a whole number of minutes (schedules fire on the minute)", d)
	}
}

func fmtDuration(d time.Duration) string { return fmt.Sprintf("%gh", d.Hours()) }
