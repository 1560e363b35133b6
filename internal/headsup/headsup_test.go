package headsup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/snoozelink"
	"github.com/curfew/curfew/internal/sources"
)

const (
	unitA = "ou-ab12-aaaaaaaa"
	unitB = "ou-ab12-bbbbbbbb"
	// foundA and foundB are accounts found in unitA and unitB.
	foundA = "500000000001"
	foundB = "500000000002"
)

// unitMap is the map of the composition tests: staging and sandbox share an owner
// (team@), tokyo stops on Tokyo's time, quiet has nothing to stop, and two units own
// the accounts found in them, one on New York's time. start is the schedule's morning
// start, or empty for none.
func unitMap(t *testing.T, start string) *accounts.Map {
	t.Helper()
	m, err := accounts.Parse(fmt.Appendf(nil, `identity: home
home: home
homeRegion: eu-west-1
externalId: curfew-test
ci: {user: ci, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}%s}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: home, id: "100000000000", environment: production}
  - {name: staging, id: "200000000000", environment: non-production, regions: [eu-west-1, eu-central-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess],
     owners: {emails: [alice@example.com, team@example.com]}}
  - {name: sandbox, id: "300000000000", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess],
     owners: {emails: [bob@example.com, team@example.com], slack: [/curfew/owners/sandbox]}}
  - {name: tokyo, id: "400000000000", environment: non-production, regions: [ap-northeast-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess],
     schedule: {timezone: Asia/Tokyo}, owners: {emails: [carol@example.com]}}
  - {name: quiet, id: "600000000000", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess],
     owners: {emails: [dave@example.com]}}
organization:
  managementAccount: "900000000000"
  ous:
    - {id: %s, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess], owners: {emails: [unit-a@example.com]}}
    - {id: %s, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess], owners: {emails: [unit-b@example.com]},
       schedule: {timezone: America/New_York}}
`, start, unitA, unitB))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const withStart = `, start: {at: "07:30", days: [MON-FRI]}`

// now is Monday 7 December 2026, 19:30 in Madrid: 30 minutes before its stop.
var now = time.Date(2026, 12, 7, 18, 30, 0, 0, time.UTC)

func res(typ, id, size string, action fleet.Action, reason string) fleet.Resource {
	return fleet.Resource{Type: typ, ID: id, Size: size, Action: action, Reason: reason}
}

// sdkText is an error as a failed EC2 call writes it into a result.
const sdkText = "describe instances in staging/eu-central-1: operation error EC2: DescribeInstances, https response error StatusCode: 403, RequestID: 1234, api error UnauthorizedOperation: You are not authorized"

// plans are the results of the dry run per account.
func plans() map[string][]fleet.Result {
	var many []fleet.Resource
	for i := range 7 {
		many = append(many, res(history.EC2Instance, fmt.Sprintf("i-sandbox-%d", i), "m5.large", fleet.WouldStop, ""))
	}
	return map[string][]fleet.Result{
		"staging": {
			{Account: "staging", Region: "eu-west-1", Status: fleet.Done, Resources: []fleet.Resource{
				res(history.EC2Instance, "i-web", "t3.micro", fleet.WouldStop, ""),
				res(history.RDSInstance, "app-db", "db.t3.micro", fleet.WouldStop, ""),
				res(fleet.AutoScalingGroup, "web-asg", "m5.large", fleet.WouldStop, ""),
				res(history.EC2Instance, "i-keep", "t3.small", fleet.Skipped, "tagged curfew:skip=true"),
			}},
			{Account: "staging", Region: "eu-central-1", Status: fleet.Failed, Error: sdkText},
		},
		"sandbox": {{Account: "sandbox", Region: "eu-west-1", Status: fleet.Done, Resources: many}},
		"tokyo": {{Account: "tokyo", Region: "ap-northeast-1", Status: fleet.Done, Resources: []fleet.Resource{
			res(history.EC2Instance, "i-tokyo", "t3.micro", fleet.WouldStop, "")}}},
		"quiet": {{Account: "quiet", Region: "eu-west-1", Status: fleet.Done, Resources: []fleet.Resource{
			res(history.EC2Instance, "i-snoozed", "t3.micro", fleet.Skipped, "snoozed until 2026-12-08T07:30:00+01:00")}}},
		foundA: {{Account: foundA, Region: "eu-west-1", Status: fleet.Done, Resources: []fleet.Resource{
			res(history.AuroraCluster, "aurora", "", fleet.WouldStop, "")}}},
		foundB: {{Account: foundB, Region: "eu-west-1", Status: fleet.Done, Resources: []fleet.Resource{
			res(fleet.ECSService, "shop/api", "", fleet.WouldStop, "")}}},
	}
}

// fakePlanner answers the dry run of a payload from plans: the listed accounts it names
// (every one without a filter) and the accounts found in the units it names.
type fakePlanner struct {
	plans map[string][]fleet.Result
	// fail fails the plan of a payload naming this unit.
	fail string
	// notes are added to every report: what the run could not settle.
	notes    []sources.Note
	mu       sync.Mutex
	payloads []fleet.Payload
}

func (f *fakePlanner) Plan(_ context.Context, p fleet.Payload) (fleet.Report, error) {
	f.mu.Lock()
	f.payloads = append(f.payloads, p)
	f.mu.Unlock()
	if f.fail != "" && slices.Contains(p.Units, f.fail) {
		// As invoke.Call answers a function error.
		return fleet.Report{}, fmt.Errorf("%w: the function returned an error (Unhandled): errorString: %s", invoke.ErrRunFailed, sdkText)
	}
	rep := fleet.Report{DryRun: p.DryRun, Accounts: f.notes}
	all := len(p.Accounts) == 0 && len(p.Units) == 0
	for _, name := range []string{"staging", "sandbox", "tokyo", "quiet"} {
		if all || slices.Contains(p.Accounts, name) {
			rep.Results = append(rep.Results, f.plans[name]...)
		}
	}
	for unit, id := range map[string]string{unitA: foundA, unitB: foundB} {
		if all || slices.Contains(p.Units, unit) || slices.Contains(p.Accounts, id) {
			rep.Results = append(rep.Results, f.plans[id]...)
		}
	}
	return rep, nil
}

// fakeIssuer issues https://links.example/<n> and keeps the links; it fails for the
// accounts in fail.
type fakeIssuer struct {
	fail  map[string]error
	mu    sync.Mutex
	links []snoozelink.Link
}

func (f *fakeIssuer) Issue(_ context.Context, l snoozelink.Link) (string, error) {
	if err := f.fail[l.Account]; err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links = append(f.links, l)
	return fmt.Sprintf("https://links.example/?t=%d", len(f.links)), nil
}

// fakeSender keeps the messages it sends; it fails for the owners in fail.
type fakeSender struct {
	fail map[string]error
	mu   sync.Mutex
	sent map[string][]headsup.Message
}

func (f *fakeSender) Send(_ context.Context, m headsup.Message) error {
	if err := f.fail[m.Owner.String()]; err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sent == nil {
		f.sent = map[string][]headsup.Message{}
	}
	f.sent[m.Owner.String()] = append(f.sent[m.Owner.String()], m)
	return nil
}

type world struct {
	h       headsup.Handler
	planner *fakePlanner
	issuer  *fakeIssuer
	sender  *fakeSender
}

func newWorld(t *testing.T, start string) *world {
	w := &world{planner: &fakePlanner{plans: plans()}, issuer: &fakeIssuer{}, sender: &fakeSender{}}
	w.h = headsup.Handler{Map: unitMap(t, start), Planner: w.planner, Issuer: w.issuer, Sender: w.sender, Now: func() time.Time { return now }}
	return w
}

// stopInput is the stop schedule's input of every account and unit above.
const stopInput = `{"trigger":"schedule","accounts":["staging","sandbox","tokyo","quiet"],"units":["` + unitA + `","` + unitB + `"]}`

func (w *world) run(t *testing.T, input string) headsup.Summary {
	t.Helper()
	sum, err := w.h.Handle(t.Context(), json.RawMessage(input))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// only returns the one message sent to owner, failing when there is not exactly one.
func (w *world) only(t *testing.T, owner string) headsup.Message {
	t.Helper()
	if n := len(w.sender.sent[owner]); n != 1 {
		t.Fatalf("%s got %d messages, want 1", owner, n)
	}
	return w.sender.sent[owner][0]
}

func TestOneMessagePerOwner(t *testing.T) {
	w := newWorld(t, withStart)
	sum := w.run(t, stopInput)
	want := map[string][]string{
		"alice@example.com":            {"staging"},
		"team@example.com":             {"staging", "sandbox"},
		"bob@example.com":              {"sandbox"},
		"Slack /curfew/owners/sandbox": {"sandbox"},
		"carol@example.com":            {"tokyo"},
		"unit-a@example.com":           {foundA},
		"unit-b@example.com":           {foundB},
	}
	if len(w.sender.sent) != len(want) {
		t.Errorf("messages went to %d owners, want %d: %v", len(w.sender.sent), len(want), keys(w.sender.sent))
	}
	for owner, accts := range want {
		if got := w.only(t, owner).Accounts; !slices.Equal(got, accts) {
			t.Errorf("%s's message names %v, want %v", owner, got, accts)
		}
	}
	if _, ok := w.sender.sent["dave@example.com"]; ok {
		t.Error("dave, whose account has nothing to stop, got a message")
	}
	if sum.Messages != len(want) || len(sum.Owners) != len(want) || sum.Accounts != 5 || sum.Resources != 3+7+1+1+1 {
		t.Errorf("summary %+v: want %d messages and owners, 5 accounts, 13 resources", sum, len(want))
	}
	// Every plan is a dry run; the units are planned apart, so that each account found
	// reaches its own unit's owners.
	if len(w.planner.payloads) != 3 {
		t.Fatalf("%d plans, want the listed accounts and each unit: %+v", len(w.planner.payloads), w.planner.payloads)
	}
	for _, p := range w.planner.payloads {
		if !p.DryRun || p.Trigger != fleet.Schedule {
			t.Errorf("plan %+v is not the schedule's dry run", p)
		}
	}
}

func TestLinks(t *testing.T) {
	w := newWorld(t, withStart)
	sum := w.run(t, stopInput)
	// staging: its own and one per resource a link keeps up (i-web, app-db; not the
	// group); sandbox (7 instances): its own only; tokyo (1): its own only; foundA's
	// Aurora cluster: its own; foundB's ECS service: none.
	byAccount := map[string][][]string{}
	for _, l := range w.issuer.links {
		var ids []string
		for _, r := range l.Resources {
			ids = append(ids, r.ID)
		}
		byAccount[l.Account] = append(byAccount[l.Account], ids)
	}
	if got := byAccount["staging"]; len(got) != 3 || !slices.Equal(got[0], []string{"i-web", "app-db"}) || !slices.Equal(got[1], []string{"i-web"}) || !slices.Equal(got[2], []string{"app-db"}) {
		t.Errorf("staging's links keep up %v", got)
	}
	if got := byAccount["sandbox"]; len(got) != 1 || len(got[0]) != 7 {
		t.Errorf("sandbox's links keep up %v, want one link of 7", got)
	}
	if len(byAccount["tokyo"]) != 1 || len(byAccount[foundA]) != 1 || len(byAccount[foundB]) != 0 {
		t.Errorf("links %v", byAccount)
	}
	if sum.Links != 6 {
		t.Errorf("summary says %d links, want 6", sum.Links)
	}
	madrid, _ := time.LoadLocation("Europe/Madrid")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	for _, l := range w.issuer.links {
		var stop, until time.Time
		switch l.Account {
		case "staging", "sandbox":
			stop, until = time.Date(2026, 12, 7, 20, 0, 0, 0, madrid), time.Date(2026, 12, 8, 7, 30, 0, 0, madrid)
		case "tokyo":
			stop, until = time.Date(2026, 12, 8, 20, 0, 0, 0, tokyo), time.Date(2026, 12, 9, 7, 30, 0, 0, tokyo)
		case foundA:
			stop, until = time.Date(2026, 12, 7, 20, 0, 0, 0, madrid), time.Date(2026, 12, 8, 7, 30, 0, 0, madrid)
		}
		if !l.Stop.Equal(stop) || !l.Until.Equal(until) || !l.Sent.Equal(now) {
			t.Errorf("link of %s: stop %s until %s sent %s; want %s, %s, %s", l.Account, l.Stop, l.Until, l.Sent, stop, until, now)
		}
		if l.Account == foundA && (l.AccountID != foundA || l.Resources[0].Type != history.AuroraCluster || l.Resources[0].Region != "eu-west-1") {
			t.Errorf("link of the account found in a unit: %+v", l)
		}
	}
}

func TestMessageSaysWhatStopsAndWhy(t *testing.T) {
	w := newWorld(t, withStart)
	w.run(t, stopInput)
	m := w.only(t, "alice@example.com")
	if m.Subject != "curfew: 3 resources stop at 20:00 Europe/Madrid in staging" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{
		"stop at 20:00 tonight (Mon 7 Dec, Europe/Madrid) will stop 3 resources in your account staging",
		"staging (200000000000) stops at 20:00 tonight (Mon 7 Dec, Europe/Madrid)",
		"EC2 instance        i-web    t3.micro     eu-west-1",
		"RDS instance        app-db   db.t3.micro  eu-west-1",
		"Auto Scaling group  web-asg  m5.large     eu-west-1  the link cannot keep it up: tag it curfew:skip=true",
		"left running:",
		"EC2 instance  i-keep  t3.small  eu-west-1  tagged curfew:skip=true",
		"Not planned in eu-central-1: the dry run could not read it",
		"Keep it up until 07:30 tomorrow (Tue 8 Dec):",
		"all 2 resources of staging: https://links.example/",
		"i-web only: https://links.example/",
		"app-db only: https://links.example/",
		"Each link works once, until 20:00 tonight (Mon 7 Dec), and asks you to confirm first.",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the message lacks %q:\n%s", want, m.Text)
		}
	}
	causetest.NoSDKText(t, "alice's message", m.Text)
	causetest.NoSDKText(t, "alice's message for Slack", m.Slack)
	// The account whose only resource a link cannot keep up says so.
	if b := w.only(t, "unit-b@example.com"); !strings.Contains(b.Text, "ECS service  shop/api  -  eu-west-1  the link cannot keep it up") ||
		!strings.Contains(b.Text, "No link: links keep EC2 instances, RDS instances and Aurora clusters up, and the stop stops none here") || b.Links != 0 {
		t.Errorf("unit-b's message:\n%s", b.Text)
	}
	// Slack's links are clickable, outside the code blocks.
	s := w.only(t, "Slack /curfew/owners/sandbox")
	if !strings.Contains(s.Slack, "<https://links.example/?t=") || !strings.Contains(s.Slack, "|all 7 resources of sandbox>") || !strings.Contains(s.Slack, "```\nwill stop:") {
		t.Errorf("the Slack message:\n%s", s.Slack)
	}
}

func TestTimeZones(t *testing.T) {
	w := newWorld(t, withStart)
	w.run(t, stopInput)
	for owner, want := range map[string]string{
		// 03:30 on Tuesday in Tokyo: its stop is tonight, Tuesday's.
		"carol@example.com": "tokyo (400000000000) stops at 20:00 tonight (Tue 8 Dec, Asia/Tokyo)",
		// 13:30 on Monday in New York; the account found in the unit is named by its id.
		"unit-b@example.com": foundB + " stops at 20:00 tonight (Mon 7 Dec, America/New_York)",
		"unit-a@example.com": foundA + " stops at 20:00 tonight (Mon 7 Dec, Europe/Madrid)",
	} {
		if m := w.only(t, owner); !strings.Contains(m.Text, want) {
			t.Errorf("%s's message lacks %q:\n%s", owner, want, m.Text)
		}
	}
	if m := w.only(t, "carol@example.com"); !strings.Contains(m.Text, "Keep it up until 07:30 tomorrow (Wed 9 Dec):") {
		t.Errorf("carol's message:\n%s", m.Text)
	}
}

func TestWithoutMorningStartLinksLast12Hours(t *testing.T) {
	w := newWorld(t, "")
	w.run(t, `{"trigger":"schedule","accounts":["staging"]}`)
	for _, l := range w.issuer.links {
		if l.Until.Sub(l.Stop) != headsup.NoMorningSnooze {
			t.Errorf("link of %s: until %s, stop %s", l.Account, l.Until, l.Stop)
		}
	}
	if m := w.only(t, "alice@example.com"); !strings.Contains(m.Text, "Keep it up until 08:00 tomorrow (Tue 8 Dec):") {
		t.Errorf("alice's message:\n%s", m.Text)
	}
}

func TestNothingToStopSendsNothing(t *testing.T) {
	w := newWorld(t, withStart)
	sum := w.run(t, `{"trigger":"schedule","accounts":["quiet"]}`)
	if len(w.sender.sent) != 0 || len(w.issuer.links) != 0 || sum.Messages != 0 || len(sum.Owners) != 0 || sum.Accounts != 0 {
		t.Errorf("nothing to stop: sent %v, links %d, summary %+v", keys(w.sender.sent), len(w.issuer.links), sum)
	}
}

// One owner's failed delivery, one account's failed link and one unit's failed plan are
// each a line of the summary, without the SDK's text; everybody else is told.
func TestFailuresStopNobodyElse(t *testing.T) {
	sdkErr := causetest.Errors(t)[2].Err // access denied, as the SDK returns it
	w := newWorld(t, withStart)
	w.sender.fail = map[string]error{"bob@example.com": sdkErr}
	w.issuer.fail = map[string]error{"tokyo": sdkErr}
	w.planner.fail = unitB
	w.planner.notes = []sources.Note{{From: "organization.ous[0] (" + unitA + ")", Outcome: sources.Error,
		Reason: "its child units could not be listed: Organizations ListOrganizationalUnitsForParent: access denied"}}
	sum := w.run(t, stopInput)
	for _, owner := range []string{"alice@example.com", "team@example.com", "Slack /curfew/owners/sandbox", "carol@example.com", "unit-a@example.com"} {
		w.only(t, owner)
	}
	if _, ok := w.sender.sent["unit-b@example.com"]; ok {
		t.Error("unit-b was told, though its unit could not be planned")
	}
	if m := w.only(t, "carol@example.com"); !strings.Contains(m.Text, "The link keeping all of tokyo up could not be made: `curfew snooze tokyo RESOURCE-ID --tonight`") || m.Links != 0 {
		t.Errorf("carol's message:\n%s", m.Text)
	}
	text := strings.Join(sum.Failures, "\n")
	for _, want := range []string{
		"the heads-up of bob@example.com was not sent: Cost Explorer GetCostForecast: access denied; check the owner's address or webhook parameter, and the function's log",
		"the link keeping up all of tokyo was not issued: Cost Explorer GetCostForecast: access denied",
		"the stop of the accounts of " + unitB + " could not be planned: the shutdown's dry run failed; run `curfew plan` to see why",
		"staging in eu-central-1 could not be planned (failed): EC2 DescribeInstances: UnauthorizedOperation; its owners were not told what the stop does there: `curfew plan --account staging` shows it",
		"organization.ous[0] (" + unitA + "): its child units could not be listed: Organizations ListOrganizationalUnitsForParent: access denied; the owners of the accounts it holds were not told",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the failures lack %q:\n%s", want, text)
		}
	}
	causetest.NoSDKText(t, "the summary's failures", text)
	i := slices.IndexFunc(sum.Owners, func(o headsup.OwnerSummary) bool { return o.Owner == "bob@example.com" })
	if i < 0 || sum.Owners[i].Sent || sum.Owners[i].Error != "Cost Explorer GetCostForecast: access denied" {
		t.Errorf("bob in the summary: %+v", sum.Owners)
	}
	if sum.Messages != 5 {
		t.Errorf("%d messages, want 5", sum.Messages)
	}
}

