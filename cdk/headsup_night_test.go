package cdk_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/notify/notifytest"
)

// serve answers h on a local address until the test ends, and returns its URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String()
}

// Issue 30, the whole path as deployed: the CDK app synthesised for a map whose staging
// account has an owner; the heads-up schedule read from the template and its function run
// under the Lambda emulator with exactly the schedule's input at the instant it fires
// (19:30 in Madrid on a fixed Monday); its plan is curfew-shutdown's dry run, itself under
// the emulator behind a Lambda-API-shaped router; the owner's message reaches the
// owner's subscription (the template's filter) alone and carries a link per resource;
// following one link shows a page and changes nothing; its button's POST, to
// curfew-snooze-link under the emulator behind a function-URL-shaped front door, keeps
// that instance up; the stop schedule's run at 20:00 stops the other instance and
// reports this one kept up by the link; the morning brings the other back, and the next
// night stops both.
func TestHeadsUpLinkKeepsAResourceUpAsDeployed(t *testing.T) {
	ctx := t.Context()
	s := emulator.Own(t)
	const region = "eu-west-1"
	home, staging, prod := emulator.NewAccountID(), emulator.NewAccountID(), emulator.NewAccountID()
	m, err := accounts.Parse(fmt.Appendf(nil, `identity: home
home: home
homeRegion: %[1]s
externalId: curfew-heads-up-test
ci: {user: ci, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}, start: {at: "07:30", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: home, id: %[2]q, environment: production}
  - {name: staging, id: %[3]q, environment: non-production, regions: [%[1]s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess],
     owners: {emails: [alice@example.com]}}
  - {name: production, id: %[4]q, environment: production, regions: [%[1]s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess],
     owners: {emails: [bob@example.com]}}
`, region, home, staging, prod))
	if err != nil {
		t.Fatal(err)
	}
	d := synthService(t, s, m, home, region)
	headsUps, stops, starts := d.of(accounts.HeadsUpFunction), d.of(accounts.ShutdownFunction), d.of(accounts.RestartFunction)
	if len(headsUps) != 1 || len(stops) != 1 || len(starts) != 1 {
		t.Fatalf("curfew-service has %d heads-up, %d stop and %d start schedules, want one each", len(headsUps), len(stops), len(starts))
	}
	linkFn := d.function(t, accounts.SnoozeLinkFunction)

	bins := buildFunctions(t, accounts.ShutdownFunction, accounts.RestartFunction, accounts.HeadsUpFunction, accounts.SnoozeLinkFunction)
	creds := homeCredentials(t, s, home, region)
	ec2c := ec2.NewFromConfig(s.Account(t, staging, region))
	kept, stopped := emulator.RunInstance(t, ec2c), emulator.RunInstance(t, ec2c)
	prodInstance := emulator.RunInstance(t, ec2.NewFromConfig(s.Account(t, prod, region)))
	states := func(when string, want map[string]ec2types.InstanceStateName) {
		t.Helper()
		for id, state := range want {
			c := ec2c
			if id == prodInstance {
				c = ec2.NewFromConfig(s.Account(t, prod, region))
			}
			if got, _ := emulator.InstanceState(t, c, id); got != state {
				t.Errorf("%s: instance %s is %s, want %s", when, id, got, state)
			}
		}
	}

	// Each owner's subscription, with the filter the template gives it.
	inboxes := map[string]*notifytest.Received{}
	snsc := sns.NewFromConfig(s.Account(t, home, region))
	for _, sub := range d.subscriptions {
		inboxes[sub.endpoint] = notifytest.Subscribe(t, snsc, aws.String(sub.topic), sub.filter)
	}
	if inboxes["alice@example.com"] == nil {
		t.Fatalf("the template subscribes no alice@example.com to the topic: %+v", d.subscriptions)
	}

	// A fixed week, whatever day the test runs: Monday 30 November 2026.
	monday := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	hu := headsUps[0]
	at := nextRun(t, hu.expression, hu.timeZone, monday)
	stopAt := nextRun(t, stops[0].expression, stops[0].timeZone, monday)
	if stopAt.Sub(at) != accounts.DefaultHeadsUpBefore || hu.input != stops[0].input {
		t.Fatalf("the heads-up fires at %s with %s; the stop at %s with %s: want 30 minutes before, the same input", at, hu.input, stopAt, stops[0].input)
	}

	shutdown, err := lambdarun.Start(ctx, lambdarun.Options{Name: cdk.ShutdownFolder, TaskRoot: stops[0].function.folder,
		Env: stops[0].env(creds), Dir: t.TempDir(), Binary: bins[accounts.ShutdownFunction], At: at})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown.Close()
	router := lambdarun.NewRouter(map[string]lambdarun.Invoker{accounts.ShutdownFunction: shutdown})
	link := &lambdarun.Deferred{}
	linkURL := serve(t, lambdarun.FunctionURL(link)) + "/"

	env := hu.env(creds)
	env["AWS_ENDPOINT_URL_LAMBDA"] = serve(t, router)
	env["CURFEW_LINK_URL"] = linkURL // the function URL, which moto's CloudFormation does not create
	out, logged := hu.invoke(t, bins[accounts.HeadsUpFunction], env, at)
	var sum headsup.Summary
	if err := json.Unmarshal(out, &sum); err != nil || sum.Messages != 1 || len(sum.Failures) > 0 {
		t.Fatalf("the heads-up answered %s (%v)\n%s", out, err, logged)
	}
	if calls := router.Calls(); len(calls) != 1 || !strings.Contains(string(calls[0].Payload), `"dryRun":true`) {
		t.Errorf("the heads-up invoked %+v, want one dry run of curfew-shutdown", calls)
	}
	states("after the heads-up", map[string]ec2types.InstanceStateName{kept: "running", stopped: "running", prodInstance: "running"})

	var texts []string
	for i := 0; i < 50 && len(texts) == 0; i++ {
		time.Sleep(100 * time.Millisecond)
		_, texts = inboxes["alice@example.com"].Messages()
	}
	if len(texts) != 1 {
		t.Fatalf("alice got %d heads-ups, want 1", len(texts))
	}
	text := texts[0]
	causetest.NoSDKText(t, "the heads-up", text)
	for endpoint, in := range inboxes {
		if _, got := in.Messages(); endpoint != "alice@example.com" && len(got) > 0 {
			t.Errorf("%s got the heads-up: %q", endpoint, got)
		}
	}
	if strings.Contains(text, prodInstance) || !strings.Contains(text, kept) || !strings.Contains(text, stopped) {
		t.Errorf("the heads-up should name both staging instances and nothing of production:\n%s", text)
	}
	resourceLink := regexp.MustCompile(regexp.QuoteMeta(kept) + `[^\n]*?(` + regexp.QuoteMeta(linkURL) + `\?t=[A-Za-z0-9_.~%-]+)`).FindStringSubmatch(text)
	if resourceLink == nil {
		t.Fatalf("no link keeping %s up in the heads-up:\n%s", kept, text)
	}

	linkEnv := map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_FUNCTION_TIMEOUT": "60"}
	for k, v := range creds {
		linkEnv[k] = v
	}
	for k, v := range linkFn.env {
		linkEnv[k] = v
	}
	lf, err := lambdarun.Start(ctx, lambdarun.Options{Name: cdk.SnoozeLinkFolder, TaskRoot: linkFn.folder, Env: linkEnv, Dir: t.TempDir(),
		Binary: bins[accounts.SnoozeLinkFunction], At: at.Add(5 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	link.Set(lf)

	// Following the link shows what it keeps up, and changes nothing.
	resp, err := http.Get(resourceLink[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), kept) || !strings.Contains(string(page), "<form") {
		t.Fatalf("GET of the link: %d\n%s\n%s", resp.StatusCode, page, lf.Output())
	}
	if _, tags := emulator.InstanceState(t, ec2c, kept); tags[accounts.SnoozeUntilTag] != "" {
		t.Errorf("GET of the link tagged %s: %v", kept, tags)
	}
	// Its button's POST keeps it up tonight.
	token, _ := url.ParseQuery(strings.SplitN(resourceLink[1], "?", 2)[1])
	resp, err = http.PostForm(linkURL, url.Values{"t": {token.Get("t")}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST of the link's form: %d\n%s\n%s", resp.StatusCode, page, lf.Output())
	}
	_, tags := emulator.InstanceState(t, ec2c, kept)
	if tags[accounts.SnoozeUntilTag] == "" || !strings.Contains(tags[accounts.SnoozedByTag], "heads-up link") {
		t.Errorf("after the POST, %s carries %v: want the snooze and its origin", kept, tags)
	}

	// The night's stop, as the schedule runs it.
	rep := stops[0].run(t, bins, creds, stopAt)
	states("after the night", map[string]ec2types.InstanceStateName{kept: "running", stopped: "stopped", prodInstance: "running"})
	if r := findResource(rep, kept); r.Action != fleet.Skipped || !strings.Contains(r.Reason, "kept up by the heads-up link") {
		t.Errorf("the night's report says of %s: %+v, want it kept up by the heads-up link", kept, r)
	}
	morning := starts[0].run(t, bins, creds, nextRun(t, starts[0].expression, starts[0].timeZone, stopAt))
	if morning.Failed() {
		t.Errorf("the morning failed: %+v", morning)
	}
	states("after the morning", map[string]ec2types.InstanceStateName{kept: "running", stopped: "running", prodInstance: "running"})
	nextNight := nextRun(t, stops[0].expression, stops[0].timeZone, nextRun(t, starts[0].expression, starts[0].timeZone, stopAt))
	stops[0].run(t, bins, creds, nextNight)
	states("after the next night", map[string]ec2types.InstanceStateName{kept: "stopped", stopped: "stopped", prodInstance: "running"})
}

// findResource is the resource id of a run's report.
func findResource(rep fleet.Report, id string) fleet.Resource {
	for _, r := range rep.Results {
		for _, res := range r.Resources {
			if res.ID == id {
				return res
			}
		}
	}
	return fleet.Resource{}
}
