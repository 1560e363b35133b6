package fleet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

func TestMain(m *testing.M) { emulator.Main(m) }

const (
	west    = "eu-west-1"
	central = "eu-central-1"
	ami     = "ami-12c6146b"
)

// mapYAML is the account map of a test fleet: home (production, where curfew runs),
// staging (two regions), sandbox (one region), production, and an archive account with
// the shutdown off. It has no holidays: tests run on the wall clock, and on a holiday a
// scheduled restart starts nothing (CI on 8 December). holidayMapYAML adds them.
const mapYAML = `
identity: home
home: home
homeRegion: eu-west-1
externalId: curfew-test-external-id
ci:
  user: ci-deployer
  acceptStaticKeys: true
schedule:
  timezone: Europe/Madrid
  stop: {at: "20:00", days: [MON-FRI]}
  start: {at: "07:30", days: [MON-FRI]}
costReport:
  at: "08:00"
  days: [MON]
  recipients: [platform@example.com]
accounts:
  - name: home
    id: "%s"
    environment: production
  - name: staging
    id: "%s"
    environment: non-production
    regions: [eu-west-1, eu-central-1]
    developerPolicies: [PowerUserAccess]
    ciPolicies: [PowerUserAccess]
  - name: sandbox
    id: "%s"
    environment: non-production
    regions: [eu-west-1]
    developerPolicies: [PowerUserAccess]
    ciPolicies: [PowerUserAccess]
  - name: production
    id: "%s"
    environment: production
    regions: [eu-west-1, eu-central-1]
    developerPolicies: [PowerUserAccess]
    ciPolicies: [ReadOnlyAccess]
  - name: archive
    id: "%s"
    environment: non-production
    regions: [eu-west-1]
    developerPolicies: [PowerUserAccess]
    ciPolicies: [PowerUserAccess]
    shutdown: false
`

// holidayMapYAML is mapYAML with Spain's calendar for every account and a holiday of
// sandbox's own (24 December), for the tests that fix the handler's clock on a date.
var holidayMapYAML = strings.NewReplacer(
	"  start: {at: \"07:30\", days: [MON-FRI]}\n", "  start: {at: \"07:30\", days: [MON-FRI]}\n  holidays: [{calendar: ES}]\n",
	"  - name: sandbox\n", "  - name: sandbox\n    holidays: [\"2026-12-24\"]\n",
).Replace(mapYAML)

// loc is where a resource of the test fleet lives.
type loc struct{ account, region, typ string }

// testFleet is a small fleet over four accounts and two regions in moto, each account
// fresh for the test, so tests run in parallel on one server.
type testFleet struct {
	t *testing.T
	s *emulator.Server
	m *accounts.Map
	// ids maps a resource's name in the test to its id (RDS ids are the names).
	ids map[string]string
	// where maps a resource's id to its place.
	where map[string]loc
	// layer, set by withLayer, answers in front of moto what it lacks (EKS node group
	// tags) for the handlers of the fleet and for observe.
	layer *faultproxy.Proxy
}

// newTestFleet launches:
//
//	staging/eu-west-1:    web, by-person (stopped by a person), skip (curfew:skip=true),
//	                      snoozed (until tomorrow), snooze-expired, asg-member, spot;
//	                      RDS app-db, primary-db with its read replica replica-db;
//	                      Aurora cluster aurora with member aurora-1
//	staging/eu-central-1: api, bad-snooze (unreadable snooze)
//	sandbox/eu-west-1:    dev; Aurora Serverless v1 cluster serverless
//	production:           prod-web, prod-db (eu-west-1), prod-api (eu-central-1)
//	home/eu-west-1:       home-web
//	archive/eu-west-1:    archive-web
func newTestFleet(t *testing.T) *testFleet {
	t.Helper()
	return launchTestFleet(t, emptyFleet(t))
}

// newHolidayFleet is newTestFleet over holidayMapYAML.
func newHolidayFleet(t *testing.T) *testFleet {
	t.Helper()
	return launchTestFleet(t, emptyFleetOver(t, holidayMapYAML))
}

