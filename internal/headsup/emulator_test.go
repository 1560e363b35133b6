package headsup_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/lambdatest"
	"github.com/curfew/curfew/internal/notify"
	"github.com/curfew/curfew/internal/notify/notifytest"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// inProcess plans as the shutdown function would answer the heads-up's invocation: the
// engine's dry run of the payload, here in the test's process.
type inProcess struct{ h fleet.Handler }

func (p inProcess) Plan(ctx context.Context, pl fleet.Payload) (fleet.Report, error) {
	if !pl.DryRun {
		return fleet.Report{}, fmt.Errorf("the heads-up asked for a run that is not a dry run: %+v", pl)
	}
	return p.h.Run(ctx, pl)
}

// emulatorWorld is a home account and a staging account in moto: in staging two
// instances and a database to stop, an instance tagged curfew:skip=true and one snoozed;
// in home the topic, with a subscription per filter as the service stack writes them
// (the owner's address, another owner's, the cost report's recipients), and the owner's
// Slack webhook parameter, whose URL a TLS server answers.
type emulatorWorld struct {
	s             *emulator.Server
	m             *accounts.Map
	home          aws.Config
	stagingID     string
	want          []string // the ids the stop will stop, sorted
	skip, snoozed string
	inboxes       map[string]*notifytest.Received
	hook          *notifytest.Received
	sender        headsup.Channels
	engine        fleet.Handler
}

func newEmulatorWorld(t *testing.T) *emulatorWorld {
	t.Helper()
	s := emulator.Shared(t)
	const region = "eu-west-1"
	homeID, stagingID := emulator.NewAccountID(), emulator.NewAccountID()
	m, err := accounts.Parse(fmt.Appendf(nil, `identity: home
home: home
homeRegion: %[1]s
externalId: curfew-test
ci: {user: ci, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [SUN-SAT]}, start: {at: "07:30", days: [SUN-SAT]}}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: home, id: %[2]q, environment: production}
  - {name: staging, id: %[3]q, environment: non-production, regions: [%[1]s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess],
     owners: {emails: [alice@example.com], slack: [/curfew/owners/staging]}}
`, region, homeID, stagingID))
	if err != nil {
		t.Fatal(err)
	}
	w := &emulatorWorld{s: s, m: m, home: s.Account(t, homeID, region), stagingID: stagingID, inboxes: map[string]*notifytest.Received{}}
	staging := s.Account(t, stagingID, region)
	ctx := t.Context()

	ec2c := ec2.NewFromConfig(staging)
	launch := func(tags map[string]string) string {
		var tl []ec2types.Tag
		for k, v := range tags {
			tl = append(tl, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		in := &ec2.RunInstancesInput{ImageId: aws.String(emulator.AMI), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro}
		if len(tl) > 0 {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tl}}
		}
		out, err := ec2c.RunInstances(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	w.want = []string{"app-db", launch(nil), launch(nil)}
	slices.Sort(w.want)
	w.skip = launch(map[string]string{accounts.SkipTag: "true"})
	w.snoozed = launch(map[string]string{accounts.SnoozeUntilTag: clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)})
	if _, err := rds.NewFromConfig(staging).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("app-db"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("curfew"), MasterUserPassword: aws.String("curfew-secret-1"),
	}); err != nil {
		t.Fatal(err)
	}

	snsc, ssmc := sns.NewFromConfig(w.home), ssm.NewFromConfig(w.home)
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("curfew-heads-up-" + homeID)})
	if err != nil {
		t.Fatal(err)
	}
	for who, filter := range map[string]string{
		"alice":      `{"owner": ["alice@example.com"]}`,
		"bob":        `{"owner": ["bob@example.com"]}`,
		"recipients": `{"owner": [{"exists": false}]}`,
	} {
		w.inboxes[who] = notifytest.Subscribe(t, snsc, topic.TopicArn, filter)
	}
	hook, webhook := notifytest.SlackWebhook(t, ssmc, "/curfew/owners/staging", "https://hooks.slack.com/services/T0/B1/staging")
	w.hook = hook
	w.sender = headsup.Channels{SNS: snsc, TopicARN: aws.ToString(topic.TopicArn), Slack: notify.Slack{SSM: ssmc, HTTP: notifytest.SlackClient(webhook)}}
	w.engine = fleet.Handler{Kind: history.Shutdown, Map: m, Connect: fleet.AssumeRoles(w.home, m.ExternalID), Logger: quiet()}
	return w
}

