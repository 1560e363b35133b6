package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snoozelink"
)

// Part 6's owners: each account has one of headsUpEmails email owners and one of
// headsUpTeams Slack owners, in turn, so that an email owner hears of 5 accounts and a
// team of 50 at 500 accounts.
const (
	headsUpEmails = 100
	headsUpTeams  = 10
)

// headsUpRun is what part 6 measured of one heads-up.
type headsUpRun struct {
	wall, plan, cpu time.Duration
	summary         headsup.Summary
	owners          int // owners the map names with an account of the run
	perOwner        map[string]int
	largestEmail    int
	largestSlack    int
}

// runHeadsUp runs the heads-up of the stop of every account of an organisation of
// nAccounts × 4 regions × 20 resources: the plan is the engine's dry run over part 5's
// fake, the links are signed and stored in memory, the messages counted.
func runHeadsUp(ctx context.Context, nAccounts int, latency bool) (headsUpRun, error) {
	s := orgShape
	s.Accounts = nAccounts
	fake := newFakeAWS(0, fakeRate, fakeBurst)
	if latency {
		fake.draw = newLognormal(orgLatencyP50, orgLatencyP99, orgSeed).draw
	}
	m, err := generate(fake, s)
	if err != nil {
		return headsUpRun{}, err
	}
	if m, err = withOwners(m); err != nil {
		return headsUpRun{}, err
	}
	base := aws.Config{
		Region:       m.HomeRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(fakeAccessKeyPrefix+"800000000000", "fake", ""),
		BaseEndpoint: aws.String("https://aws.fake"),
		HTTPClient:   &http.Client{Transport: fake},
	}
	planner := &timedPlanner{h: fleet.Handler{Kind: history.Shutdown, Map: m, Connect: fleet.AssumeRoles(base, m.ExternalID), Logger: discardLogger()}}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return headsUpRun{}, err
	}
	issuer, err := benchIssuer(key, &memoryS3{objects: map[string][]byte{}}, "curfew-bench-history", "https://links.curfew.example/")
	if err != nil {
		return headsUpRun{}, err
	}
	sender := &countingSender{sent: map[string]int{}}
	h := headsup.Handler{Map: m, Planner: planner, Issuer: issuer, Sender: sender, Logger: discardLogger()}
	var names []string
	for _, a := range m.Swept() {
		names = append(names, a.Name)
	}
	// The stop schedule's input: every account of the sweep.
	input, err := json.Marshal(fleet.Payload{Trigger: fleet.Schedule, Accounts: names})
	if err != nil {
		return headsUpRun{}, err
	}
	var run headsUpRun
	start := time.Now()
	_, cpu, err := measure(func() error {
		var err error
		run.summary, err = h.Handle(ctx, input)
		return err
	})
	run.wall, run.cpu, run.plan = time.Since(start), cpu, planner.took
	if err != nil {
		return headsUpRun{}, err
	}
	if len(run.summary.Failures) > 0 {
		return headsUpRun{}, fmt.Errorf("the heads-up failed: %d failures, the first: %s", len(run.summary.Failures), run.summary.Failures[0])
	}
	run.owners = min(nAccounts, headsUpEmails) + min(nAccounts, headsUpTeams)
	run.perOwner, run.largestEmail, run.largestSlack = sender.sent, sender.email, sender.slack
	return run, nil
}

// withOwners gives each swept account of m an email owner and a team's Slack webhook, in
// turn, and validates the map again.
func withOwners(m *accounts.Map) (*accounts.Map, error) {
	swept := 0
	for i := range m.Accounts {
		if !m.Accounts[i].ShutdownEnabled() {
			continue
		}
		m.Accounts[i].Owners = &accounts.Owners{
			Emails: []string{fmt.Sprintf("owner-%03d@example.com", swept%headsUpEmails)},
			Slack:  []string{fmt.Sprintf("/curfew/owners/team-%02d", swept%headsUpTeams)},
		}
		swept++
	}
	data, err := m.Encode()
	if err != nil {
		return nil, err
	}
	return accounts.Parse(data)
}

