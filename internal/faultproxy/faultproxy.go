// Package faultproxy is a reverse proxy for tests that sits in front of the AWS emulator,
// counts every call by account, region, service and action, and injects faults into
// chosen calls: AWS error codes (throttling, access denied, ...), HTTP 500s, connection
// resets and slow answers. It learns the account behind each access key by watching the
// sts:AssumeRole calls that pass through it, so faults can target one account.
package faultproxy

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultAccount is the account of requests signed with keys the proxy has not seen
// returned by AssumeRole (moto's default account).
const DefaultAccount = "123456789012"

// Kind is what a fault does.
type Kind int

// The kinds of fault.
const (
	// Error answers with an AWS error: Code, and Status (default 400).
	Error Kind = iota + 1
	// Reset closes the connection without an answer.
	Reset
	// Delay waits for Delay, then forwards the request.
	Delay
	// Rewrite forwards the request and passes the emulator's answer through Rewrite, to
	// give an answer as AWS documents it where the emulator falls short (a field it does
	// not update, a status it never takes, an event it does not record).
	Rewrite
	// Answer answers Body with HTTP 200 without asking the emulator: an API the emulator
	// lacks, answered in the shape AWS documents (the test says where).
	Answer
	// Handle answers with what Respond returns, without asking the emulator: an API the
	// emulator lacks whose answer depends on the call (EKSNodegroupTags).
	Handle
)

// Rule injects a fault into the calls it matches. Empty match fields match anything.
type Rule struct {
	Account string // account id
	Region  string
	Service string // signing name: ec2, rds, sts, ce, s3, ...
	Action  string // e.g. StopInstances, GetCostForecast
	// Match, when set, must also return true for the call (e.g. to pick instance ids).
	Match func(Call) bool

	Kind   Kind
	Code   string // Error: the AWS error code, e.g. RequestLimitExceeded
	Status int    // Error: HTTP status, default 400
	Delay  time.Duration
	// Rewrite: returns the body to answer instead of the emulator's body.
	Rewrite func(c Call, body []byte) []byte
	// Answer: the JSON body to answer.
	Body string
	// Handle: the HTTP status and JSON body to answer.
	Respond func(Call) (int, string)
	// Times is how many matching calls get the fault; 0 means every one.
	Times int

	hits int
}

// Call is one request seen by the proxy.
type Call struct {
	Account, Region, Service, Action string
	// Path is the request's URL path: the operation of REST APIs (Lambda, ...), which
	// carry no action name.
	Path string
	// Params are the form parameters of query-protocol calls (EC2, RDS, STS).
	Params url.Values
	// Method, Query and Body are those of the request, for REST APIs (EKS, ...).
	Method string
	Query  url.Values
	Body   []byte
	// Fault is the kind of fault injected, 0 for none.
	Fault Kind
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	// URL is the endpoint to point SDK clients at.
	URL string

	server   *httptest.Server
	upstream *url.URL

	mu       sync.Mutex
	rules    []*Rule
	calls    []Call
	accounts map[string]string // access key id -> account id
}

// New starts a proxy in front of upstream (the emulator's URL). Close stops it.
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %w", upstream, err)
	}
	p := &Proxy{upstream: u, accounts: map[string]string{}}
	p.server = httptest.NewServer(http.HandlerFunc(p.serve))
	// Keep "localhost" in the URL: moto resolves some URLs only on localhost.
	p.URL = strings.Replace(p.server.URL, "127.0.0.1", "localhost", 1)
	return p, nil
}

