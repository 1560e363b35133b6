package lambdarun

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// maxURLBody is the largest request body a function URL passes on (Lambda's own limit of a
// synchronous invocation's payload is 6 MB; a page's form is a few hundred bytes).
const maxURLBody = 1 << 20

// FunctionURL is a Lambda-function-URL-shaped front door for a function under the
// emulator: it turns each HTTP request into the event a function URL sends (payload format
// 2.0, events.LambdaFunctionURLRequest) and the function's answer
// (events.LambdaFunctionURLResponse) back into the HTTP response, so that a browser, curl
// or a test follows a link to a local function as it would follow the function's URL.
// Bodies that are not text reach the function base64-encoded, as Lambda sends them.
func FunctionURL(f Invoker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxURLBody+1))
		if err != nil || len(body) > maxURLBody {
			http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		answer, err := f.Invoke(r.Context(), urlEvent(r, body))
		if err != nil {
			http.Error(w, "Internal Server Error", http.StatusBadGateway)
			return
		}
		var resp events.LambdaFunctionURLResponse
		if err := json.Unmarshal(answer, &resp); err != nil || resp.StatusCode == 0 {
			http.Error(w, "Internal Server Error", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		for _, c := range resp.Cookies {
			w.Header().Add("Set-Cookie", c)
		}
		out := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				http.Error(w, "Internal Server Error", http.StatusBadGateway)
				return
			}
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(out)
	})
}

// urlEvent is the function URL event of r with its body.
func urlEvent(r *http.Request, body []byte) events.LambdaFunctionURLRequest {
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	headers["host"] = r.Host
	var cookies []string
	for _, c := range r.Cookies() {
		cookies = append(cookies, c.String())
	}
	query := map[string]string{}
	for k, v := range r.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	now := time.Now()
	ev := events.LambdaFunctionURLRequest{
		Version:               "2.0",
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    "anonymous",
			RequestID:    newID(),
			APIID:        "local",
			DomainName:   r.Host,
			DomainPrefix: strings.Split(r.Host, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: ip, UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// textual says whether Lambda passes a body of this content type as text; others (a
// form's application/x-www-form-urlencoded among them) arrive base64-encoded.
func textual(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return strings.HasPrefix(t, "text/") || t == "application/json" || t == "application/xml" || t == "application/javascript"
}

// newID is a request id, as Lambda gives each request one.
func newID() string { return rand.Text() }

// ErrNotStarted is Deferred's answer before its function is set.
var ErrNotStarted = errors.New("the function has not started yet")

// Deferred is an Invoker whose function is set after the address that reaches it is
// handed out: the heads-up is given the link function's URL before the link function,
// which reads the key the heads-up creates, can start.
type Deferred struct {
	mu sync.Mutex
	f  Invoker
}

// Set makes f the function that answers from now on.
func (d *Deferred) Set(f Invoker) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.f = f
}

// Invoke invokes the function set, or answers ErrNotStarted.
func (d *Deferred) Invoke(ctx context.Context, payload any) (json.RawMessage, error) {
	d.mu.Lock()
	f := d.f
	d.mu.Unlock()
	if f == nil {
		return nil, ErrNotStarted
	}
	return f.Invoke(ctx, payload)
}
