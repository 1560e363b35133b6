package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/report"
)

// dailyCost is what each account of the demo costs a day, in USD: Cost Explorer answers
// moto gives back once queued.
var dailyCost = map[string]float64{"identity": 3.10, "staging": 41.70, "sandbox": 12.40, "production": 96.20}

// coverage is the share of each account's usage that Savings Plans and Reserved
// Instances covered, in percent: what the coverage APIs answer in the demo.
var coverage = map[string][2]float64{"identity": {0, 0}, "staging": {30, 20}, "sandbox": {20, 10}, "production": {50, 40}}

// costReport queues Cost Explorer answers for every account, subscribes a local endpoint
// to the deployed topic, invokes curfew-cost-report under the RIE at the instant the cost
// report schedule last fired, after the month of nights, and writes the HTML report it
// stored in the deployed bucket to Options.Report. moto lacks GetCostForecast and the
// coverage APIs: a fault proxy in front of it answers them as the API reference
// documents them (faultproxy.CostForecast, SavingsPlansCoverage, ReservationCoverage).
func (d *Demo) costReport(ctx context.Context, w io.Writer) error {
	at := d.month.reportAt
	p := cost.PeriodsAt(at)
	proxy, err := faultproxy.New(d.moto.URL)
	if err != nil {
		return err
	}
	defer proxy.Close()
	for _, a := range d.m.Accounts {
		if err := d.queueCosts(ctx, a, p, dailyCost[a.Name]); err != nil {
			return fmt.Errorf("queue Cost Explorer answers for %s: %w", a.Name, err)
		}
		proxy.Add(faultproxy.CostForecast(a.ID, dailyCost[a.Name]*float64(p.Forecast.Days())),
			faultproxy.SavingsPlansCoverage(a.ID, coverage[a.Name][0]), faultproxy.ReservationCoverage(a.ID, coverage[a.Name][1]))
	}
	fmt.Fprintf(w, "queued Cost Explorer answers (POST /moto-api/static/ce/cost-and-usage-results) for %d accounts, %s to %s; "+
		"moto lacks the forecast and coverage APIs: a proxy answers them as documented\n",
		len(d.m.Accounts), p.Daily().Start.Format(time.DateOnly), p.Today.Format(time.DateOnly))

	f, env, err := d.startFunction(ctx, w, accounts.CostReportFunction, "cost-report", at, proxy.URL)
	if err != nil {
		return err
	}
	defer f.Close()
	home, err := d.moto.AccountConfig(ctx, d.m.HomeAccount().ID, d.m.HomeRegion)
	if err != nil {
		return err
	}
	// A local endpoint stands for each address the template subscribes to the report's
	// topic, with the template's filter: the recipients get the whole report, an owner
	// their own.
	addresses, err := d.topicSubscriptions()
	if err != nil {
		return err
	}
	inboxes := map[string]*inbox{}
	for _, a := range addresses {
		in, stop, err := subscribe(ctx, sns.NewFromConfig(home), env["CURFEW_TOPIC_ARN"], a.filter)
		if err != nil {
			return err
		}
		defer stop()
		inboxes[a.endpoint] = in
	}
	recipient := d.m.CostReport.Recipients[0]
	inbox := inboxes[recipient]
	if inbox == nil {
		return fmt.Errorf("%w: the template subscribes no %s to the report's topic", ErrCheck, recipient)
	}

	answer, err := f.Invoke(ctx, `{"trigger":"manual"}`)
	if err != nil {
		return fmt.Errorf("invoke %s: %w\n%s", accounts.CostReportFunction, err, f.Output())
	}
	var res report.Result
	if err := json.Unmarshal(answer, &res); err != nil {
		return fmt.Errorf("decode the answer %s: %w", answer, err)
	}
	if res.Key == "" || len(res.Failed) > 0 {
		return fmt.Errorf("%w: the cost report answered %s\n%s", ErrCheck, answer, f.Output())
	}
	obj, err := emulator.S3(home).GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(env["CURFEW_BUCKET"]), Key: aws.String(res.Key),
	})
	if err != nil {
		return fmt.Errorf("read the stored report s3://%s/%s: %w", env["CURFEW_BUCKET"], res.Key, err)
	}
	page, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(d.opts.Report), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(d.opts.Report, page, 0o644); err != nil {
		return err
	}
	summary, err := inbox.wait(ctx, 10*time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d Cost Explorer requests answered; summary published to %s:\n\n%s\n\n", res.Requests, env["CURFEW_TOPIC_ARN"], strings.TrimRight(summary, "\n"))
	fmt.Fprintf(w, "HTML report stored at s3://%s/%s and written to %s\n", env["CURFEW_BUCKET"], res.Key, d.opts.Report)
	if err := d.showOwners(ctx, w, res, addresses, inboxes); err != nil {
		return err
	}
	d.summary.saved = res.Saved
	return nil
}