// launchTestFleet launches newTestFleet's resources into f.
func launchTestFleet(t *testing.T, f *testFleet) *testFleet {
	t.Helper()
	now := clock.Now().UTC()
	f.instance("staging", west, "web", nil)
	f.instance("staging", west, "by-person", nil)
	f.instance("staging", west, "skip", map[string]string{accounts.SkipTag: "true"})
	f.instance("staging", west, "snoozed", map[string]string{accounts.SnoozeUntilTag: now.Add(24 * time.Hour).Format(time.RFC3339)})
	f.instance("staging", west, "snooze-expired", map[string]string{accounts.SnoozeUntilTag: now.Add(-time.Hour).Format(time.RFC3339)})
	f.spot("staging", west, "spot")
	f.asgMember("staging", west, "asg-member")
	f.db("staging", west, "app-db", "")
	f.db("staging", west, "primary-db", "")
	f.replica("staging", west, "replica-db", "primary-db")
	f.cluster("staging", west, "aurora", "aurora-postgresql", "provisioned")
	f.db("staging", west, "aurora-1", "aurora")
	f.instance("staging", central, "api", nil)
	f.instance("staging", central, "bad-snooze", map[string]string{accounts.SnoozeUntilTag: "tomorrow"})
	f.instance("sandbox", west, "dev", nil)
	f.cluster("sandbox", west, "serverless", "aurora-mysql", "serverless")
	f.instance("production", west, "prod-web", nil)
	f.db("production", west, "prod-db", "")
	f.instance("production", central, "prod-api", nil)
	f.instance("home", west, "home-web", nil)
	f.instance("archive", west, "archive-web", nil)

	f.byHand(t, stop, "by-person")
	return f
}

// emptyFleet is the test fleet's account map over accounts of its own, with nothing
// launched yet: tests that need a few resources only launch those (moto is slow).
func emptyFleet(t *testing.T) *testFleet {
	t.Helper()
	return emptyFleetOver(t, mapYAML)
}

// emptyFleetOver is emptyFleet over the map format, mapYAML or holidayMapYAML.
func emptyFleetOver(t *testing.T, format string) *testFleet {
	t.Helper()
	return &testFleet{t: t, s: emulator.Shared(t), m: emulator.FreshMap(t, format, 5), ids: map[string]string{}, where: map[string]loc{}}
}

func (f *testFleet) account(name string) accounts.Account {
	a, ok := f.m.Account(name)
	if !ok {
		f.t.Fatalf("no account %s", name)
	}
	return a
}

func (f *testFleet) config(account, region string) aws.Config {
	return f.s.Account(f.t, f.account(account).ID, region)
}

func (f *testFleet) ec2(account, region string) *ec2.Client {
	return ec2.NewFromConfig(f.config(account, region))
}

func (f *testFleet) rds(account, region string) *rds.Client {
	return rds.NewFromConfig(f.config(account, region))
}

func (f *testFleet) add(name, id string, l loc) {
	f.ids[name] = id
	f.where[id] = l
}

// The actions a person (or AWS) takes on a resource of the fleet behind curfew's back.
const (
	start     = "start"
	stop      = "stop"
	terminate = "terminate"
)

// act starts, stops or terminates a resource of the fleet directly in moto, as a person
// (or AWS) does behind curfew's back, and returns AWS's error.
func (f *testFleet) act(action, name string) error {
	ctx := context.WithoutCancel(f.t.Context())
	id := f.ids[name]
	l := f.where[id]
	e, d := f.ec2(l.account, l.region), f.rds(l.account, l.region)
	var err error
	switch {
	case l.typ == history.EC2Instance && action == start:
		_, err = e.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
	case l.typ == history.EC2Instance && action == stop:
		_, err = e.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	case l.typ == history.EC2Instance && action == terminate:
		_, err = e.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	case l.typ == history.RDSInstance && action == start:
		_, err = d.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(name)})
	case l.typ == history.RDSInstance && action == stop:
		_, err = d.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(name)})
	case l.typ == history.AuroraCluster && action == start:
		_, err = d.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String(name)})
	case l.typ == history.AuroraCluster && action == stop:
		_, err = d.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String(name)})
	default:
		f.t.Errorf("the test cannot %s %s (%+v)", action, name, l)
	}
	return err
}

