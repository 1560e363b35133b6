package snoozelink

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/snooze"
)

// tagValue is what every tag value may hold (EC2's and RDS's common ground).
var tagValue = regexp.MustCompile(`^[\p{L}\p{N} _.:/=+\-@]*$`)

// slackSecret is the test Slack app's signing secret.
var slackSecret = []byte("8f742231b10e8888abcd99yyyzzz85a5")

// SlackSign is Slack's signature of body at ts, computed here as Slack documents it.
func SlackSign(secret []byte, ts int64, body string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":" + body))
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// PressBody is the form Slack posts when user presses the button carrying token.
func PressBody(token, userID, username string) string {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions",
		"user": map[string]string{"id": userID, "username": username, "name": username, "team_id": "T0001"},
		"actions": []map[string]any{{"type": "button", "action_id": SlackActionPrefix + "0", "block_id": "links-0", "value": token,
			"text": map[string]string{"type": "plain_text", "text": "Keep all 1 resource of staging up"}}},
		"response_url": "https://hooks.slack.com/actions/T0001/1/xyz",
	})
	return url.Values{"payload": {string(payload)}}.Encode()
}

// PressRequest is Slack's request as a function URL passes it on: the form
// base64-encoded, the signature headers as given (none when empty).
func PressRequest(body, ts, sig string) events.LambdaFunctionURLRequest {
	headers := map[string]string{"content-type": "application/x-www-form-urlencoded", "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
	if ts != "" {
		headers["x-slack-request-timestamp"] = ts
	}
	if sig != "" {
		headers["x-slack-signature"] = sig
	}
	return events.LambdaFunctionURLRequest{RawPath: SlackPath, Body: base64.StdEncoding.EncodeToString([]byte(body)), IsBase64Encoded: true, Headers: headers,
		RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: SlackPath, SourceIP: "203.0.113.9"}}}
}

// countingS3 counts the calls to the bucket.
type countingS3 struct {
	S3API
	mu    sync.Mutex
	calls int
}

func (c *countingS3) count() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
}

func (c *countingS3) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	c.count()
	return c.S3API.PutObject(ctx, in, o...)
}

func (c *countingS3) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	c.count()
	return c.S3API.GetObject(ctx, in, o...)
}

func (c *countingS3) HeadObject(ctx context.Context, in *s3.HeadObjectInput, o ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	c.count()
	return c.S3API.HeadObject(ctx, in, o...)
}

// tagCapture records the tags written, beside tagRecorder's count.
type tagCapture struct {
	*tagRecorder
	tags map[string]string
}