// For starts a proxy in front of upstream for the test t, and stops it when t ends: the
// setup every test of a fault wrote out.
func For(t testing.TB, upstream string) *Proxy {
	t.Helper()
	p, err := New(upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// Close stops the proxy.
func (p *Proxy) Close() { p.server.Close() }

// Add installs rules; the first matching rule with hits left applies to a call.
func (p *Proxy) Add(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range rules {
		r := rules[i]
		p.rules = append(p.rules, &r)
	}
}

// Clear removes every rule and forgets the calls seen; learned accounts are kept.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules, p.calls = nil, nil
}

// Calls returns the calls seen so far.
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Count returns how many calls matched the given fields ("" matches anything).
func (p *Proxy) Count(account, service, action string) int {
	n := 0
	for _, c := range p.Calls() {
		if (account == "" || c.Account == account) && (service == "" || c.Service == service) && (action == "" || c.Action == action) {
			n++
		}
	}
	return n
}

var credentialPattern = regexp.MustCompile(`Credential=([^/]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := Call{Path: r.URL.Path, Params: url.Values{}, Method: r.Method, Query: r.URL.Query(), Body: body}
	var accessKey string
	if m := credentialPattern.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		accessKey, call.Region, call.Service = m[1], m[2], m[3]
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		call.Params, _ = url.ParseQuery(string(body))
		call.Action = call.Params.Get("Action")
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		_, call.Action, _ = strings.Cut(target, ".")
	}

	p.mu.Lock()
	call.Account = p.accounts[accessKey]
	if call.Account == "" {
		call.Account = DefaultAccount
	}
	rule := p.match(call)
	if rule != nil {
		call.Fault = rule.Kind
	}
	p.calls = append(p.calls, call)
	p.mu.Unlock()

	if rule != nil {
		switch rule.Kind {
		case Error:
			writeError(w, call, rule.Code, rule.Status)
			return
		case Reset:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case Answer:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, rule.Body)
			return
		case Handle:
			status, body := rule.Respond(call)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		case Delay:
			select {
			case <-time.After(rule.Delay):
			case <-r.Context().Done():
				return
			}
		}
	}
	var rewrite func(Call, []byte) []byte
	if rule != nil && rule.Kind == Rewrite {
		rewrite = rule.Rewrite
	}
	p.forward(w, r, call, rewrite)
}

// match returns the first rule that applies to c and counts the hit. Callers hold p.mu.
func (p *Proxy) match(c Call) *Rule {
	for _, r := range p.rules {
		if (r.Account != "" && r.Account != c.Account) || (r.Region != "" && r.Region != c.Region) ||
			(r.Service != "" && r.Service != c.Service) || (r.Action != "" && r.Action != c.Action) {
			continue
		}
		if r.Match != nil && !r.Match(c) {
			continue
		}
		if r.Times > 0 && r.hits >= r.Times {
			continue
		}
		r.hits++
		return r
	}
	return nil
}

// forward sends the request on, learns the account of credentials that AssumeRole
// returns, and rewrites the answer's body when rewrite is set.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, call Call, rewrite func(Call, []byte) []byte) {
	rp := httputil.NewSingleHostReverseProxy(p.upstream)
	if rewrite != nil {
		rp.ModifyResponse = func(resp *http.Response) error {
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			data = rewrite(call, data)
			resp.Body = io.NopCloser(bytes.NewReader(data))
			resp.ContentLength = int64(len(data))
			resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
			return nil
		}
	}
	if call.Service == "sts" && call.Action == "AssumeRole" {
		account := accountOfARN(call.Params.Get("RoleArn"))
		rp.ModifyResponse = func(resp *http.Response) error {
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(data))
			var out struct {
				AccessKeyID string `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
			}
			if xml.Unmarshal(data, &out) == nil && out.AccessKeyID != "" && account != "" {
				p.mu.Lock()
				p.accounts[out.AccessKeyID] = account
				p.mu.Unlock()
			}
			return nil
		}
	}
	rp.ServeHTTP(w, r)
}

func accountOfARN(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// writeError answers in the error shape of the call's protocol.
func writeError(w http.ResponseWriter, c Call, code string, status int) {
	if status == 0 {
		status = http.StatusBadRequest
	}
	if code == "" {
		code = "InternalFailure"
	}
	msg := "injected by faultproxy"
	switch {
	case c.Service == "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fault</RequestID></Response>`, code, msg)
	case len(c.Params) > 0: // other query-protocol services: RDS, STS, IAM, SNS, ...
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fault</RequestId></ErrorResponse>`, code, msg)
	case c.Service == "s3":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
	default: // JSON protocols: Cost Explorer, Lambda, ...
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Errortype", code)
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
	}
}