// byHand is act, failing t when AWS refuses.
func (f *testFleet) byHand(t *testing.T, action, name string) {
	t.Helper()
	if err := f.act(action, name); err != nil {
		t.Fatalf("%s %s by hand: %v", action, name, err)
	}
}

// stagingFleet is an empty fleet (emptyFleet) but for staging's EC2 instances and RDS
// databases (no cluster's members) of these names, in west.
func stagingFleet(t *testing.T, instances []string, dbs ...string) *testFleet {
	t.Helper()
	f := emptyFleet(t)
	for _, name := range instances {
		f.instance("staging", west, name, nil)
	}
	for _, name := range dbs {
		f.db("staging", west, name, "")
	}
	return f
}

func (f *testFleet) instance(account, region, name string, tags map[string]string) {
	f.run(account, region, name, tags, nil)
}

func (f *testFleet) spot(account, region, name string) {
	f.run(account, region, name, nil, &ec2types.InstanceMarketOptionsRequest{MarketType: ec2types.MarketTypeSpot})
}

func (f *testFleet) run(account, region, name string, tags map[string]string, market *ec2types.InstanceMarketOptionsRequest) {
	f.t.Helper()
	all := map[string]string{"Name": name}
	maps.Copy(all, tags)
	var tagList []ec2types.Tag
	for k, v := range all {
		tagList = append(tagList, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := f.ec2(account, region).RunInstances(f.t.Context(), &ec2.RunInstancesInput{
		ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro,
		TagSpecifications:     []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tagList}},
		InstanceMarketOptions: market,
	})
	if err != nil {
		f.t.Fatalf("launch %s: %v", name, err)
	}
	f.add(name, aws.ToString(out.Instances[0].InstanceId), loc{account, region, history.EC2Instance})
}

func (f *testFleet) asgMember(account, region, name string) {
	f.t.Helper()
	f.group(account, region, name, "1/1/1", nil)
}

// group creates an Auto Scaling group of t3.micro instances with capacity min/desired/max
// and tags, and checks that it launched its desired capacity. The group is the resource:
// its instances come and go with it.
func (f *testFleet) group(account, region, name, capacity string, tags map[string]string) {
	f.t.Helper()
	ctx := f.t.Context()
	var minSize, desired, maxSize int32
	if _, err := fmt.Sscanf(capacity, "%d/%d/%d", &minSize, &desired, &maxSize); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.ec2(account, region).CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(ami), InstanceType: ec2types.InstanceTypeT3Micro},
	}); err != nil {
		f.t.Fatal(err)
	}
	var tagList []asgtypes.Tag
	for k, v := range tags {
		tagList = append(tagList, asgtypes.Tag{Key: aws.String(k), Value: aws.String(v), PropagateAtLaunch: aws.Bool(false),
			ResourceId: aws.String(name), ResourceType: aws.String("auto-scaling-group")})
	}
	client := autoscaling.NewFromConfig(f.config(account, region))
	if _, err := client.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(name),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(name), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(minSize), MaxSize: aws.Int32(maxSize), DesiredCapacity: aws.Int32(desired),
		AvailabilityZones: []string{region + "a"},
		Tags:              tagList,
	}); err != nil {
		f.t.Fatal(err)
	}
	out, err := client.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) != 1 || len(out.AutoScalingGroups[0].Instances) != int(desired) {
		f.t.Fatalf("auto scaling group %s: %v %+v", name, err, out)
	}
	f.add(name, name, loc{account, region, fleet.AutoScalingGroup})
}

