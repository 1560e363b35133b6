package headsup

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/curfew/curfew/internal/notify"
	"github.com/curfew/curfew/internal/snoozelink"
)

// Slack's limits on a message of blocks (Block Kit): the message's blocks, a section's or
// a context element's text, a button's label and value, an actions block's elements.
const (
	MaxBlocks       = 50
	maxBlockText    = 3000
	maxButtonLabel  = 75
	maxButtonValue  = 2000
	maxContextParts = 10
)

// The blocks of a message, as Slack's API names their fields.
type (
	block struct {
		Type     string    `json:"type"`
		BlockID  string    `json:"block_id,omitempty"`
		Text     *text     `json:"text,omitempty"`
		Elements []element `json:"elements,omitempty"`
	}
	text struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	element struct {
		Type     string `json:"type"`
		Text     any    `json:"text,omitempty"`
		ActionID string `json:"action_id,omitempty"`
		Value    string `json:"value,omitempty"`
	}
)

func mrkdwn(s string) *text { return &text{Type: "mrkdwn", Text: cut(s, maxBlockText)} }

// cut shortens s to at most n bytes, whole runes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-len("…")]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// slackBlocks writes a message for Slack as blocks: the head, then per account its
// section (what stops, as in the text), a button per link (its value the link's token,
// which the link function applies when Slack posts the press) and the links themselves
// beside, for a client that cannot press. Past Slack's MaxBlocks, the accounts left out
// are counted, as the text counts them. It reports whether every account's section fit
// Slack's limit on a block's text uncut.
func slackBlocks(head string, sections []section) (json.RawMessage, bool) {
	blocks := []block{{Type: "section", Text: mrkdwn(head)}}
	fits := true
	for i, s := range sections {
		part, fit := accountBlocks(i, s)
		fits = fits && fit
		if len(blocks)+len(part) > MaxBlocks-1 {
			blocks = append(blocks, block{Type: "section", Text: mrkdwn(fmt.Sprintf("... and %d more accounts, left out to keep this message within Slack's limits: `curfew plan` lists them.", len(sections)-i))})
			break
		}
		blocks = append(blocks, part...)
	}
	out, _ := json.Marshal(blocks) // plain structs of strings: nothing to fail
	return out, fits
}

// accountBlocks are the blocks of the i-th account of a message, and whether its section
// fit uncut.
func accountBlocks(i int, s section) ([]block, bool) {
	var b strings.Builder
	b.WriteString("*" + notify.Escape(s.head) + "*\n```\n" + notify.Escape(s.table) + "```")
	for _, n := range s.notes {
		b.WriteString("\n" + notify.Escape(n))
	}
	if len(s.links) > 0 {
		b.WriteString("\n" + notify.Escape(s.keep))
	}
	fits := b.Len() <= maxBlockText
	out := []block{{Type: "section", Text: mrkdwn(b.String())}}
	if len(s.links) == 0 {
		return out, fits
	}
	var buttons []element
	works := fmt.Sprintf("Each button works once, until %s, and applies at once. Or open a link, which asks you to confirm first:", s.expires)
	parts := []element{{Type: "mrkdwn", Text: cut(notify.Escape(works), maxBlockText)}}
	for j, l := range s.links {
		if token := tokenOf(l.url); token != "" && len(token) <= maxButtonValue {
			buttons = append(buttons, element{Type: "button", ActionID: fmt.Sprintf("%s%d-%d", snoozelink.SlackActionPrefix, i, j), Value: token,
				Text: text{Type: "plain_text", Text: cut("Keep "+l.label+" up", maxButtonLabel)}})
		}
		if link := "<" + notify.Escape(l.url) + "|" + notify.Escape(l.label) + ">"; len(link) <= maxBlockText && len(parts) < maxContextParts {
			parts = append(parts, element{Type: "mrkdwn", Text: link})
		}
	}
	if len(buttons) > 0 {
		out = append(out, block{Type: "actions", BlockID: fmt.Sprintf("links-%d", i), Elements: buttons})
	}
	return append(out, block{Type: "context", Elements: parts}), fits
}

// tokenOf is the token a link's URL carries.
func tokenOf(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get("t")
}
