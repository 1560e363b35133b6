package snoozelink

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// The heads-up's buttons in Slack (issue 30, item 4): when the map names the Slack app's
// signing secret, each link of a Slack message is also a button whose value is the link's
// token. Pressing it makes Slack post an interaction to the link function's SlackPath,
// signed with that secret; the function checks the signature and its age before anything
// else, then applies the token exactly as the page's POST does, recording who pressed it.
const (
	// SlackPath is where Slack posts the presses: the Slack app's interactivity Request URL
	// is the link function's URL with this path.
	SlackPath = "/slack"
	// SlackActionPrefix starts the action_id of every button the heads-up sends.
	SlackActionPrefix = "keep-"
	// SlackMaxAge is how far a press's timestamp may be from now, either way (Slack's
	// advice): an older signed request replayed is refused.
	SlackMaxAge = 5 * time.Minute
	// maxSlackBody caps a press's body: Slack sends the whole message back with it.
	maxSlackBody = 512 << 10
)

// SlackUser is who pressed a button in Slack, as Slack says and the signature vouches.
type SlackUser struct {
	ID       string `json:"id"`
	Username string `json:"username,omitempty"`
}

// The refusals of a press's signature.
var (
	ErrSlackUnsigned = errors.New("no Slack signature or timestamp")
	ErrSlackStale    = errors.New("the Slack timestamp is too far from now")
	ErrSlackForged   = errors.New("the Slack signature does not match")
)

// VerifySlack checks Slack's signature of a request: signature is "v0=" and the hex of
// HMAC-SHA256(secret, "v0:" + timestamp + ":" + body), compared in constant time, and
// timestamp (Unix seconds) is within SlackMaxAge of now.
func VerifySlack(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return ErrSlackUnsigned
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not a Unix time", ErrSlackStale, timestamp)
	}
	if d := now.Unix() - ts; d > int64(SlackMaxAge/time.Second) || d < -int64(SlackMaxAge/time.Second) {
		return fmt.Errorf("%w: %ds", ErrSlackStale, d)
	}
	got, err := hex.DecodeString(strings.TrimPrefix(signature, "v0="))
	if err != nil || !strings.HasPrefix(signature, "v0=") {
		return ErrSlackForged
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return ErrSlackForged
	}
	return nil
}

// LoadSlackSecret reads the Slack app's signing secret from the SecureString parameter
// name (the map's headsUp.slackSigningSecret).
func LoadSlackSecret(ctx context.Context, c SSMAPI, name string) ([]byte, error) {
	out, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var missing *ssmtypes.ParameterNotFound
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("the Slack signing secret parameter %s does not exist: create it as a SecureString with the Slack app's signing secret", name)
	case err != nil:
		return nil, fmt.Errorf("read the Slack signing secret %s: %w", name, err)
	case out.Parameter == nil || out.Parameter.Type != ssmtypes.ParameterTypeSecureString:
		return nil, fmt.Errorf("the Slack signing secret parameter %s is not a SecureString: store the secret with --type SecureString", name)
	}
	secret := strings.TrimSpace(aws.ToString(out.Parameter.Value))
	if len(secret) < 16 {
		return nil, fmt.Errorf("the Slack signing secret parameter %s holds no signing secret: copy it from the Slack app's Basic Information page", name)
	}
	return []byte(secret), nil
}

// isSlack says whether a request is a press in Slack: it comes to SlackPath, or carries
// Slack's signature (a Request URL set without the path).
func isSlack(req events.LambdaFunctionURLRequest) bool {
	path := req.RawPath
	if path == "" {
		path = req.RequestContext.HTTP.Path
	}
	return path == SlackPath || header(req, "x-slack-signature") != ""
}

// slack serves a press: the signature and its age first, then the token of the pressed
// button through the same checks and the same apply as the page's POST.
func (h *Handler) slack(r request, req events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	if len(h.SlackSecret) == 0 {
		r.log.Info("request refused", "outcome", "no Slack app")
		return slackRefusal(refusal{http.StatusNotFound, "The button was not applied", "this curfew takes no presses from Slack (the map names no Slack signing secret)", "open the link beside the button instead"})
	}
	if r.method != http.MethodPost {
		return slackRefusal(refusal{http.StatusMethodNotAllowed, "The request was not served", "Slack's presses are POSTs", "set the Slack app's interactivity Request URL to the link function's URL + " + SlackPath})
	}
	body := []byte(req.Body)
	if len(body) > maxSlackBody*2 {
		return slackRefusal(refusal{http.StatusRequestEntityTooLarge, "The button was not applied", "the request is far larger than a press", "open the link beside the button instead"})
	}
	if req.IsBase64Encoded {
		raw, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return slackRefusal(refusal{http.StatusBadRequest, "The button was not applied", "the request's body is not base64 as declared", "open the link beside the button instead"})
		}
		body = raw
	}
	if len(body) > maxSlackBody {
		return slackRefusal(refusal{http.StatusRequestEntityTooLarge, "The button was not applied", "the request is far larger than a press", "open the link beside the button instead"})
	}
	if err := VerifySlack(h.SlackSecret, header(req, "x-slack-request-timestamp"), header(req, "x-slack-signature"), body, r.now); err != nil {
		r.log.Warn("request refused", "outcome", "bad Slack signature", "error", err.Error())
		why := "Slack's signature of it does not match the Slack app's signing secret"
		if errors.Is(err, ErrSlackStale) {
			why = "its Slack timestamp is more than five minutes from now"
		}
		return slackRefusal(refusal{http.StatusUnauthorized, "The button was not applied", why, "press it again, or open the link beside it"})
	}
	token, user, reply, bad := pressed(body)
	if bad != nil {
		r.log.Warn("request refused", "outcome", bad.why)
		return h.replied(r, reply, slackRefusal(*bad))
	}
	r.slack = &user
	r.log = r.log.With("slackUser", user.ID)
	return h.replied(r, reply, slackAnswer(h.serve(r, token), user))
}