func TestNothingPlannedFails(t *testing.T) {
	w := newWorld(t, withStart)
	w.planner.fail = unitA
	var metrics bytes.Buffer
	w.h.Metrics = &metrics
	_, err := w.h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule","units":["`+unitA+`"]}`))
	if !errors.Is(err, headsup.ErrNothingPlanned) || len(w.sender.sent) != 0 {
		t.Errorf("error %v, sent %v", err, keys(w.sender.sent))
	}
	if m := metricsOf(t, &metrics); m.Failures != 1 || m.Messages != 0 {
		t.Errorf("metrics %+v: want one failure, no message", m)
	}
}

// The run's metrics, for an alarm: the failures and the messages sent.
func TestMetrics(t *testing.T) {
	w := newWorld(t, withStart)
	var metrics bytes.Buffer
	w.h.Metrics = &metrics
	w.sender.fail = map[string]error{"bob@example.com": errors.New("refused")}
	sum := w.run(t, stopInput)
	m := metricsOf(t, &metrics)
	if m.Failures != len(sum.Failures) || m.Failures < 2 || m.Messages != 6 || m.Function != "curfew-heads-up" ||
		m.AWS.CloudWatchMetrics[0].Namespace != "curfew" || m.AWS.Timestamp != now.UnixMilli() {
		t.Errorf("metrics %+v, summary %+v", m, sum)
	}
}