// headsUp runs the heads-up of the stop schedule's input of staging with planner and
// checks what it sent: one message to the owner's subscription alone, and one to the
// owner's webhook, that say what will stop (returned) and why the rest is left running.
func (w *emulatorWorld) headsUp(t *testing.T, planner headsup.Planner) []string {
	t.Helper()
	issuer := &fakeIssuer{}
	h := headsup.Handler{Map: w.m, Planner: planner, Issuer: issuer, Sender: w.sender, Logger: quiet()}
	sum, err := h.Handle(t.Context(), json.RawMessage(`{"trigger":"schedule","accounts":["staging"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Messages != 2 || len(sum.Failures) != 0 {
		t.Fatalf("summary %+v", sum)
	}
	subjects, texts := w.inboxes["alice"].Messages()
	if len(texts) != 1 {
		t.Fatalf("alice's subscription got %d messages, want 1: %q", len(texts), subjects)
	}
	for who, in := range w.inboxes {
		if _, other := in.Messages(); who != "alice" && len(other) != 0 {
			t.Errorf("the subscription of %s got the heads-up: %q", who, other)
		}
	}
	text := texts[0]
	if subjects[0] != "curfew: 3 resources stop at 20:00 Europe/Madrid in staging" {
		t.Errorf("subject %q", subjects[0])
	}
	causetest.NoSDKText(t, "the heads-up by email", text)
	for _, id := range []string{w.skip, w.snoozed} {
		if !strings.Contains(text, id) {
			t.Errorf("the message does not say why %s is left running:\n%s", id, text)
		}
	}
	if posts := w.hook.SlackPosts(); len(posts) != 1 || !strings.Contains(posts[0].Text, "|all 3 resources of staging>") {
		t.Errorf("the Slack webhook got %q", posts)
	}
	if len(issuer.links) != 4 || len(issuer.links[0].Resources) != 3 || issuer.links[0].AccountID != w.stagingID {
		t.Errorf("links %+v", issuer.links)
	}
	stops := willStop(text)
	slices.Sort(stops)
	return stops
}

// The whole heads-up against moto, the plan being the engine's dry run in this process;
// then the night's stop stops exactly what the message said.
func TestHeadsUpThroughTheEmulator(t *testing.T) {
	w := newEmulatorWorld(t)
	if stops := w.headsUp(t, inProcess{w.engine}); !slices.Equal(stops, w.want) {
		t.Errorf("the message says %v will stop, want %v", stops, w.want)
	}
	rep, err := w.engine.Run(t.Context(), fleet.Payload{Trigger: fleet.Schedule, Accounts: []string{"staging"}})
	if err != nil {
		t.Fatal(err)
	}
	var stopped []string
	for _, r := range rep.Results {
		for _, x := range r.Resources {
			if x.Action == fleet.Stopped {
				stopped = append(stopped, x.ID)
			}
		}
	}
	slices.Sort(stopped)
	if !slices.Equal(stopped, w.want) {
		t.Errorf("the stop stopped %v; the heads-up said %v", stopped, w.want)
	}
}

// In Lambda the heads-up plans by invoking curfew-shutdown synchronously with the
// schedule's input and dryRun, as `curfew plan` does: here the shutdown's binary under
// the Runtime Interface Emulator, behind the Lambda API's Invoke. It changes nothing.
func TestHeadsUpPlansThroughTheShutdownFunction(t *testing.T) {
	w := newEmulatorWorld(t)
	ctx := t.Context()
	creds, err := w.home.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shutdown := lambdatest.Start(t, "shutdown", w.m, map[string]string{
		"AWS_ENDPOINT_URL": w.s.URL, "AWS_REGION": w.home.Region, "AWS_ACCESS_KEY_ID": creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": creds.SessionToken,
		"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_FUNCTION_TIMEOUT": "120",
	})
	router := lambdarun.NewRouter(map[string]lambdarun.Invoker{accounts.ShutdownFunction: shutdown})
	api := httptest.NewServer(router)
	t.Cleanup(api.Close)
	client := lambda.NewFromConfig(w.home, func(o *lambda.Options) { o.BaseEndpoint = aws.String(api.URL) })
	if stops := w.headsUp(t, headsup.Invoker{Lambda: client, Function: accounts.ShutdownFunction}); !slices.Equal(stops, w.want) {
		t.Errorf("the message says %v will stop, want %v", stops, w.want)
	}
	calls := router.Calls()
	if len(calls) != 1 || string(calls[0].Payload) != `{"trigger":"schedule","accounts":["staging"],"dryRun":true}` {
		t.Errorf("the shutdown function was invoked with %+v", calls)
	}
	rep, err := w.engine.Run(ctx, fleet.Payload{Trigger: fleet.Schedule, Accounts: []string{"staging"}, DryRun: true})
	if err != nil || rep.Totals.WouldStop != len(w.want) {
		t.Errorf("after the heads-up, the stop would stop %d, want %d (error %v): it changed something", rep.Totals.WouldStop, len(w.want), err)
	}
}

// rowCells splits an aligned row into its cells.
var rowCells = regexp.MustCompile(`\s{2,}`)

// willStop reads the ids of the resources a message lists under "will stop:".
func willStop(text string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(line) == "will stop:":
			in = true
		case in && strings.HasPrefix(line, "    "):
			if cells := rowCells.Split(strings.TrimSpace(line), -1); len(cells) >= 2 {
				out = append(out, cells[1])
			}
		default:
			in = false
		}
	}
	return out
}

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
