// Package reporttest is the cost report's world in moto, shared by the report handler's
// tests and the cost-report function's: the account map, each account's Cost Explorer
// answers, the home account's bucket, topic and Slack parameter, the run history, and
// what the recipients' mailboxes and Slack receive.
package reporttest

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/notify/notifytest"
)

// Region is the home region of the world's map.
const Region = "eu-west-1"

// SlackParameter is the parameter of the report's Slack webhook.
const SlackParameter = "/curfew/slack-webhook"

// Account is a non-production account of the map besides identity, in Region with
// PowerUserAccess: its name and Extra, further fields of its YAML flow mapping
// (", owners: {...}").
type Account struct{ Name, Extra string }

// Map is the report tests' account map, with fresh account ids: identity (production,
// the home account) and the accounts given (staging when none), its report sent on days
// ("MON" when empty) to platform@example.com.
func Map(t testing.TB, days string, more ...Account) *accounts.Map {
	t.Helper()
	if days == "" {
		days = "MON"
	}
	if len(more) == 0 {
		more = []Account{{Name: "staging"}}
	}
	var b strings.Builder
	b.WriteString(costtest.MapHead("", days))
	for _, a := range more {
		fmt.Fprintf(&b, "  - {name: %s, id: %q, environment: non-production, regions: [%s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]%s}\n",
			a.Name, emulator.NewAccountID(), Region, a.Extra)
	}
	m, err := accounts.Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ID is the id of the map's account name.
func ID(t testing.TB, m *accounts.Map, name string) string {
	t.Helper()
	a, ok := m.Account(name)
	if !ok {
		t.Fatalf("no account %s in the map", name)
	}
	return a.ID
}

// Home is the map's home account in moto, reached through a real AssumeRole, and its
// clients.
type Home struct {
	Config aws.Config
	S3     *s3.Client // path style
	SNS    *sns.Client
	SSM    *ssm.Client
}

// NewHome reaches the map's home account through s, which may be a proxy in front of moto.
func NewHome(t testing.TB, s *emulator.Server, m *accounts.Map) Home {
	t.Helper()
	cfg := s.Account(t, m.HomeAccount().ID, m.HomeRegion)
	return Home{Config: cfg, S3: emulator.S3(cfg), SNS: sns.NewFromConfig(cfg), SSM: ssm.NewFromConfig(cfg)}
}

// NightStore creates the bucket in the home account and stores one Night in it, with
// changes: the run history the report reads.
func (h Home) NightStore(t testing.TB, bucket string, changes ...history.Change) history.Store {
	t.Helper()
	emulator.Bucket(t, h.S3, bucket)
	store := history.Store{Client: h.S3, Bucket: bucket}
	Night(t, store, changes...)
	return store
}

// QueueCosts queues in moto (s) the Costs of the map's accounts named in perDay, each
// costing its figure a day over p.
func QueueCosts(t testing.TB, s *emulator.Server, m *accounts.Map, p cost.Periods, perDay map[string]float64) {
	t.Helper()
	for name, v := range perDay {
		s.QueueCosts(t, ID(t, m, name), Costs(p, v)...)
	}
}

// Costs are the daily and by-service answers of one account costing perDay a day in the
// default metric, from the start of the daily range to today: 70% EC2, 30% S3.
func Costs(p cost.Periods, perDay float64) []map[string]any {
	metric := func(v float64) map[string]any {
		return map[string]any{"AmortizedCost": map[string]any{"Amount": fmt.Sprint(v), "Unit": "USD"}} // the default metric
	}
	var days []map[string]any
	for d := p.Daily().Start; d.Before(p.Today); d = d.AddDate(0, 0, 1) {
		days = append(days, map[string]any{
			"TimePeriod": map[string]any{"Start": d.Format(time.DateOnly), "End": d.AddDate(0, 0, 1).Format(time.DateOnly)},
			"Total":      metric(perDay)})
	}
	mtd := perDay * float64(p.MonthToDate.Days())
	services := []map[string]any{{
		"TimePeriod": map[string]any{"Start": p.MonthToDate.Start.Format(time.DateOnly), "End": p.MonthToDate.End.Format(time.DateOnly)},
		"Total":      map[string]any{},
		"Groups": []map[string]any{
			{"Keys": []string{"Amazon Elastic Compute Cloud - Compute"}, "Metrics": metric(mtd * 0.7)},
			{"Keys": []string{"Amazon Simple Storage Service"}, "Metrics": metric(mtd * 0.3)},
		}}}
	return []map[string]any{{"ResultsByTime": days}, {"ResultsByTime": services}}
}

// Night stores one night in the run history: a shutdown (s1) on 25 Nov 2026 at 19:00 UTC
// and the restart (r1) at 06:00 the next morning, each changing what changes says, at its
// own time.
func Night(t testing.TB, store history.Store, changes ...history.Change) {
	t.Helper()
	stop, start := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	at := func(when time.Time) []history.Change {
		out := make([]history.Change, len(changes))
		for i, c := range changes {
			c.At = when
			out[i] = c
		}
		return out
	}
	for _, r := range []history.Run{
		{ID: "s1", Kind: history.Shutdown, Started: stop, Changes: at(stop)},
		{ID: "r1", Kind: history.Restart, Started: start, Changes: at(start)},
	} {
		if err := store.Put(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// Instance is staging's m5.large i-1 in Region, as a change of the run history.
var Instance = history.Change{Account: "staging", Region: Region, Type: history.EC2Instance, ID: "i-1", Size: "m5.large"}

// Topic creates the report's topic, curfew-cost-report, in snsc's account.
func Topic(t testing.TB, snsc *sns.Client) *sns.CreateTopicOutput {
	t.Helper()
	topic, err := snsc.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("curfew-cost-report")})
	if err != nil {
		t.Fatal(err)
	}
	return topic
}

// EmailTopic creates the report's topic with an HTTP subscriber that stands for the
// recipients' mailboxes, and returns the topic and what it receives.
func EmailTopic(t testing.TB, snsc *sns.Client) (*sns.CreateTopicOutput, *notifytest.Received) {
	t.Helper()
	topic := Topic(t, snsc)
	return topic, notifytest.Subscribe(t, snsc, topic.TopicArn, "")
}

// SlackWebhook puts a Slack webhook URL into SlackParameter in ssmc's account and returns
// a TLS server standing for Slack (reach it with notifytest.SlackClient) and what it
// receives.
func SlackWebhook(t testing.TB, ssmc *ssm.Client) (*notifytest.Received, *httptest.Server) {
	t.Helper()
	return notifytest.SlackWebhook(t, ssmc, SlackParameter, "https://hooks.slack.com/services/T0/B0/secret")
}
