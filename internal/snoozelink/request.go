package snoozelink

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/curfew/curfew/internal/accounts"
)

// Caps on what a request may carry: a token is about 300 characters.
const (
	maxQuery = 2048
	maxBody  = 4096
)

// nextCLI is the way around the link for a person with credentials.
const nextCLI = "run `curfew snooze ACCOUNT RESOURCE --tonight`, or ask the account's owner"

// cliFor is nextCLI for the account a link names.
func cliFor(a accounts.Account) string {
	return "run `curfew snooze " + a.Name + " RESOURCE --tonight` for each, or ask the account's owner"
}

// tokenOf reads the token of a GET (query t) or a POST (form field t), within the caps.
func tokenOf(req events.LambdaFunctionURLRequest) (string, *refusal) {
	method := req.RequestContext.HTTP.Method
	switch method {
	case http.MethodGet:
		if len(req.RawQueryString) > maxQuery {
			return "", &refusal{http.StatusRequestURITooLong, "The link was not read", "it is far longer than a heads-up's link", "open the link from the heads-up again, unchanged"}
		}
		q, err := url.ParseQuery(req.RawQueryString)
		if err != nil || q.Get("t") == "" {
			return "", &refusal{http.StatusBadRequest, "The link was not read", "it carries no token", "open the link from the heads-up again, unchanged, or " + nextCLI}
		}
		return q.Get("t"), nil
	case http.MethodPost:
		return formToken(req)
	}
	return "", &refusal{http.StatusMethodNotAllowed, "The request was not served", "this address answers GET and POST only", "open the link from the heads-up in a browser"}
}

func formToken(req events.LambdaFunctionURLRequest) (string, *refusal) {
	tooLarge := &refusal{http.StatusRequestEntityTooLarge, "The form was not read", "it is far larger than the page's", "open the link from the heads-up again and press its button"}
	body := req.Body
	if len(body) > maxBody*2 {
		return "", tooLarge
	}
	if req.IsBase64Encoded {
		raw, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return "", &refusal{http.StatusBadRequest, "The form was not read", "its body is not base64 as declared", "open the link from the heads-up again and press its button"}
		}
		body = string(raw)
	}
	if len(body) > maxBody {
		return "", tooLarge
	}
	if ct := header(req, "content-type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return "", &refusal{http.StatusUnsupportedMediaType, "The form was not read", "it is not the page's form", "open the link from the heads-up again and press its button"}
	}
	form, err := url.ParseQuery(body)
	if err != nil || form.Get("t") == "" {
		return "", &refusal{http.StatusBadRequest, "The form was not read", "it carries no token", "open the link from the heads-up again and press its button"}
	}
	return form.Get("t"), nil
}

// header is the request's header name, whatever its case.
func header(req events.LambdaFunctionURLRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