func (c *tagCapture) CreateTags(ctx context.Context, in *ec2.CreateTagsInput, o ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	for _, t := range in.Tags {
		c.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return c.tagRecorder.CreateTags(ctx, in, o...)
}

// slackHandler is the fixture's handler with the Slack secret, counting its calls to the
// bucket and to the account.
func (fx fixture) slackHandler() (*Handler, *countingS3, *tagCapture, *int) {
	h, rec := fx.handler()
	bucket := &countingS3{S3API: h.Store.Client}
	h.Store.Client, h.SlackSecret = bucket, slackSecret
	capture := &tagCapture{tagRecorder: rec, tags: map[string]string{}}
	connects := 0
	h.Connect = func(accounts.Account, string) snooze.Clients {
		connects++
		return snooze.Clients{EC2: capture, RDS: rec}
	}
	return h, bucket, capture, &connects
}

type slackAnswerBody struct {
	ResponseType    string `json:"response_type"`
	ReplaceOriginal bool   `json:"replace_original"`
	Text            string `json:"text"`
}

func decodeSlack(t *testing.T, resp events.LambdaFunctionURLResponse) slackAnswerBody {
	t.Helper()
	var a slackAnswerBody
	if resp.Headers["Content-Type"] != "application/json" || json.Unmarshal([]byte(resp.Body), &a) != nil || a.Text == "" {
		t.Fatalf("answer to Slack is not its JSON message: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	if resp.Headers["Cache-Control"] != "no-store" {
		t.Errorf("answer to Slack without the security headers: %v", resp.Headers)
	}
	return a
}

// Issue 30, item 4: a press whose signature or timestamp does not check out is refused,
// with Slack's one line, before any AWS call (not even the bucket) and without reading the
// token: forged with another secret, the body altered after signing (another token,
// another user), a stale timestamp, one in the future, a timestamp changed after signing,
// either header missing, a signature of another version or not hex, and a GET.
func TestSlackSignatureAttacks(t *testing.T) {
	fx := newFixture(t)
	now := fx.now.Unix()
	body := PressBody(fx.valid, "U012ABCDEF", "alice")
	ts := strconv.FormatInt(now, 10)
	good := SlackSign(slackSecret, now, body)
	mallory := PressBody(fx.valid, "U0MALLORY1", "mallory")
	for _, tc := range []struct {
		name string
		req  events.LambdaFunctionURLRequest
		says string
	}{
		{"forged with another secret", PressRequest(body, ts, SlackSign([]byte("not-the-apps-signing-secret-xx"), now, body)), "does not match"},
		{"body altered: another user", PressRequest(mallory, ts, good), "does not match"},
		{"body altered: a byte more", PressRequest(body+"&x=1", ts, good), "does not match"},
		{"stale: 6 minutes old", PressRequest(body, strconv.FormatInt(now-360, 10), SlackSign(slackSecret, now-360, body)), "more than five minutes"},
		{"stale: a day old", PressRequest(body, strconv.FormatInt(now-86400, 10), SlackSign(slackSecret, now-86400, body)), "more than five minutes"},
		{"future: 6 minutes ahead", PressRequest(body, strconv.FormatInt(now+360, 10), SlackSign(slackSecret, now+360, body)), "more than five minutes"},
		{"timestamp changed after signing", PressRequest(body, strconv.FormatInt(now-1, 10), good), "does not match"},
		{"timestamp not a number", PressRequest(body, "yesterday", good), "more than five minutes"},
		{"no signature", PressRequest(body, ts, ""), "does not match"},
		{"no timestamp", PressRequest(body, "", good), "does not match"},
		{"signature of another version", PressRequest(body, ts, "v1="+strings.TrimPrefix(good, "v0=")), "does not match"},
		{"signature not hex", PressRequest(body, ts, "v0=zz"+good[5:]), "does not match"},
		{"signature cut short", PressRequest(body, ts, good[:len(good)-2]), "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, bucket, capture, connects := fx.slackHandler()
			resp, err := h.Handle(t.Context(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			a := decodeSlack(t, resp)
			if resp.StatusCode != http.StatusUnauthorized || a.ResponseType != "ephemeral" || !strings.Contains(a.Text, tc.says) || !strings.Contains(a.Text, "Next: ") {
				t.Errorf("answer %d %+v, want 401 saying %q", resp.StatusCode, a, tc.says)
			}
			if bucket.calls != 0 || *connects != 0 || capture.writes != 0 {
				t.Errorf("a refused press made %d bucket calls, %d connections, %d tag writes", bucket.calls, *connects, capture.writes)
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		h, bucket, _, _ := fx.slackHandler()
		req := PressRequest(body, ts, good)
		req.RequestContext.HTTP.Method = http.MethodGet
		resp, _ := h.Handle(t.Context(), req)
		if decodeSlack(t, resp); resp.StatusCode != http.StatusMethodNotAllowed || bucket.calls != 0 {
			t.Errorf("GET to %s answered %d after %d bucket calls", SlackPath, resp.StatusCode, bucket.calls)
		}
	})
	t.Run("no Slack app configured", func(t *testing.T) {
		h, bucket, _, _ := fx.slackHandler()
		h.SlackSecret = nil
		resp, _ := h.Handle(t.Context(), PressRequest(body, ts, good))
		if a := decodeSlack(t, resp); !strings.Contains(a.Text, "takes no presses from Slack") || bucket.calls != 0 {
			t.Errorf("without a secret: %d %+v after %d bucket calls", resp.StatusCode, a, bucket.calls)
		}
	})
}

// Issue 30, item 4: a press signed by Slack within five minutes applies its button's
// token as the page's POST does: the resource tagged with the Slack user in the origin,
// the use recorded with the user; the channel is told who kept what up, and the original
// message (other accounts' buttons) stays. The same action pressed again, or the same
// signed request replayed, changes nothing; so does a signed press of a forged token, or of
// a payload that is not a heads-up button's.
func TestSlackPressAppliesTheLinkOnce(t *testing.T) {
	fx := newFixture(t)
	h, bucket, capture, _ := fx.slackHandler()
	now := fx.now.Unix() - 200 // Slack's clock a little behind
	body := PressBody(fx.valid, "U012ABCDEF", "alice.o'neil")
	req := PressRequest(body, strconv.FormatInt(now, 10), SlackSign(slackSecret, now, body))
	resp, err := h.Handle(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	a := decodeSlack(t, resp)
	if resp.StatusCode != http.StatusOK || a.ResponseType != "in_channel" || a.ReplaceOriginal ||
		!strings.Contains(a.Text, "*Kept up tonight*, pressed by <@U012ABCDEF>") || !strings.Contains(a.Text, "EC2 instance i-0123456789abcdef0 in eu-west-1: kept up") {
		t.Errorf("answer %d %+v", resp.StatusCode, a)
	}
	const origin = "heads-up link of 19:30 pressed by @alice.oneil in Slack"
	wantBy := origin + " until " + capture.tags[accounts.SnoozeUntilTag]
	if capture.writes != 1 || capture.tags[accounts.SnoozedByTag] != wantBy || capture.tags[accounts.SnoozeUntilTag] == "" {
		t.Errorf("%d tag writes, tags %v, want %s = %q", capture.writes, capture.tags, accounts.SnoozedByTag, wantBy)
	}
	if !tagValue.MatchString(capture.tags[accounts.SnoozedByTag]) || len(capture.tags[accounts.SnoozedByTag]) > 256 {
		t.Errorf("%s = %q is not a value every tag may hold", accounts.SnoozedByTag, capture.tags[accounts.SnoozedByTag])
	}
	c, err := Verify(fx.key, fx.valid, fx.now)
	if err != nil {
		t.Fatal(err)
	}
	out, err := bucket.GetObject(t.Context(), &s3.GetObjectInput{Key: aws.String(UsedKey(c.ID))})
	if err != nil {
		t.Fatal(err)
	}
	var use Use
	if err := json.NewDecoder(out.Body).Decode(&use); err != nil {
		t.Fatal(err)
	}
	if use.Slack == nil || *use.Slack != (SlackUser{ID: "U012ABCDEF", Username: "alice.oneil"}) || use.SourceIP != "203.0.113.9" || len(use.Outcomes) != 1 {
		t.Errorf("the use on record: %+v (Slack %+v)", use, use.Slack)
	}

	again := PressBody(fx.valid, "U0BOBBOB01", "bob")
	later := fx.now.Unix()
	for name, r := range map[string]events.LambdaFunctionURLRequest{
		"the same action pressed again": PressRequest(again, strconv.FormatInt(later, 10), SlackSign(slackSecret, later, again)),
		"the signed request replayed":   req,
	} {
		resp, _ := h.Handle(t.Context(), r)
		if a := decodeSlack(t, resp); a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "it was used already") {
			t.Errorf("%s: %d %+v", name, resp.StatusCode, a)
		}
	}
	if capture.writes != 1 {
		t.Errorf("presses after the use wrote tags: %d writes", capture.writes)
	}

	fresh, _, capture, connects := fx.slackHandler()
	forged := PressBody(fx.valid[:len(fx.valid)-2]+"AA", "U012ABCDEF", "alice")
	notOurs := strings.Replace(PressBody(fx.valid, "U012ABCDEF", "alice"), SlackActionPrefix, "approve-", 1)
	noUser := PressBody(fx.valid, "", "alice")
	for name, tc := range map[string]struct{ body, says string }{
		"forged token":         {forged, "its signature does not match"},
		"another app's button": {notOurs, "not a heads-up button's"},
		"no user":              {noUser, "names no Slack user"},
		"no payload":           {"token=x", "not a heads-up button's"},
	} {
		ts := fx.now.Unix()
		resp, _ := fresh.Handle(t.Context(), PressRequest(tc.body, strconv.FormatInt(ts, 10), SlackSign(slackSecret, ts, tc.body)))
		if a := decodeSlack(t, resp); a.ResponseType != "ephemeral" || !strings.Contains(a.Text, tc.says) {
			t.Errorf("%s: %d %+v, want it to say %q", name, resp.StatusCode, a, tc.says)
		}
	}
	if capture.writes != 0 || *connects != 0 {
		t.Errorf("refused presses made %d connections, %d tag writes", *connects, capture.writes)
	}
}

// SlackOrigin keeps to the characters every tag value may hold, whatever Slack's name.
func TestSlackOrigin(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Madrid")
	sent := time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		user SlackUser
		want string
	}{
		{SlackUser{ID: "U012ABCDEF", Username: "alice"}, "heads-up link of 19:30 pressed by @alice in Slack"},
		{SlackUser{ID: "U012ABCDEF"}, "heads-up link of 19:30 pressed by @U012ABCDEF in Slack"},
	} {
		if got := SlackOrigin(sent, loc, tc.user); got != tc.want || !tagValue.MatchString(got) {
			t.Errorf("SlackOrigin(%+v) = %q, want %q", tc.user, got, tc.want)
		}
	}
	_, u, _, bad := pressed([]byte(PressBody("t", "W0ABCDEF12", "<script>&"+strings.Repeat("x", 80)+"ä")))
	if want := "script" + strings.Repeat("x", 34); bad != nil || u.Username != want {
		t.Errorf("a hostile name became %q (%v)", u.Username, bad)
	}
}

// slackReplies is Slack's response_url endpoint: a TLS server the reply client reaches for
// hooks.slack.com, keeping what it was posted.
type slackReplies struct {
	mu     sync.Mutex
	paths  []string
	bodies []string
}

func (s *slackReplies) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.paths, s.bodies = append(s.paths, r.URL.Path), append(s.bodies, string(body))
	s.mu.Unlock()
}

// replyClient reaches server for every request to hooks.slack.com, and nowhere else.
func replyClient(server *httptest.Server) (*http.Client, *int) {
	c := server.Client()
	tr := c.Transport.(*http.Transport).Clone()
	elsewhere := 0
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != slackReplyHost+":443" {
			elsewhere++
			return nil, fmt.Errorf("dial %s: only hooks.slack.com is reachable here", addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, server.Listener.Addr().String())
	}
	tr.TLSClientConfig.ServerName = "example.com"
	c.Transport = tr
	return c, &elsewhere
}

// Slack shows the answer to a press of a button of blocks when it is posted to the
// press's response_url (not the HTTP answer's body): the function posts the same message
// there, to Slack's own host only; a response_url naming another host is never called.
func TestSlackReplyGoesToTheResponseURL(t *testing.T) {
	fx := newFixture(t)
	replies := &slackReplies{}
	server := httptest.NewTLSServer(replies)
	defer server.Close()
	h, _, capture, _ := fx.slackHandler()
	client, elsewhere := replyClient(server)
	h.SlackReply = client
	now := fx.now.Unix()
	body := PressBody(fx.valid, "U012ABCDEF", "alice")
	resp, err := h.Handle(t.Context(), PressRequest(body, strconv.FormatInt(now, 10), SlackSign(slackSecret, now, body)))
	if err != nil {
		t.Fatal(err)
	}
	if capture.writes != 1 || len(replies.bodies) != 1 || replies.paths[0] != "/actions/T0001/1/xyz" || replies.bodies[0] != resp.Body ||
		!strings.Contains(replies.bodies[0], "Kept up tonight") {
		t.Fatalf("tag writes %d; replies posted %q to %q; want the answer %s posted once to /actions/T0001/1/xyz", capture.writes, replies.bodies, replies.paths, resp.Body)
	}
	// A second press is refused, and the presser is told where Slack shows it.
	again := PressBody(fx.valid, "U012ABCDEF", "alice")
	if _, err := h.Handle(t.Context(), PressRequest(again, strconv.FormatInt(now, 10), SlackSign(slackSecret, now, again))); err != nil {
		t.Fatal(err)
	}
	if len(replies.bodies) != 2 || !strings.Contains(replies.bodies[1], "it was used already") {
		t.Errorf("the refused press's reply: %q", replies.bodies)
	}
	// A signed press whose response_url names another host: nothing posted anywhere.
	other := strings.Replace(PressBody(fx.valid, "U012ABCDEF", "alice"), url.QueryEscape("https://hooks.slack.com/"), url.QueryEscape("https://attacker.example/"), 1)
	if !strings.Contains(other, "attacker.example") {
		t.Fatal("the test's press names no other host")
	}
	if _, err := h.Handle(t.Context(), PressRequest(other, strconv.FormatInt(now, 10), SlackSign(slackSecret, now, other))); err != nil {
		t.Fatal(err)
	}
	if len(replies.bodies) != 2 || *elsewhere != 0 {
		t.Errorf("a response_url of another host: %d replies, %d dials elsewhere; want none", len(replies.bodies)-2, *elsewhere)
	}
}
