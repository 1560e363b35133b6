package snoozelink

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// securityHeaders go with every answer: nothing cached or framed, no referrer leaking the
// token, no script, forms posting back here only.
var securityHeaders = map[string]string{
	"Content-Type":            "text/html; charset=utf-8",
	"Cache-Control":           "no-store",
	"Referrer-Policy":         "no-referrer",
	"X-Frame-Options":         "DENY",
	"X-Content-Type-Options":  "nosniff",
	"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}

// page is what a person reads: a title, one line per fact or problem, and, on the
// confirmation page, the button that posts the token back.
type page struct {
	Title string
	Lines []string
	Items []string
	// Next, after the items, is what to do about them.
	Next  string
	Token string
	// Button is the button's label; no form without it.
	Button string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>curfew: {{.Title}}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}button{font-size:1.1em;padding:.4em 1em}</style>
</head><body><h1>{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{if .Items}}<ul>
{{range .Items}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{if .Next}}<p>{{.Next}}</p>
{{end}}{{if .Button}}<form method="post"><input type="hidden" name="t" value="{{.Token}}"><button type="submit">{{.Button}}</button></form>
{{end}}</body></html>
`))

// respond renders p with status.
func respond(status int, p page) events.LambdaFunctionURLResponse {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		status, b = http.StatusInternalServerError, *bytes.NewBufferString("curfew: the page could not be written\n")
	}
	headers := make(map[string]string, len(securityHeaders)+1)
	for k, v := range securityHeaders {
		headers[k] = v
	}
	return events.LambdaFunctionURLResponse{StatusCode: status, Headers: headers, Body: b.String()}
}

// refusal is a request the function refuses: what failed, why, and the next step.
type refusal struct {
	status          int
	what, why, next string
}

func (r refusal) response() events.LambdaFunctionURLResponse { return r.answer().response() }

func (r refusal) answer() answer {
	return answer{r.status, page{Title: "Nothing was changed", Lines: []string{r.what + ": " + r.why + ".", "Next: " + r.next + "."}}}
}

// answer is what the function says to a request, before it is written as a page (or as
// Slack's message, for a button pressed in Slack).
type answer struct {
	status int
	page   page
}

func (a answer) response() events.LambdaFunctionURLResponse { return respond(a.status, a.page) }
