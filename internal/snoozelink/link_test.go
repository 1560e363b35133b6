package snoozelink_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/snoozelink"
)

// linkFunction runs the built curfew-snooze-link under the Runtime Interface Emulator with
// the home account's credentials, its clock at 19:35 in Madrid on the test's night,
// reaching moto through a proxy that records every call it makes.
func (w *world) linkFunction() (invoker, *faultproxy.Proxy) {
	w.t.Helper()
	proxy := faultproxy.For(w.t, w.s.URL)
	creds, err := w.config("home").Credentials.Retrieve(w.t.Context())
	if err != nil {
		w.t.Fatal(err)
	}
	f, err := lambdarun.Start(w.t.Context(), lambdarun.Options{Name: "snooze-link", Map: w.m, Dir: w.t.TempDir(), At: followed, Env: map[string]string{
		"AWS_ENDPOINT_URL": proxy.URL, "AWS_REGION": west,
		"AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": creds.SessionToken,
		"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_FUNCTION_TIMEOUT": "60", "CURFEW_BUCKET": w.bucket,
	}})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(f.Close)
	invoke := func(_ context.Context, r events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
		w.t.Helper()
		raw, err := f.Invoke(w.t.Context(), r)
		if err != nil {
			w.t.Fatalf("invoke: %v\n%s", err, f.Output())
		}
		return decodeResponse(w.t, raw)
	}
	// The cold start (the key read from SSM) happens on the first request: a bare one.
	checkPage(w.t, "GET without a token", invoke(w.t.Context(), request("GET", "", "")), http.StatusBadRequest, "it carries no token")
	proxy.Clear()
	return invoke, proxy
}

// checkPage checks what every answer carries: the security headers, a plain page, no SDK text.
func checkPage(t *testing.T, what string, resp events.LambdaFunctionURLResponse, status int, says ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d\n%s", what, resp.StatusCode, status, resp.Body)
	}
	for k, v := range map[string]string{
		"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
	} {
		if resp.Headers[k] != v {
			t.Errorf("%s: header %s = %q, want %q", what, k, resp.Headers[k], v)
		}
	}
	for _, s := range says {
		if !strings.Contains(resp.Body, s) {
			t.Errorf("%s: the page does not say %q:\n%s", what, s, resp.Body)
		}
	}
	causetest.NoSDKText(t, what, resp.Body)
}

