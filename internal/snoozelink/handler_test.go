package snoozelink

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func fixtureRequest(method, query, body, contentType, source string) events.LambdaFunctionURLRequest {
	return events.LambdaFunctionURLRequest{RawQueryString: query, Body: body,
		Headers:        map[string]string{"Content-Type": contentType},
		RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, SourceIP: source}}}
}

// The handler's answers, in process: the valid POST tags once and a replay is refused;
// other methods, oversized and foreign bodies are refused with a plain page; after
// PerSourceLimit requests in a minute a source gets 429, while another source does not.
func TestHandlerAnswers(t *testing.T) {
	fx := newFixture(t)
	h, rec := fx.handler()
	form := "t=" + fx.valid
	tests := []struct {
		name   string
		req    events.LambdaFunctionURLRequest
		status int
		says   string
		writes int
	}{
		{"GET shows", fixtureRequest("GET", form, "", "", "192.0.2.1"), http.StatusOK, "Keep it up tonight?", 0},
		{"PUT", fixtureRequest("PUT", form, form, "", "192.0.2.1"), http.StatusMethodNotAllowed, "this address answers GET and POST only", 0},
		{"oversized body", fixtureRequest("POST", "", form+"&x="+strings.Repeat("a", maxBody), "", "192.0.2.1"), http.StatusRequestEntityTooLarge, "far larger than the page's", 0},
		{"oversized query", fixtureRequest("GET", form+"&x="+strings.Repeat("a", maxQuery), "", "", "192.0.2.1"), http.StatusRequestURITooLong, "far longer than a heads-up's link", 0},
		{"JSON body", fixtureRequest("POST", "", `{"t":"`+fx.valid+`"}`, "application/json", "192.0.2.1"), http.StatusUnsupportedMediaType, "it is not the page's form", 0},
		{"token in the query of a POST", fixtureRequest("POST", form, "", "", "192.0.2.1"), http.StatusBadRequest, "it carries no token", 0},
		{"POST applies", fixtureRequest("POST", "", form, "application/x-www-form-urlencoded", "192.0.2.1"), http.StatusOK, "kept up", 1},
		{"replay", fixtureRequest("POST", "", form, "application/x-www-form-urlencoded", "192.0.2.1"), http.StatusConflict, "it was used already", 1},
		{"GET after use", fixtureRequest("GET", form, "", "", "192.0.2.1"), http.StatusConflict, "it was used already", 1},
	}
	for _, tc := range tests {
		resp, err := h.Handle(t.Context(), tc.req)
		if err != nil || resp.StatusCode != tc.status || !strings.Contains(html.UnescapeString(resp.Body), tc.says) || rec.writes != tc.writes {
			t.Errorf("%s: %d, %v, %d tag writes; want %d saying %q, %d writes\n%s", tc.name, resp.StatusCode, err, rec.writes, tc.status, tc.says, tc.writes, resp.Body)
		}
	}
	for i := len(tests); i < PerSourceLimit; i++ {
		h.Handle(t.Context(), fixtureRequest("GET", "", "", "", "192.0.2.1"))
	}
	if resp, _ := h.Handle(t.Context(), fixtureRequest("GET", form, "", "", "192.0.2.1")); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(resp.Body, "wait a minute") {
		t.Errorf("request %d of a source in a minute: %d\n%s", PerSourceLimit+1, resp.StatusCode, resp.Body)
	}
	if resp, _ := h.Handle(t.Context(), fixtureRequest("GET", form, "", "", "192.0.2.2")); resp.StatusCode == http.StatusTooManyRequests {
		t.Error("another source was limited too")
	}
}

// unlisted answers HeadObject with 403 whatever the key, as S3 answers a role that may not
// list the bucket (for a missing object) or read the record.
type unlisted struct{ *memS3 }

func (unlisted) HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	return nil, s3Status(http.StatusForbidden)
}

// The link function's role may not list the history bucket, so S3 answers 403 for the
// record of a link not used yet: the page still shows, the POST applies, and a second
// POST is refused by the claim of the first, written once (If-None-Match), before any tag.
func TestOneUseWithoutListingTheBucket(t *testing.T) {
	fx := newFixture(t)
	h, rec := fx.handler()
	h.Store.Client = unlisted{h.Store.Client.(*memS3)}
	form := "t=" + fx.valid
	for _, step := range []struct {
		name   string
		req    events.LambdaFunctionURLRequest
		status int
		writes int
	}{
		{"GET", fixtureRequest("GET", form, "", "", "192.0.2.1"), http.StatusOK, 0},
		{"POST", fixtureRequest("POST", "", form, "", "192.0.2.1"), http.StatusOK, 1},
		{"POST again", fixtureRequest("POST", "", form, "", "192.0.2.1"), http.StatusConflict, 1},
	} {
		if resp, _ := h.Handle(t.Context(), step.req); resp.StatusCode != step.status || rec.writes != step.writes {
			t.Errorf("%s: %d, %d tag writes; want %d, %d\n%s", step.name, resp.StatusCode, rec.writes, step.status, step.writes, resp.Body)
		}
	}
}
