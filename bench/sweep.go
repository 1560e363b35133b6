package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// shape is a generated fleet: Accounts non-production accounts, each swept in Regions
// regions, each account×region holding EC2 instances, RDS DB instances and Aurora
// clusters (each with one member instance), all running.
type shape struct {
	Accounts, Regions int
	EC2, RDS, Aurora  int
	// SkipEvery: every SkipEvery-th EC2 instance is tagged curfew:skip=true (0 for none).
	SkipEvery int
}

// resources is how many resources one account×region holds (cluster members not counted).
func (s shape) resources() int { return s.EC2 + s.RDS + s.Aurora }

// skipped is how many EC2 instances of one account×region are tagged curfew:skip=true.
func (s shape) skipped() int {
	if s.SkipEvery <= 0 || s.EC2 == 0 {
		return 0
	}
	return (s.EC2-1)/s.SkipEvery + 1
}

// minimumCalls is the fewest AWS calls a shutdown of the fleet can make: per account one
// AssumeRole; per account×region one DescribeInstances page per 1,000 running instances,
// one DescribeDBInstances page per 100 DB instances (cluster members included) and one
// DescribeDBClusters page per 100 clusters (at least one page each, to learn there is
// nothing), one DescribeAutoScalingGroups page and one ECS and one EKS ListClusters page
// (the fleets have no groups, services or node groups); one
// CreateTags (the mark) and one StopInstances per 100 instances to stop; per database
// stopped one AddTagsToResource (the mark: RDS has no batch call) and one Stop call.
func minimumCalls(s shape) int {
	stopEC2 := s.EC2 - s.skipped()
	perRegion := pages(s.EC2, 1000) + pages(s.RDS+s.Aurora, 100) + pages(s.Aurora, 100) + 3*pages(0, 100) +
		2*batches(stopEC2, 100) + 2*(s.RDS+s.Aurora)
	return s.Accounts * (1 + s.Regions*perRegion)
}

// pages is how many describe pages n items take: at least one.
func pages(n, size int) int { return max(1, batches(n, size)) }

// batches is how many batch calls n items take.
func batches(n, size int) int { return (n + size - 1) / size }

// regionNames are the regions a generated fleet is swept in, in order.
var regionNames = []string{"eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "eu-north-1", "ap-southeast-2"}

// benchMap is the account map of a generated fleet: a production home account (never
// swept) and non-production accounts named a1, a2, ... with the given ids.
func benchMap(homeID string, ids []string, regions []string) (*accounts.Map, error) {
	m := accounts.Map{
		Identity: "home", Home: "home", HomeRegion: regions[0], ExternalID: "curfew-bench",
		CI:         accounts.CI{User: "ci", AcceptStaticKeys: true},
		Schedule:   accounts.Schedule{TimeZone: "UTC", Stop: accounts.Cron{At: "20:00", Days: []string{"MON-FRI"}}},
		CostReport: accounts.CostReport{Cron: accounts.Cron{At: "08:00", Days: []string{"MON"}}, Recipients: []string{"ops@example.com"}},
		Accounts: []accounts.Account{{Name: "home", ID: homeID, Environment: accounts.Production, Regions: regions[:1],
			DeveloperPolicies: []string{"ReadOnlyAccess"}, CIPolicies: []string{"ReadOnlyAccess"}}},
	}
	for i, id := range ids {
		m.Accounts = append(m.Accounts, accounts.Account{Name: fmt.Sprintf("a%d", i+1), ID: id, Environment: accounts.NonProduction,
			Regions: regions, DeveloperPolicies: []string{"PowerUserAccess"}, CIPolicies: []string{"PowerUserAccess"}})
	}
	data, err := m.Encode()
	if err != nil {
		return nil, err
	}
	return accounts.Parse(data) // validated as the Lambdas validate it
}

// countsString lists counts by operation, in order: "EC2 StopInstances 2, STS AssumeRole 1".
func countsString(n map[string]int) string {
	var parts []string
	for k, v := range n {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// sweep is one shutdown of a generated fleet through the real engine
// (fleet.Handler with fleet.AssumeRoles) against the in-process fake.
type sweep struct {
	report   fleet.Report
	wall     time.Duration
	calls    *emulator.Calls
	requests map[string]int // HTTP requests at the fake, retries included
	throttle int
	stopped  int
}

// totalRequests is how many HTTP requests the fake saw, retries included.
func (sw sweep) totalRequests() int {
	n := 0
	for _, c := range sw.requests {
		n += c
	}
	return n
}

// runSweep generates fleet s in a fresh fake and runs the shutdown over it.
func runSweep(ctx context.Context, s shape, latency time.Duration, rate float64, burst int) (sweep, error) {
	fake := newFakeAWS(latency, rate, burst)
	m, err := generate(fake, s)
	if err != nil {
		return sweep{}, err
	}
	return runEngine(ctx, fake, m, history.Shutdown)
}

// generate puts fleet s into fake and returns its account map.
func generate(fake *fakeAWS, s shape) (*accounts.Map, error) {
	var ids []string
	for i := range s.Accounts {
		ids = append(ids, fmt.Sprintf("8%011d", i+1))
	}
	m, err := benchMap("800000000000", ids, regionNames[:s.Regions])
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		for _, r := range regionNames[:s.Regions] {
			fake.add(id, r, s)
		}
	}
	return m, nil
}

// runEngine runs one shutdown or restart of every swept account of m over fake, as one
// invocation of the Lambda runs it. Its requests and throttled calls are the fake's since
// it was made.
func runEngine(ctx context.Context, fake *fakeAWS, m *accounts.Map, kind history.Kind) (sweep, error) {
	counter := &emulator.Calls{}
	base := aws.Config{
		Region:       m.HomeRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(fakeAccessKeyPrefix+"800000000000", "fake", ""),
		BaseEndpoint: aws.String("https://aws.fake"),
		HTTPClient:   &http.Client{Transport: fake},
		APIOptions:   []func(*middleware.Stack) error{counter.Count},
	}
	h := fleet.Handler{
		Kind: kind, Map: m, Connect: fleet.AssumeRoles(base, m.ExternalID),
		Logger: discardLogger(),
	}
	start := time.Now()
	rep, err := h.Run(ctx, fleet.Payload{Trigger: fleet.Schedule})
	wall := time.Since(start)
	if err != nil {
		return sweep{}, err
	}
	if rep.Failed() {
		return sweep{}, fmt.Errorf("the %s failed: %+v", kind, rep.Totals)
	}
	requests, throttled := fake.requestCounts()
	return sweep{report: rep, wall: wall, calls: counter, requests: requests, throttle: throttled, stopped: fake.stopped()}, nil
}

// discardLogger is the logger of the engines under the bench: their lines would cost more
// than the calls.
func discardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