type emf struct {
	Function           string
	Failures, Messages int
	AWS                struct {
		Timestamp         int64
		CloudWatchMetrics []struct{ Namespace string }
	} `json:"_aws"`
}

func metricsOf(t *testing.T, b *bytes.Buffer) emf {
	t.Helper()
	var m emf
	if lines := strings.Count(b.String(), "\n"); lines != 1 {
		t.Fatalf("%d metric lines: %s", lines, b)
	}
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInvalidInputIsRefusedBeforeAnyCall(t *testing.T) {
	for _, input := range []string{
		`{"trigger":"schedule","accounts":["staging"],"extra":1}`,
		`{"accounts":[]}`,
		`{"accounts":["production-does-not-exist"]}`,
		`{"accounts":["home"]}`,
	} {
		w := newWorld(t, withStart)
		if _, err := w.h.Handle(t.Context(), json.RawMessage(input)); !errors.Is(err, fleet.ErrInvalidPayload) {
			t.Errorf("%s: error %v, want an invalid payload", input, err)
		}
		if len(w.planner.payloads) != 0 {
			t.Errorf("%s: planned", input)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// An owner of many accounts gets one message within the size of each channel: fewer
// resources listed per account, and, in Slack (text and blocks), the accounts that do not
// fit counted.
func TestLongMessagesKeepWithinTheirChannel(t *testing.T) {
	var yaml strings.Builder
	yaml.WriteString(`identity: home
home: home
homeRegion: eu-west-1
externalId: curfew-test
ci: {user: ci, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}, start: {at: "07:30", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: home, id: "100000000000", environment: production}
`)
	results := map[string][]fleet.Result{}
	const n = 120
	for i := range n {
		name := fmt.Sprintf("dev-%03d", i)
		fmt.Fprintf(&yaml, "  - {name: %s, id: \"7%011d\", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess], owners: {emails: [lead@example.com], slack: [/curfew/owners/team]}}\n", name, i)
		r := fleet.Result{Account: name, Region: "eu-west-1", Status: fleet.Done}
		for j := range 40 {
			r.Resources = append(r.Resources, res(history.EC2Instance, fmt.Sprintf("i-%03d-%02d", i, j), "m5.large", fleet.WouldStop, ""))
		}
		results[name] = []fleet.Result{r}
	}
	m, err := accounts.Parse([]byte(yaml.String()))
	if err != nil {
		t.Fatal(err)
	}
	sender := &fakeSender{}
	h := headsup.Handler{Map: m, Planner: planFunc(func(p fleet.Payload) fleet.Report {
		var rep fleet.Report
		for _, a := range m.Swept() {
			rep.Results = append(rep.Results, results[a.Name]...)
		}
		return rep
	}), Issuer: &fakeIssuer{}, Sender: sender, Now: func() time.Time { return now }, SlackButtons: true}
	sum, err := h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil || sum.Messages != 2 {
		t.Fatalf("summary %+v, error %v", sum, err)
	}
	email, slack := sender.sent["lead@example.com"][0], sender.sent["Slack /curfew/owners/team"][0]
	if len(email.Text) > headsup.MaxText || len(slack.Slack) > headsup.MaxSlack {
		t.Errorf("email of %d bytes (at most %d), Slack of %d (at most %d)", len(email.Text), headsup.MaxText, len(slack.Slack), headsup.MaxSlack)
	}
	// Every account is in the email, its resources counted; Slack names those left out.
	for i := range n {
		if name := fmt.Sprintf("dev-%03d", i); !strings.Contains(email.Text, name+" (") {
			t.Fatalf("the email leaves out %s", name)
		}
	}
	if !regexp.MustCompile(`(and \d+ more|40 resources) \(` + "`curfew plan --account dev-000`" + ` lists them\)`).MatchString(email.Text) {
		t.Errorf("the email does not count what it does not list:\n%.2000s", email.Text)
	}
	if !regexp.MustCompile(`\.\.\. and \d+ more accounts, left out to keep this message within its size: ` + "`curfew plan`" + ` lists them\.`).MatchString(slack.Slack) {
		t.Errorf("the Slack message does not say which accounts it left out:\n%.2000s", slack.Slack[len(slack.Slack)-2000:])
	}
	// Its blocks too keep within Slack's limits, and count the accounts they leave out.
	blocks := decodeBlocks(t, slack)
	checkSlackLimits(t, blocks)
	if last := blocks[len(blocks)-1]; last.Text == nil || !regexp.MustCompile(`^\.\.\. and \d+ more accounts, left out to keep this message within Slack's limits`).MatchString(last.Text.Text) {
		t.Errorf("the blocks end with %+v", last)
	}
}

type planFunc func(fleet.Payload) fleet.Report

func (f planFunc) Plan(_ context.Context, p fleet.Payload) (fleet.Report, error) { return f(p), nil }

// A payload naming no account or unit (a manual run over everything swept) still reaches
// the owners of each unit's accounts; a part the region filter leaves empty is not planned.
func TestUnitsPlannedApart(t *testing.T) {
	w := newWorld(t, withStart)
	w.run(t, `{}`)
	for _, owner := range []string{"alice@example.com", "carol@example.com", "unit-a@example.com", "unit-b@example.com"} {
		w.only(t, owner)
	}
	if len(w.planner.payloads) != 3 || w.planner.payloads[0].Trigger != fleet.Manual {
		t.Errorf("plans %+v: want the listed accounts, then each unit", w.planner.payloads)
	}

	w = newWorld(t, withStart)
	sum := w.run(t, `{"trigger":"schedule","accounts":["tokyo"],"units":["`+unitA+`","`+unitB+`"],"regions":["ap-northeast-1"]}`)
	w.only(t, "carol@example.com")
	if len(w.planner.payloads) != 1 || len(sum.Failures) != 0 || len(w.sender.sent) != 1 {
		t.Errorf("plans %+v, failures %q, sent to %v: want tokyo's alone", w.planner.payloads, sum.Failures, keys(w.sender.sent))
	}
}

// An account found in a unit and named in the input is its unit's when the input names
// that unit too; else its owners cannot be told, which the summary says.
func TestAccountFoundNamedInTheInput(t *testing.T) {
	w := newWorld(t, withStart)
	sum := w.run(t, `{"trigger":"manual","accounts":["staging","`+foundA+`"],"units":["`+unitA+`","`+unitB+`"]}`)
	if m := w.only(t, "unit-a@example.com"); !slices.Equal(m.Accounts, []string{foundA}) || strings.Count(m.Text, "aurora") != 1 {
		t.Errorf("unit-a's message names %v:\n%s", m.Accounts, m.Text)
	}
	if strings.Contains(strings.Join(sum.Failures, "\n"), foundA) {
		t.Errorf("failures %q", sum.Failures)
	}

	w = newWorld(t, withStart)
	sum = w.run(t, `{"trigger":"manual","accounts":["`+foundA+`"]}`)
	want := "account " + foundA + " was found in a unit the heads-up cannot tell: its owners were not told; name its unit, not the account, in the input"
	if len(w.sender.sent) != 0 || !slices.Equal(sum.Failures, []string{want}) {
		t.Errorf("sent to %v, failures %q", keys(w.sender.sent), sum.Failures)
	}
}