// Issue 30, items 3 and 5: a link issued by the heads-up's Issuer into moto is opened
// (GET: the page lists what it keeps up, nothing is tagged), applied (POST: the EC2
// instance and the RDS instance of a member account are tagged through its
// CurfewSnoozeLink role; one resource gone since is said on the page), replayed (refused,
// no call to the account), and the night's stop then leaves both running, kept up by the
// heads-up link of 19:30, and stops the rest.
func TestLinkKeepsItUpTonight(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	staging := w.ec2("staging")
	web, other := emulator.RunInstance(t, staging), emulator.RunInstance(t, staging)
	dbARN := w.db("staging", "app-db")
	const gone = "i-0000000000000dead"
	link := w.issue(w.link("staging",
		snoozelink.Target{Type: history.EC2Instance, Region: west, ID: web},
		snoozelink.Target{Type: history.RDSInstance, Region: west, ID: "app-db"},
		snoozelink.Target{Type: history.EC2Instance, Region: west, ID: gone}))
	invoke, proxy := w.linkFunction()

	page := invoke(ctx, get(t, link))
	checkPage(t, "GET", page, http.StatusOK, "Keep it up tonight?", "Wednesday 25 Nov 2026 20:00 CET", "staging ("+w.account("staging").ID+")",
		"EC2 instance "+web+" in eu-west-1", "RDS instance app-db in eu-west-1", `<form method="post">`, "Thursday 26 Nov 2026 07:30 CET")
	if _, tags := emulator.InstanceState(t, staging, web); tags[accounts.SnoozeUntilTag] != "" || tags[accounts.SnoozedByTag] != "" {
		t.Errorf("GET tagged %s: %v", web, tags)
	}
	if n := proxy.Count("", "ec2", "CreateTags") + proxy.Count("", "rds", "AddTagsToResource"); n != 0 {
		t.Errorf("GET made %d tag writes", n)
	}

	page = invoke(ctx, post(t, link))
	checkPage(t, "POST", page, http.StatusOK, "Partly kept up tonight", "EC2 instance "+web+" in eu-west-1: kept up",
		"RDS instance app-db in eu-west-1: kept up", "EC2 instance "+gone+" in eu-west-1: gone, nothing to keep up", "Next: for what was not kept up, run `curfew snooze staging RESOURCE --tonight` for each")
	wantBy := "heads-up link of 19:30 until " + untilTag
	if _, tags := emulator.InstanceState(t, staging, web); tags[accounts.SnoozeUntilTag] != untilTag || tags[accounts.SnoozedByTag] != wantBy {
		t.Errorf("after POST, %s carries %v", web, tags)
	}
	if tags := w.dbTags("staging", dbARN); tags[accounts.SnoozeUntilTag] != untilTag || tags[accounts.SnoozedByTag] != wantBy {
		t.Errorf("after POST, app-db carries %v", tags)
	}
	if _, tags := emulator.InstanceState(t, staging, other); len(tags) != 0 {
		t.Errorf("POST tagged %s, which the link does not name: %v", other, tags)
	}
	roles := map[string]bool{}
	for _, c := range proxy.Calls() {
		if c.Action == "AssumeRole" {
			roles[c.Params.Get("RoleArn")+" "+c.Params.Get("ExternalId")] = true
		}
	}
	if want := w.account("staging").RoleARN(accounts.SnoozeLinkRole) + " " + w.m.ExternalID; len(roles) != 1 || !roles[want] {
		t.Errorf("the function assumed %v, want only %s", roles, want)
	}
	if _, err := w.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(snoozelink.UsedKey(linkID(t, link)))}); err != nil {
		t.Errorf("the use is not recorded: %v", err)
	}

	proxy.Clear()
	page = invoke(ctx, post(t, link))
	checkPage(t, "replayed POST", page, http.StatusConflict, "it was used already")
	if n := proxy.Count(w.account("staging").ID, "", "") + proxy.Count("", "sts", ""); n != 0 {
		t.Errorf("the replay made %d calls to staging: %v", n, proxy.Calls())
	}

	h := fleet.Handler{Kind: history.Shutdown, Map: w.m, Now: func() time.Time { return stopAt }, Logger: slog.New(slog.DiscardHandler),
		Connect: fleet.AssumeRoles(w.config("home"), w.m.ExternalID)}
	rep, err := h.Run(ctx, fleet.Payload{Trigger: fleet.Schedule, Accounts: []string{"staging"}, Regions: []string{west}})
	if err != nil || rep.Failed() {
		t.Fatalf("the night's stop: %v %+v", err, rep)
	}
	night := map[string]fleet.Resource{}
	for _, res := range rep.Results {
		for _, r := range res.Resources {
			night[r.ID] = r
		}
	}
	for _, id := range []string{web, "app-db"} {
		if r := night[id]; r.Action != fleet.Skipped || r.Reason != "kept up by the heads-up link of 19:30 until "+untilTag {
			t.Errorf("the night's stop did %+v to %s, want it kept up by the link", r, id)
		}
	}
	if r := night[other]; r.Action != fleet.Stopped {
		t.Errorf("the night's stop did %+v to %s, want it stopped", r, other)
	}
}

// linkID reads the id out of a link's token: its claims are signed, not secret.
func linkID(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	part, _, _ := strings.Cut(u.Query().Get("t"), ".")
	body, err := base64.RawURLEncoding.DecodeString(part)
	var c snoozelink.Claims
	if err == nil {
		err = json.Unmarshal(body, &c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
