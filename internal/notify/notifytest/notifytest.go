// Package notifytest is what the people curfew tells receive, in tests: an HTTP
// subscription of an SNS topic in moto (standing for a mailbox) and a Slack webhook (a TLS
// server reached under Slack's host name). The cost report's tests and the heads-up's
// share it, as both send through package notify.
package notifytest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/notify"
)

// Received collects what moto delivers to an HTTP subscription of an SNS topic, or what a
// Slack webhook receives.
type Received struct {
	mu     sync.Mutex
	bodies [][]byte
}

// ServeHTTP records the request's body and answers 200.
func (r *Received) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.bodies = append(r.bodies, body)
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// All are the bodies received, a copy.
func (r *Received) All() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// Notifications are the SNS notifications received (not the subscription's
// confirmation), each as its JSON fields: Subject, Message, ...
func (r *Received) Notifications() []map[string]string {
	var notes []map[string]string
	for _, b := range r.All() {
		var n map[string]string
		if json.Unmarshal(b, &n) == nil && n["Type"] == "Notification" {
			notes = append(notes, n)
		}
	}
	return notes
}

// Messages are the subjects and texts of the notifications received.
func (r *Received) Messages() (subjects, texts []string) {
	for _, n := range r.Notifications() {
		subjects, texts = append(subjects, n["Subject"]), append(texts, n["Message"])
	}
	return subjects, texts
}

// SlackPost is a post to a Slack webhook: its text, and its blocks (null for a message of
// text alone).
type SlackPost struct {
	Text   string          `json:"text"`
	Blocks json.RawMessage `json:"blocks"`
}

// SlackPosts are the Slack posts received.
func (r *Received) SlackPosts() []SlackPost {
	var posts []SlackPost
	for _, b := range r.All() {
		var p SlackPost
		_ = json.Unmarshal(b, &p)
		posts = append(posts, p)
	}
	return posts
}

// Subscribe subscribes a new HTTP endpoint to topic, with the filter policy when it is
// not empty, and returns what the endpoint receives.
func Subscribe(t testing.TB, snsc *sns.Client, topicARN *string, filter string) *Received {
	t.Helper()
	in := &Received{}
	endpoint := httptest.NewServer(in)
	t.Cleanup(endpoint.Close)
	sub := &sns.SubscribeInput{TopicArn: topicARN, Protocol: aws.String("http"), Endpoint: aws.String(endpoint.URL)}
	if filter != "" {
		sub.Attributes = map[string]string{"FilterPolicy": filter}
	}
	if _, err := snsc.Subscribe(t.Context(), sub); err != nil {
		t.Fatal(err)
	}
	return in
}

// SlackWebhook puts webhook, a Slack webhook URL, into the SecureString parameter in
// ssmc's account and returns a TLS server standing for Slack (reach it with SlackClient)
// and what it receives.
func SlackWebhook(t testing.TB, ssmc *ssm.Client, parameter, webhook string) (*Received, *httptest.Server) {
	t.Helper()
	slack := &Received{}
	server := httptest.NewTLSServer(slack)
	t.Cleanup(server.Close)
	if _, err := ssmc.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String(parameter),
		Type: ssmtypes.ParameterTypeSecureString, Value: aws.String(webhook)}); err != nil {
		t.Fatal(err)
	}
	return slack, server
}

// SlackClient reaches server under Slack's host name (other hosts as they are), and
// trusts the certificate of httptest's TLS servers, issued for example.com.
func SlackClient(server *httptest.Server) *http.Client {
	c := server.Client()
	tr := c.Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == notify.SlackHost+":443" {
			addr = server.Listener.Addr().String()
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com"
	c.Transport = tr
	return c
}
