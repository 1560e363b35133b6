package snoozelink_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lambdatest"
	"github.com/curfew/curfew/internal/snoozelink"
)

// slackParameter holds the Slack app's signing secret in the Slack world's home account.
const slackParameter = "/curfew/heads-up/slack-signing-secret"

// slackMapYAML is mapYAML with an owner for staging and the Slack app's signing secret.
var slackMapYAML = strings.Replace(mapYAML, "ciPolicies: [PowerUserAccess]}", "ciPolicies: [PowerUserAccess], owners: {slack: [/curfew/owners/staging]}}", 1) +
	"headsUp: {slackSigningSecret: " + slackParameter + "}\n"

// Issue 30, item 4, under the Runtime Interface Emulator: with the map's
// headsUp.slackSigningSecret, the built link function reads the secret at cold start and
// takes a press of a heads-up button that Slack signed: the instance of a member account is
// tagged through CurfewSnoozeLink with the Slack user in its origin, the use is recorded
// with the user, Slack is told in the channel; the same press replayed is refused without
// a call to the account, and the night's stop says who kept it up.
func TestSlackPressThroughTheFunction(t *testing.T) {
	w := newWorldOf(t, slackMapYAML)
	ctx := t.Context()
	secret := "e3b0c44298fc1c149afbf4c8996fb924"
	if _, err := ssm.NewFromConfig(w.config("home")).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(slackParameter),
		Type: ssmtypes.ParameterTypeSecureString, Value: aws.String(secret)}); err != nil {
		t.Fatal(err)
	}
	staging := w.ec2("staging")
	web := emulator.RunInstance(t, staging)
	link := w.issue(w.link("staging", snoozelink.Target{Type: history.EC2Instance, Region: west, ID: web}))
	token := strings.TrimPrefix(link, "https://links.example.test/?t=")
	invoke, proxy := w.linkFunction()

	ts := followed.Add(-90 * time.Second).Unix()
	body := snoozelink.PressBody(token, "U012ABCDEF", "alice")
	press := snoozelink.PressRequest(body, strconv.FormatInt(ts, 10), snoozelink.SlackSign([]byte(secret), ts, body))
	resp := invoke(ctx, press)
	var answer struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &answer); err != nil || resp.StatusCode != http.StatusOK || answer.ResponseType != "in_channel" ||
		!strings.Contains(answer.Text, "pressed by <@U012ABCDEF>") || !strings.Contains(answer.Text, "EC2 instance "+web+" in eu-west-1: kept up") {
		t.Errorf("the press answered %d %s", resp.StatusCode, resp.Body)
	}
	const origin = "heads-up link of 19:30 pressed by @alice in Slack"
	if _, tags := emulator.InstanceState(t, staging, web); tags[accounts.SnoozeUntilTag] != untilTag || tags[accounts.SnoozedByTag] != origin+" until "+untilTag {
		t.Errorf("after the press, %s carries %v", web, tags)
	}
	out, err := w.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(snoozelink.UsedKey(linkID(t, link)))})
	if err != nil {
		t.Fatal(err)
	}
	var use snoozelink.Use
	if err := json.NewDecoder(out.Body).Decode(&use); err != nil || use.Slack == nil || *use.Slack != (snoozelink.SlackUser{ID: "U012ABCDEF", Username: "alice"}) {
		t.Errorf("the use on record: %+v %v", use, err)
	}

	proxy.Clear()
	resp = invoke(ctx, press)
	if !strings.Contains(resp.Body, "it was used already") || !strings.Contains(resp.Body, `"response_type":"ephemeral"`) {
		t.Errorf("the replayed press answered %d %s", resp.StatusCode, resp.Body)
	}
	if n := proxy.Count(w.account("staging").ID, "", "") + proxy.Count("", "sts", ""); n != 0 {
		t.Errorf("the replayed press made %d calls to staging: %v", n, proxy.Calls())
	}

	proxy.Clear()
	forged := snoozelink.PressRequest(body, strconv.FormatInt(ts, 10), snoozelink.SlackSign([]byte("another-apps-signing-secret-000"), ts, body))
	if resp := invoke(ctx, forged); resp.StatusCode != http.StatusUnauthorized || len(proxy.Calls()) != 0 {
		t.Errorf("a forged press answered %d after %d AWS calls", resp.StatusCode, len(proxy.Calls()))
	}

	h := fleet.Handler{Kind: history.Shutdown, Map: w.m, Now: func() time.Time { return stopAt }, Logger: slog.New(slog.DiscardHandler),
		Connect: fleet.AssumeRoles(w.config("home"), w.m.ExternalID)}
	rep, err := h.Run(ctx, fleet.Payload{Trigger: fleet.Schedule, Accounts: []string{"staging"}, Regions: []string{west}})
	if err != nil || rep.Failed() {
		t.Fatalf("the night's stop: %v %+v", err, rep)
	}
	for _, res := range rep.Results {
		for _, r := range res.Resources {
			if r.ID == web && (r.Action != fleet.Skipped || r.Reason != "kept up by the "+origin+" until "+untilTag) {
				t.Errorf("the night's stop did %+v to %s, want it kept up by the press", r, web)
			}
		}
	}
}

// With headsUp.slackSigningSecret naming a parameter that does not exist, the link
// function does not start, and says which parameter to create.
func TestLinkFunctionNeedsItsSlackSecret(t *testing.T) {
	w := newWorldOf(t, slackMapYAML)
	creds, err := w.config("home").Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f := lambdatest.Start(t, "snooze-link", w.m, map[string]string{
		"AWS_ENDPOINT_URL": w.s.URL, "AWS_REGION": west, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": creds.SessionToken, "CURFEW_BUCKET": w.bucket,
	})
	if _, err := f.Invoke(t.Context(), request("GET", "t=x", "")); err == nil {
		t.Fatal("the function served a page without its Slack signing secret")
	}
	if out := f.Output(); !strings.Contains(out, "the Slack signing secret parameter "+slackParameter+" does not exist") {
		t.Errorf("the function's output does not name the parameter:\n%s", out)
	}
}