func (f *testFleet) db(account, region, name, cluster string) {
	f.t.Helper()
	f.taggedDB(account, region, name, cluster, nil)
}

// taggedDB creates a DB instance with tags, a member of cluster unless it is "".
func (f *testFleet) taggedDB(account, region, name, cluster string, tags map[string]string) {
	f.t.Helper()
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(name), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("curfew"), MasterUserPassword: aws.String("curfew-secret-1"),
	}
	if cluster != "" {
		in = &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(name), Engine: aws.String("aurora-postgresql"),
			DBInstanceClass: aws.String("db.r6g.large"), DBClusterIdentifier: aws.String(cluster),
		}
	}
	for k, v := range tags {
		in.Tags = append(in.Tags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := f.rds(account, region).CreateDBInstance(f.t.Context(), in); err != nil {
		f.t.Fatalf("create DB instance %s: %v", name, err)
	}
	f.add(name, name, loc{account, region, history.RDSInstance})
}

func (f *testFleet) replica(account, region, name, source string) {
	f.t.Helper()
	if _, err := f.rds(account, region).CreateDBInstanceReadReplica(f.t.Context(), &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String(name), SourceDBInstanceIdentifier: aws.String(source),
	}); err != nil {
		f.t.Fatalf("create read replica %s: %v", name, err)
	}
	f.add(name, name, loc{account, region, history.RDSInstance})
}

func (f *testFleet) cluster(account, region, name, engine, mode string) {
	f.t.Helper()
	if _, err := f.rds(account, region).CreateDBCluster(f.t.Context(), &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String(name), Engine: aws.String(engine), EngineMode: aws.String(mode),
		MasterUsername: aws.String("curfew"), MasterUserPassword: aws.String("curfew-secret-1"),
	}); err != nil {
		f.t.Fatalf("create DB cluster %s: %v", name, err)
	}
	f.add(name, name, loc{account, region, history.AuroraCluster})
}

// observed is a resource as AWS (moto) shows it.
type observed struct {
	// state is an Auto Scaling group's "running" while it has a desired capacity, else
	// "stopped".
	state string
	tags  map[string]string
	// capacity is an Auto Scaling group's min/desired/max.
	capacity string
}

func (o observed) marked() bool {
	_, at := o.tags[accounts.StoppedAtTag]
	_, by := o.tags[accounts.StoppedByRunTag]
	return at || by
}

// observe reads every resource of the fleet, by name.
func (f *testFleet) observe() map[string]observed {
	f.t.Helper()
	ctx := f.t.Context()
	byID := map[string]observed{}
	for _, a := range f.m.Accounts {
		for _, region := range []string{west, central} {
			pages := ec2.NewDescribeInstancesPaginator(f.ec2(a.Name, region), &ec2.DescribeInstancesInput{})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					f.t.Fatal(err)
				}
				for _, r := range page.Reservations {
					for _, in := range r.Instances {
						tags := map[string]string{}
						for _, tg := range in.Tags {
							tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
						}
						byID[aws.ToString(in.InstanceId)] = observed{state: string(in.State.Name), tags: tags}
					}
				}
			}
			client := f.rds(a.Name, region)
			dbs, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
			if err != nil {
				f.t.Fatal(err)
			}
			for _, db := range dbs.DBInstances {
				byID[aws.ToString(db.DBInstanceIdentifier)] = observed{state: aws.ToString(db.DBInstanceStatus), tags: rdsTags(db.TagList)}
			}
			clusters, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{})
			if err != nil {
				f.t.Fatal(err)
			}
			for _, c := range clusters.DBClusters {
				byID[aws.ToString(c.DBClusterIdentifier)] = observed{state: aws.ToString(c.Status), tags: rdsTags(c.TagList)}
			}
			for name, g := range f.groups(a.Name, region) {
				byID[name] = g
			}
		}
	}
	maps.Copy(byID, f.containers())
	out := map[string]observed{}
	for name, id := range f.ids {
		o, ok := byID[id]
		if !ok {
			f.t.Fatalf("%s (%s) not found", name, id)
		}
		out[name] = o
	}
	return out
}