// slackReplyHost is the only host a press's response_url may name: Slack's.
const slackReplyHost = "hooks.slack.com"

// replied posts the answer to the press's response_url, where Slack shows the messages
// that answer a button of blocks (it does not show the HTTP answer's body), and returns
// the answer. Only an https URL of Slack's own host, read from a press whose signature
// was checked, is posted to; a failed post is logged, and the snooze stands.
func (h *Handler) replied(r request, reply string, resp events.LambdaFunctionURLResponse) events.LambdaFunctionURLResponse {
	if h.SlackReply == nil || reply == "" {
		return resp
	}
	u, err := url.Parse(reply)
	if err != nil || u.Scheme != "https" || u.Host != slackReplyHost {
		r.log.Warn("Slack reply not posted", "outcome", "response_url not Slack's", "responseURL", reply)
		return resp
	}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, u.String(), strings.NewReader(resp.Body))
	if err != nil {
		return resp
	}
	req.Header.Set("Content-Type", "application/json")
	out, err := h.SlackReply.Do(req)
	if err != nil {
		r.log.Warn("Slack reply not posted", "outcome", "failed", "error", err.Error())
		return resp
	}
	out.Body.Close()
	if out.StatusCode != http.StatusOK {
		r.log.Warn("Slack reply not posted", "outcome", "refused", "status", out.StatusCode)
	}
	return resp
}

// slackPayload is the part of Slack's block_actions payload the function reads.
type slackPayload struct {
	Type string `json:"type"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"actions"`
	ResponseURL string `json:"response_url"`
}

var (
	slackUserID   = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
	slackNameDrop = regexp.MustCompile(`[^A-Za-z0-9_.-]`)
)

// pressed reads the token of the button pressed, who pressed it and where Slack takes the
// answer (response_url, "" when the press has none).
func pressed(body []byte) (string, SlackUser, string, *refusal) {
	bad := &refusal{http.StatusBadRequest, "The button was not applied", "the press is not a heads-up button's", "open the link beside the button instead"}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		return "", SlackUser{}, "", bad
	}
	var p slackPayload
	if err := json.Unmarshal([]byte(form.Get("payload")), &p); err != nil {
		return "", SlackUser{}, "", bad
	}
	if p.Type != "block_actions" || len(p.Actions) != 1 || !strings.HasPrefix(p.Actions[0].ActionID, SlackActionPrefix) || p.Actions[0].Value == "" {
		return "", SlackUser{}, p.ResponseURL, bad
	}
	if !slackUserID.MatchString(p.User.ID) {
		return "", SlackUser{}, p.ResponseURL, &refusal{http.StatusBadRequest, "The button was not applied", "the press names no Slack user", "open the link beside the button instead"}
	}
	name := p.User.Username
	if name == "" {
		name = p.User.Name
	}
	name = slackNameDrop.ReplaceAllString(name, "")
	if len(name) > 40 {
		name = name[:40]
	}
	return p.Actions[0].Value, SlackUser{ID: p.User.ID, Username: name}, p.ResponseURL, nil
}

// SlackOrigin is what curfew:snoozed-by says of a link pressed in Slack by u: "heads-up
// link of 19:30 pressed by @alice in Slack" (the user's id when Slack gave no name); only
// characters every tag value may hold.
func SlackOrigin(sent time.Time, loc *time.Location, u SlackUser) string {
	who := u.Username
	if who == "" {
		who = u.ID
	}
	return Origin(sent, loc) + " pressed by @" + who + " in Slack"
}

// slackMessage is the function's answer to Slack: a message of its own in the channel
// (the heads-up may name other accounts, whose buttons stay), or, for a refusal, one the
// presser alone sees.
type slackMessage struct {
	ResponseType    string `json:"response_type"`
	ReplaceOriginal bool   `json:"replace_original"`
	Text            string `json:"text"`
}

func slackRefusal(r refusal) events.LambdaFunctionURLResponse {
	status := r.status
	if status != http.StatusUnauthorized && status != http.StatusMethodNotAllowed {
		status = http.StatusOK // Slack shows the message of a 200 alone
	}
	return slackResponse(status, slackMessage{ResponseType: "ephemeral", Text: slackEscape(r.what + ": " + r.why + ". Next: " + r.next + ".")})
}

// slackAnswer writes what serve answered as Slack's message: what was kept up, by whom,
// or the refusal's one line.
func slackAnswer(a answer, u SlackUser) events.LambdaFunctionURLResponse {
	p := a.page
	if a.status >= 300 && len(p.Items) == 0 {
		return slackResponse(http.StatusOK, slackMessage{ResponseType: "ephemeral", Text: slackEscape(strings.Join(p.Lines, " "))})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*, pressed by <@%s>: %s", slackEscape(p.Title), u.ID, slackEscape(strings.Join(p.Lines, " ")))
	for _, item := range p.Items {
		b.WriteString("\n• " + slackEscape(item))
	}
	if p.Next != "" {
		b.WriteString("\n" + slackEscape(p.Next))
	}
	return slackResponse(http.StatusOK, slackMessage{ResponseType: "in_channel", Text: b.String()})
}

func slackResponse(status int, m slackMessage) events.LambdaFunctionURLResponse {
	body, _ := json.Marshal(m)
	headers := make(map[string]string, len(securityHeaders))
	for k, v := range securityHeaders {
		headers[k] = v
	}
	headers["Content-Type"] = "application/json"
	return events.LambdaFunctionURLResponse{StatusCode: status, Headers: headers, Body: string(body)}
}

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
