package headsup_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/snoozelink"
)

// slackBlock is a block of a Slack message as the tests read it.
type slackBlock struct {
	Type     string `json:"type"`
	BlockID  string `json:"block_id"`
	Text     *struct{ Type, Text string }
	Elements []struct {
		Type     string          `json:"type"`
		Text     json.RawMessage `json:"text"`
		ActionID string          `json:"action_id"`
		Value    string          `json:"value"`
	}
}

func decodeBlocks(t *testing.T, m headsup.Message) []slackBlock {
	t.Helper()
	var blocks []slackBlock
	if err := json.Unmarshal(m.SlackBlocks, &blocks); err != nil {
		t.Fatalf("the blocks of %s: %v\n%s", m.Owner, err, m.SlackBlocks)
	}
	return blocks
}

// checkSlackLimits fails when blocks break one of Slack's limits: 50 blocks, 3000
// characters of a section's or context element's text, 75 of a button's label, 2000 of
// its value, 25 elements of an actions block, 10 of a context block, unique action ids.
func checkSlackLimits(t *testing.T, blocks []slackBlock) {
	t.Helper()
	if len(blocks) > 50 {
		t.Errorf("%d blocks, Slack takes 50", len(blocks))
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > 3000 {
			t.Errorf("block %d: text of %d characters", i, utf8.RuneCountInString(b.Text.Text))
		}
		if (b.Type == "actions" && len(b.Elements) > 25) || (b.Type == "context" && len(b.Elements) > 10) {
			t.Errorf("block %d: %s of %d elements", i, b.Type, len(b.Elements))
		}
		for _, e := range b.Elements {
			var label struct{ Text string }
			var plain string
			switch {
			case e.Type == "button" && json.Unmarshal(e.Text, &label) == nil:
				if utf8.RuneCountInString(label.Text) > 75 || len(e.Value) > 2000 || ids[e.ActionID] {
					t.Errorf("block %d: button %q (value of %d, id %q seen before: %v)", i, label.Text, len(e.Value), e.ActionID, ids[e.ActionID])
				}
				ids[e.ActionID] = true
			case json.Unmarshal(e.Text, &plain) == nil && utf8.RuneCountInString(plain) > 3000:
				t.Errorf("block %d: element of %d characters", i, utf8.RuneCountInString(plain))
			}
		}
	}
}