// timedPlanner plans in this process, as the shutdown function answers the heads-up's
// invocation: the engine's dry run; it keeps how long the plan took.
type timedPlanner struct {
	h    fleet.Handler
	took time.Duration
}

func (p *timedPlanner) Plan(ctx context.Context, pl fleet.Payload) (fleet.Report, error) {
	start := time.Now()
	rep, err := p.h.Run(ctx, pl)
	p.took += time.Since(start)
	if err == nil && rep.Failed() {
		err = fmt.Errorf("the plan failed: %+v", rep.Totals)
	}
	return rep, err
}

// countingSender counts the messages per owner and keeps the largest of each channel.
type countingSender struct {
	mu           sync.Mutex
	sent         map[string]int
	email, slack int
}

func (c *countingSender) Send(_ context.Context, m headsup.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[m.Owner.String()]++
	if m.Owner.Email != "" {
		c.email = max(c.email, len(m.Text))
	} else {
		c.slack = max(c.slack, len(m.Slack))
	}
	return nil
}

// memoryS3 is the history bucket of part 6, in memory: what the links' store calls.
type memoryS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (s *memoryS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	if _, ok := s.objects[key]; ok && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, errors.New("PreconditionFailed")
	}
	s.objects[key] = body
	return &s3.PutObjectOutput{}, nil
}

func (s *memoryS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, errors.New("NoSuchKey")
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(body))}, nil
}

func (s *memoryS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]; !ok {
		return nil, errors.New("NotFound")
	}
	return &s3.HeadObjectOutput{}, nil
}

// benchIssuer is the links' issuer of part 6 over the in-memory bucket: the link
// function's own.
func benchIssuer(key []byte, store *memoryS3, bucket, baseURL string) (snoozelink.Issuer, error) {
	return snoozelink.NewIssuer(key, store, bucket, baseURL)
}

// partHeadsUp is part 6: the heads-up before the stop of an organisation of nAccounts × 4
// regions × 20 resources, in one invocation.
func partHeadsUp(ctx context.Context, t *table, nAccounts int) ([]string, error) {
	run, err := runHeadsUp(ctx, nAccounts, true)
	if err != nil {
		return nil, err
	}
	lo, hi := 0, 0
	for _, n := range run.perOwner {
		if lo == 0 || n < lo {
			lo = n
		}
		hi = max(hi, n)
	}
	one := len(run.perOwner) == run.owners && lo == 1 && hi == 1 && run.summary.Messages == run.owners
	size := fmt.Sprintf("%d × %d regions × %d", nAccounts, orgShape.Regions, orgShape.resources())
	t.row("6", fmt.Sprintf("heads-up %s: wall time", size),
		fmt.Sprintf("%.1f s (plan %.1f s); CPU %.1f s; %d would stop, %d links", run.wall.Seconds(), run.plan.Seconds(), run.cpu.Seconds(),
			run.summary.Resources, run.summary.Links),
		"< 60 s", yes(run.wall < time.Minute))
	t.row("6", "heads-up: messages per owner",
		fmt.Sprintf("%d owners, %d messages: %d to %d each; largest email %.0f KB, Slack %.0f KB", run.owners, run.summary.Messages, lo, hi,
			float64(run.largestEmail)/1024, float64(run.largestSlack)/1024),
		"exactly 1 per owner", yes(one))
	return []string{
		fmt.Sprintf("part 6: the heads-up (headsup.Handler) of the stop schedule's input naming all %d accounts, in one invocation: the plan is the engine's dry run "+
			"over part 5's fake and latency (in this process: the function invokes the shutdown's dry run, a Lambda invocation of its own), then the links "+
			"(one per account: each has more than %d resources a link keeps up), signed with HMAC-SHA256 and stored in an in-memory bucket, and the messages, "+
			"counted by a sender that sends nothing. Each account has one of %d email owners and one of %d Slack teams, in turn; CPU is the process's across the run.",
			nAccounts, headsup.MaxResourceLinks, headsUpEmails, headsUpTeams),
	}, nil
}
