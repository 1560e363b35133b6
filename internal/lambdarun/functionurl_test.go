package lambdarun

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// echo answers a function URL event with what it received, as JSON in a text page.
type echo struct {
	got events.LambdaFunctionURLRequest
}

func (e *echo) Invoke(_ context.Context, payload any) (json.RawMessage, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &e.got); err != nil {
		return nil, err
	}
	return json.Marshal(events.LambdaFunctionURLResponse{StatusCode: 201, Headers: map[string]string{"Content-Type": "text/plain", "X-Seen": e.got.RequestContext.HTTP.Method},
		Body: base64.StdEncoding.EncodeToString([]byte("seen " + e.got.RawQueryString)), IsBase64Encoded: true})
}

// A request through the front door reaches the function as a function URL sends it: the
// method, path, query, lower-case headers, the source address, a form's body
// base64-encoded; the function's answer comes back as the HTTP response, decoded.
func TestFunctionURLPassesRequestAndAnswer(t *testing.T) {
	fn := &echo{}
	srv := httptest.NewServer(FunctionURL(fn))
	defer srv.Close()
	resp, err := http.PostForm(srv.URL+"/keep?t=abc.def", url.Values{"t": {"abc.def"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(body) != "seen t=abc.def" || resp.Header.Get("X-Seen") != "POST" {
		t.Errorf("answer %d %q (X-Seen %q), want 201 \"seen t=abc.def\" POST", resp.StatusCode, body, resp.Header.Get("X-Seen"))
	}
	got := fn.got
	form, _ := base64.StdEncoding.DecodeString(got.Body)
	if got.Version != "2.0" || got.RequestContext.HTTP.Method != "POST" || got.RawPath != "/keep" || got.QueryStringParameters["t"] != "abc.def" ||
		!got.IsBase64Encoded || string(form) != "t=abc.def" || got.Headers["content-type"] != "application/x-www-form-urlencoded" ||
		got.RequestContext.HTTP.SourceIP != "127.0.0.1" || !strings.Contains(got.Headers["host"], "127.0.0.1") {
		t.Errorf("event = %+v", got)
	}
}