// Issue 30, item 4: with SlackButtons, an owner's Slack message carries, beside each
// account's section, a button per link whose value is that link's token and whose action
// id is the link function's, then the links themselves; its text (notifications, clients
// without blocks) is the message without buttons. Email carries no blocks, and without
// SlackButtons no message has any.
func TestSlackMessageCarriesAButtonPerLink(t *testing.T) {
	plain := newWorld(t, withStart)
	plain.run(t, stopInput)
	w := newWorld(t, withStart)
	w.h.SlackButtons = true
	w.run(t, stopInput)

	s := w.only(t, "Slack /curfew/owners/sandbox")
	blocks := decodeBlocks(t, s)
	checkSlackLimits(t, blocks)
	if blocks[0].Type != "section" || !strings.HasPrefix(blocks[0].Text.Text, "*"+s.Subject+"*\n") || !strings.Contains(blocks[0].Text.Text, "press its button below") {
		t.Errorf("the first block: %+v", blocks[0])
	}
	if len(blocks) != 4 || blocks[1].Type != "section" || blocks[2].Type != "actions" || blocks[3].Type != "context" ||
		!strings.Contains(blocks[1].Text.Text, "sandbox (300000000000) stops at 20:00 tonight") || !strings.Contains(blocks[1].Text.Text, "```\nwill stop:") {
		t.Fatalf("want the head, then sandbox's section, buttons and links: %s", s.SlackBlocks)
	}
	if !strings.HasSuffix(blocks[1].Text.Text, "```\nKeep it up until 07:30 tomorrow (Tue 8 Dec):") {
		t.Errorf("sandbox's section does not end with how long the buttons keep it up:\n%s", blocks[1].Text.Text)
	}
	var links []string
	for _, e := range blocks[3].Elements {
		var part string
		_ = json.Unmarshal(e.Text, &part)
		links = append(links, part)
	}
	if len(links) < 2 || links[0] != "Each button works once, until 20:00 tonight (Mon 7 Dec), and applies at once. Or open a link, which asks you to confirm first:" {
		t.Errorf("the links beside the buttons: %q", links)
	}
	var buttons []string
	for _, e := range blocks[2].Elements {
		var label struct{ Text string }
		_ = json.Unmarshal(e.Text, &label)
		if e.Type != "button" || !strings.HasPrefix(e.ActionID, snoozelink.SlackActionPrefix) {
			t.Errorf("element %+v is not a heads-up button", e)
		}
		buttons = append(buttons, label.Text+" = "+e.Value)
		if !strings.Contains(strings.Join(links, "\n"), "<https://links.example/?t="+e.Value+"|") {
			t.Errorf("the button of token %s has no link beside it", e.Value)
		}
	}
	if got := strings.Join(buttons, "\n"); got != "Keep all 7 resources of sandbox up = "+tokenIn(t, s.Slack, "all 7 resources of sandbox") {
		t.Errorf("buttons:\n%s", got)
	}
	// The fake issuer numbers the tokens in the order the links are issued, which varies.
	tokens := regexp.MustCompile(`\?t=\d+`)
	if tokens.ReplaceAllString(s.Slack, "?t=N") != tokens.ReplaceAllString(plain.only(t, "Slack /curfew/owners/sandbox").Slack, "?t=N") ||
		plain.only(t, "Slack /curfew/owners/sandbox").SlackBlocks != nil {
		t.Errorf("the text of a message with buttons differs from the message without, or the latter has blocks")
	}
	for owner, ms := range w.sender.sent {
		if ms[0].Owner.Email != "" && ms[0].SlackBlocks != nil {
			t.Errorf("the email to %s carries blocks", owner)
		}
	}

	// staging, with 2 resources a link keeps up, gets a button for all and one for each.
	w = newWorld(t, withStart)
	w.h.SlackButtons = true
	for i, a := range w.h.Map.Accounts {
		if a.Name == "staging" {
			w.h.Map.Accounts[i].Owners.Slack = []string{"/curfew/owners/sandbox"}
		}
	}
	w.run(t, stopInput)
	s = w.only(t, "Slack /curfew/owners/sandbox")
	blocks = decodeBlocks(t, s)
	checkSlackLimits(t, blocks)
	var labels []string
	for _, b := range blocks {
		for _, e := range b.Elements {
			var label struct{ Text string }
			if e.Type == "button" && json.Unmarshal(e.Text, &label) == nil {
				labels = append(labels, label.Text+" = "+e.Value)
			}
		}
	}
	want := []string{
		"Keep all 2 resources of staging up = " + tokenIn(t, s.Slack, "all 2 resources of staging"),
		"Keep i-web only up = " + tokenIn(t, s.Slack, "i-web only"),
		"Keep app-db only up = " + tokenIn(t, s.Slack, "app-db only"),
		"Keep all 7 resources of sandbox up = " + tokenIn(t, s.Slack, "all 7 resources of sandbox"),
	}
	if strings.Join(labels, "\n") != strings.Join(want, "\n") {
		t.Errorf("buttons:\n%s\nwant:\n%s", strings.Join(labels, "\n"), strings.Join(want, "\n"))
	}
}

// tokenIn is the token of the link labelled label in a Slack text.
func tokenIn(t *testing.T, slack, label string) string {
	t.Helper()
	before, _, ok := strings.Cut(slack, "|"+label+">")
	if !ok {
		t.Fatalf("no link %q in:\n%s", label, slack)
	}
	return before[strings.LastIndex(before, "?t=")+3:]
}

// With SlackButtons, the owner's webhook gets the message as blocks, a button per link,
// with its text beside; the email is as without.
func TestSlackButtonsReachTheWebhook(t *testing.T) {
	w := newEmulatorWorld(t)
	h := headsup.Handler{Map: w.m, Planner: inProcess{w.engine}, Issuer: &fakeIssuer{}, Sender: w.sender, Logger: quiet(), SlackButtons: true}
	if sum, err := h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule","accounts":["staging"]}`)); err != nil || sum.Messages != 2 {
		t.Fatalf("summary %+v, error %v", sum, err)
	}
	posts := w.hook.SlackPosts()
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "|all 3 resources of staging>") {
		t.Fatalf("the Slack webhook got %q", posts)
	}
	var blocks []slackBlock
	if err := json.Unmarshal(posts[0].Blocks, &blocks); err != nil {
		t.Fatalf("the webhook's blocks: %v\n%s", err, posts[0].Blocks)
	}
	checkSlackLimits(t, blocks)
	buttons := 0
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.Type == "button" && strings.HasPrefix(e.ActionID, snoozelink.SlackActionPrefix) && e.Value != "" {
				buttons++
			}
		}
	}
	if buttons != 4 {
		t.Errorf("the webhook's message has %d buttons, want 4 (staging's and one per resource):\n%s", buttons, posts[0].Blocks)
	}
}