// queueCosts queues the daily and by-service answers of one account costing perDay a day
// (less at weekends outside production: nobody starts what the night stopped).
func (d *Demo) queueCosts(ctx context.Context, a accounts.Account, p cost.Periods, perDay float64) error {
	name := cost.MetricOf(d.m.CostReport).Name // the metric the report reads
	metric := func(v float64) map[string]any {
		return map[string]any{name: map[string]any{"Amount": fmt.Sprintf("%.2f", v), "Unit": "USD"}}
	}
	var days []map[string]any
	var monthToDate float64
	for day := p.Daily().Start; day.Before(p.Today); day = day.AddDate(0, 0, 1) {
		v := perDay
		if wd := day.Weekday(); !a.IsProduction() && (wd == time.Saturday || wd == time.Sunday) {
			v *= 0.6
		}
		if !day.Before(p.MonthToDate.Start) && day.Before(p.MonthToDate.End) {
			monthToDate += v
		}
		days = append(days, map[string]any{
			"TimePeriod": map[string]any{"Start": day.Format(time.DateOnly), "End": day.AddDate(0, 0, 1).Format(time.DateOnly)},
			"Total":      metric(v)})
	}
	services := []map[string]any{{
		"TimePeriod": map[string]any{"Start": p.MonthToDate.Start.Format(time.DateOnly), "End": p.MonthToDate.End.Format(time.DateOnly)},
		"Total":      map[string]any{},
		"Groups": []map[string]any{
			{"Keys": []string{"Amazon Elastic Compute Cloud - Compute"}, "Metrics": metric(monthToDate * 0.6)},
			{"Keys": []string{"Amazon Relational Database Service"}, "Metrics": metric(monthToDate * 0.3)},
			{"Keys": []string{"Amazon Simple Storage Service"}, "Metrics": metric(monthToDate * 0.1)},
		}}}
	return d.moto.QueueCostAndUsage(ctx, a.ID, map[string]any{"ResultsByTime": days}, map[string]any{"ResultsByTime": services})
}

// inbox receives the notifications moto delivers to an HTTP subscription.
type inbox struct {
	mu       sync.Mutex
	messages []string
	arrived  chan struct{}
}

func (in *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var n struct{ Type, Message string }
	if json.NewDecoder(r.Body).Decode(&n) == nil && n.Type == "Notification" {
		in.mu.Lock()
		in.messages = append(in.messages, n.Message)
		in.mu.Unlock()
		select {
		case in.arrived <- struct{}{}:
		default:
		}
	}
	w.WriteHeader(http.StatusOK)
}

// wait returns the first message delivered.
func (in *inbox) wait(ctx context.Context, limit time.Duration) (string, error) {
	deadline := time.After(limit)
	for {
		in.mu.Lock()
		if len(in.messages) > 0 {
			defer in.mu.Unlock()
			return in.messages[0], nil
		}
		in.mu.Unlock()
		select {
		case <-in.arrived:
		case <-deadline:
			return "", fmt.Errorf("%w: no summary was delivered to the topic's subscription within %s", ErrCheck, limit)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// subscribe serves a local HTTP endpoint and subscribes it to topic with a filter policy
// ("" for none), so the demo sees the summaries the cost report publishes (the deployed
// subscriptions are email addresses); the func it returns unsubscribes it and stops it.
func subscribe(ctx context.Context, c *sns.Client, topic, filter string) (*inbox, func(), error) {
	in := &inbox{arrived: make(chan struct{}, 1)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	var attributes map[string]string
	if filter != "" {
		attributes = map[string]string{"FilterPolicy": filter}
	}
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String("http://" + l.Addr().String() + "/"),
		Attributes: attributes, ReturnSubscriptionArn: true,
	})
	if err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	// Unsubscribed when done: moto delivers to every subscription as it publishes, and
	// answers the publisher 500 when an endpoint is gone.
	return in, func() {
		_, _ = c.Unsubscribe(context.Background(), &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn})
		srv.Close()
	}, nil
}

// subscription is an email subscription of the report's topic in the service template.
type subscription struct {
	endpoint string
	// filter is its filter policy as JSON; empty for none.
	filter string
}

// topicSubscriptions returns the email subscriptions of the report's topic (the topic
// named "curfew") as the synthesised service template has them.
func (d *Demo) topicSubscriptions() ([]subscription, error) {
	var out []subscription
	for _, s := range d.stacks {
		topics := map[string]bool{}
		for id, r := range s.Resources {
			var t struct{ DisplayName string }
			if r.Type == "AWS::SNS::Topic" && json.Unmarshal(r.Properties, &t) == nil && t.DisplayName == "curfew" {
				topics[id] = true
			}
		}
		for _, id := range slices.Sorted(maps.Keys(s.Resources)) {
			r := s.Resources[id]
			var sub struct {
				Protocol, Endpoint string
				TopicArn           struct{ Ref string }
				FilterPolicy       json.RawMessage
			}
			if r.Type != "AWS::SNS::Subscription" || json.Unmarshal(r.Properties, &sub) != nil || sub.Protocol != "email" || !topics[sub.TopicArn.Ref] {
				continue
			}
			out = append(out, subscription{endpoint: sub.Endpoint, filter: string(sub.FilterPolicy)})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the synthesised templates subscribe no address to the report's topic", ErrCheck)
	}
	return out, nil
}

// showOwners says in a line each who got which report: the recipients the whole, each
// owner by email their own accounts' (through the topic's filter), with the owner's
// budget and unusual-spend lines.
func (d *Demo) showOwners(ctx context.Context, w io.Writer, res report.Result, addresses []subscription, inboxes map[string]*inbox) error {
	if len(res.Owners) == 0 {
		return nil
	}
	for _, a := range addresses {
		got, err := inboxes[a.endpoint].wait(ctx, 10*time.Second)
		if err != nil {
			return fmt.Errorf("%s: %w", a.endpoint, err)
		}
		i := slices.IndexFunc(res.Owners, func(o report.OwnerReport) bool { return o.Owner == a.endpoint })
		if i < 0 {
			fmt.Fprintf(w, "%s (costReport.recipients) got the whole report: %d accounts\n", a.endpoint, len(d.m.Accounts))
			continue
		}
		o := res.Owners[i]
		fmt.Fprintf(w, "%s (owner) got the report of %s alone, page s3://…/%s:\n", a.endpoint, strings.Join(o.Accounts, ", "), path.Base(o.Key))
		for _, line := range strings.Split(got, "\n") {
			if strings.HasPrefix(line, "Budget of ") || strings.HasPrefix(line, "Unusual spend") {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
	}
	return nil
}