// rdsTags reads the tags of a DB instance or cluster into a map.
func rdsTags(list []rdstypes.Tag) map[string]string {
	tags := map[string]string{}
	for _, tg := range list {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// groups reads the Auto Scaling groups of one account×region, by name.
func (f *testFleet) groups(account, region string) map[string]observed {
	f.t.Helper()
	out := map[string]observed{}
	pages := autoscaling.NewDescribeAutoScalingGroupsPaginator(autoscaling.NewFromConfig(f.config(account, region)), &autoscaling.DescribeAutoScalingGroupsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(f.t.Context())
		if err != nil {
			f.t.Fatal(err)
		}
		for _, g := range page.AutoScalingGroups {
			tags := map[string]string{}
			for _, tg := range g.Tags {
				tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			o := observed{state: "stopped", tags: tags,
				capacity: fmt.Sprintf("%d/%d/%d", aws.ToInt32(g.MinSize), aws.ToInt32(g.DesiredCapacity), aws.ToInt32(g.MaxSize))}
			if aws.ToInt32(g.DesiredCapacity) > 0 {
				o.state = "running"
			}
			out[aws.ToString(g.AutoScalingGroupName)] = o
		}
	}
	return out
}

// running lists the names of the resources that are up (running or available).
func running(obs map[string]observed) []string {
	var out []string
	for name, o := range obs {
		if o.state == "running" || o.state == "available" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// markedNames lists the names of the resources that carry curfew's mark.
func markedNames(obs map[string]observed) []string {
	var out []string
	for name, o := range obs {
		if o.marked() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// handler returns a handler over the fleet that reaches it from the home account, counting
// its calls, and writes its log lines and metrics to buffers.
func (f *testFleet) handler(kind history.Kind) (fleet.Handler, *emulator.Calls, *syncBuffer) {
	c := &emulator.Calls{}
	base := f.config("home", west)
	base.APIOptions = append(slices.Clone(base.APIOptions), c.Count)
	logs := &syncBuffer{}
	return fleet.Handler{
		Kind:    kind,
		Map:     f.m,
		Connect: fleet.AssumeRoles(base, f.m.ExternalID),
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
		Metrics: logs,
	}, c, logs
}

// names turns report entries back into the test's names, by action.
func (f *testFleet) names(rep fleet.Report) map[fleet.Action][]string {
	byID := map[string]string{}
	for name, id := range f.ids {
		byID[id] = name
	}
	out := map[fleet.Action][]string{}
	for _, res := range rep.Results {
		for _, r := range res.Resources {
			name, ok := byID[r.ID]
			if !ok {
				f.t.Errorf("report names an unknown resource %s in %s/%s", r.ID, res.Account, res.Region)
				continue
			}
			if l := f.where[r.ID]; l.account != res.Account || l.region != res.Region || l.typ != r.Type {
				f.t.Errorf("report puts %s in %s/%s as %s, want %+v", name, res.Account, res.Region, r.Type, l)
			}
			out[r.Action] = append(out[r.Action], name)
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// resource finds one resource of the report by the test's name.
func (f *testFleet) resource(rep fleet.Report, name string) fleet.Resource {
	f.t.Helper()
	for _, res := range rep.Results {
		for _, r := range res.Resources {
			if r.ID == f.ids[name] {
				return r
			}
		}
	}
	f.t.Fatalf("%s is not in the report", name)
	return fleet.Resource{}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines decodes the JSON lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(b.buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func runHandler(t *testing.T, h fleet.Handler, payload string) fleet.Report {
	t.Helper()
	rep, err := h.Handle(t.Context(), json.RawMessage(payload))
	if err != nil {
		t.Fatalf("%s %s: %v", h.Kind, payload, err)
	}
	return rep
}

func sorted(names ...string) []string {
	slices.Sort(names)
	return names
}
