package fleet_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// containerFleet launches ECS services and EKS managed node groups over several accounts
// and regions, beside one resource of every other kind, so that one night and morning
// covers every kind curfew sweeps:
//
//	staging/eu-west-1:    ECS cluster apps: web (Fargate, 3 tasks, scalable target 2..10),
//	                      worker (EC2, 2), person (2; a person sets it to 1 during the night),
//	                      kept (curfew:skip=true), snoozed (until tomorrow), zero (0 tasks),
//	                      agent (DAEMON);
//	                      EKS cluster dev: general 1/2/4, person-ng 2/2/3 (a person scales it
//	                      to 1/1/3), kept-ng (curfew:skip=true), snoozed-ng (until tomorrow),
//	                      zero-ng 0/0/2;
//	                      instance vm, Karpenter node karp, Auto Scaling group asg 1/1/2,
//	                      DB instance db
//	staging/eu-central-1: ECS cluster apps-c: api (1); EKS cluster dev-c: batch 0/1/3
//	sandbox/eu-west-1:    ECS cluster sand: dev (1, scalable target 1..2); Aurora cluster
//	                      aurora with member aurora-1
//	production/eu-west-1: ECS cluster prod: prod (2); EKS cluster prod-eks: prod-ng 1/1/2
//
// moto 5.2.5 cannot tag EKS node groups: the fleet's layer (faultproxy.EKSNodegroupTags)
// answers those calls as AWS documents them.
func containerFleet(t *testing.T) *testFleet {
	t.Helper()
	f := emptyFleet(t).withLayer()
	tomorrow := map[string]string{accounts.SnoozeUntilTag: clock.Now().Add(24 * time.Hour).Format(time.RFC3339)}
	skip := map[string]string{accounts.SkipTag: "true"}

	f.ecsCluster("staging", west, "apps")
	f.service("staging", west, "apps", "web", 3, ecstypes.LaunchTypeFargate, nil)
	f.scalable("staging", west, "apps", "web", 2, 10)
	f.service("staging", west, "apps", "worker", 2, ecstypes.LaunchTypeEc2, nil)
	f.service("staging", west, "apps", "person", 2, ecstypes.LaunchTypeFargate, nil)
	f.service("staging", west, "apps", "kept", 1, ecstypes.LaunchTypeFargate, skip)
	f.service("staging", west, "apps", "snoozed", 1, ecstypes.LaunchTypeFargate, tomorrow)
	f.service("staging", west, "apps", "zero", 0, ecstypes.LaunchTypeFargate, nil)
	f.daemon("staging", west, "apps", "agent")
	f.eksCluster("staging", west, "dev")
	f.nodegroup("staging", west, "dev", "general", "1/2/4", nil)
	f.nodegroup("staging", west, "dev", "person-ng", "2/2/3", nil)
	f.nodegroup("staging", west, "dev", "kept-ng", "1/1/2", skip)
	f.nodegroup("staging", west, "dev", "snoozed-ng", "1/1/1", tomorrow)
	f.nodegroup("staging", west, "dev", "zero-ng", "0/0/2", nil)
	f.instance("staging", west, "vm", nil)
	f.instance("staging", west, "karp", map[string]string{"karpenter.sh/nodepool": "default"})
	f.group("staging", west, "asg", "1/1/2", nil)
	f.db("staging", west, "db", "")

	f.ecsCluster("staging", central, "apps-c")
	f.service("staging", central, "apps-c", "api", 1, ecstypes.LaunchTypeFargate, nil)
	f.eksCluster("staging", central, "dev-c")
	f.nodegroup("staging", central, "dev-c", "batch", "0/1/3", nil)

	f.ecsCluster("sandbox", west, "sand")
	f.service("sandbox", west, "sand", "dev", 1, ecstypes.LaunchTypeFargate, nil)
	f.scalable("sandbox", west, "sand", "dev", 1, 2)
	f.cluster("sandbox", west, "aurora", "aurora-postgresql", "provisioned")
	f.db("sandbox", west, "aurora-1", "aurora")

	f.ecsCluster("production", west, "prod")
	f.service("production", west, "prod", "prod", 2, ecstypes.LaunchTypeFargate, nil)
	f.eksCluster("production", west, "prod-eks")
	f.nodegroup("production", west, "prod-eks", "prod-ng", "1/1/2", nil)
	return f
}

// The night and morning of every kind at once: ECS services and node groups at zero with
// what they had recorded on them, everything swept back exactly as it was before the
// shutdown in the morning, except the service and the node group a person changed during
// the night; production untouched; a second shutdown a no-op.
func TestEveryKindBackExactlyAsBefore(t *testing.T) {
	t.Parallel()
	f := containerFleet(t)
	before := f.observe()
	services := sorted("web", "worker", "person", "api", "dev")
	nodegroups := sorted("general", "person-ng", "batch")
	swept := sorted(append(append(slices.Clone(services), nodegroups...), "vm", "asg", "db", "aurora")...)
	skipped := map[string]string{
		"kept": "tagged curfew:skip=true", "snoozed": "snoozed until", "agent": "DAEMON scheduling strategy",
		"kept-ng": "tagged curfew:skip=true", "snoozed-ng": "snoozed until", "karp": "Karpenter node of NodePool default",
		"aurora-1": "member of cluster aurora",
	}
	untouched := []string{"kept", "snoozed", "zero", "agent", "kept-ng", "snoozed-ng", "zero-ng", "karp", "prod", "prod-ng"}

	t.Run("dry run changes nothing", func(t *testing.T) {
		h, _ := f.layered(history.Shutdown)
		rep := runHandler(t, h, `{"dryRun":true}`)
		if got := f.names(rep); !slices.Equal(got[fleet.WouldStop], swept) || !slices.Equal(got[fleet.Skipped], slices.Sorted(maps.Keys(skipped))) {
			t.Errorf("dry run: %v", got)
		}
		if r := f.resource(rep, "web"); !strings.Contains(r.Reason, "desiredCount 3, scalable target MinCapacity 2 would be recorded and set to 0") {
			t.Errorf("web: %+v", r)
		}
		f.unchanged(t, before, "the dry run")
	})

	t.Run("shutdown", func(t *testing.T) {
		h, _ := f.layered(history.Shutdown)
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		got := f.names(rep)
		if !slices.Equal(got[fleet.Stopped], swept) || rep.Failed() {
			t.Errorf("stopped %v, want %v; totals %+v", got[fleet.Stopped], swept, rep.Totals)
		}
		for name, reason := range skipped {
			if r := f.resource(rep, name); r.Action != fleet.Skipped || !strings.Contains(r.Reason, reason) {
				t.Errorf("%s: %s %q, want skipped %q", name, r.Action, r.Reason, reason)
			}
		}
		// The size of a Fargate service's tasks, for the savings; on EC2 the instances are
		// priced.
		if web, worker := f.resource(rep, "web"), f.resource(rep, "worker"); web.Size != "fargate 256/512" || worker.Size != "" {
			t.Errorf("sizes: web %q, worker %q", web.Size, worker.Size)
		}
		for name, reason := range map[string]string{
			"web":     "launch type FARGATE; desiredCount 3, scalable target MinCapacity 2 recorded, set to 0",
			"worker":  "launch type EC2; desiredCount 2 recorded, set to 0",
			"general": "instance types m5.large; min/desired/max 1/2/4 recorded, scaled to 0/0/4",
		} {
			if r := f.resource(rep, name); r.Reason != reason {
				t.Errorf("%s: %q, want %q", name, r.Reason, reason)
			}
		}
		after := f.observe()
		for _, name := range services {
			o, b := after[name], before[name]
			wantTags := map[string]string{accounts.ECSDesiredTag: b.capacity[:strings.IndexByte(b.capacity+" ", ' ')]}
			want := "0"
			if i := strings.Index(b.capacity, " min "); i > 0 {
				minMax := strings.Fields(b.capacity[i:]) // min N max M
				wantTags[accounts.ECSMinCapacityTag] = minMax[1]
				want = "0 min 0 max " + minMax[3]
			}
			if o.capacity != want || o.tags[accounts.StoppedByRunTag] != rep.RunID || !subset(wantTags, o.tags) {
				t.Errorf("%s after shutdown: %+v, want %s marked with %v", name, o, want, wantTags)
			}
		}
		for _, name := range nodegroups {
			o, b := after[name], before[name]
			wantZero := "0/0/" + b.capacity[strings.LastIndex(b.capacity, "/")+1:]
			if o.capacity != wantZero || o.tags[accounts.NodegroupScalingTag] != b.capacity || o.tags[accounts.StoppedByRunTag] != rep.RunID {
				t.Errorf("%s after shutdown: %+v, want %s marked with %s", name, o, wantZero, b.capacity)
			}
		}
		for _, name := range untouched {
			if !equalObserved(map[string]observed{name: after[name]}, map[string]observed{name: before[name]}) {
				t.Errorf("%s changed: %+v, was %+v", name, after[name], before[name])
			}
		}
	})

	t.Run("shutdown order", func(t *testing.T) {
		order := slices.Compact(f.lines(t, "staging", west, history.Shutdown))
		want := []string{fleet.ECSService, history.EC2Instance, fleet.AutoScalingGroup, fleet.EKSNodegroup, history.RDSInstance}
		if !slices.Equal(order, want) {
			t.Errorf("shutdown touched %v in that order, want %v", order, want)
		}
	})

	t.Run("a second shutdown is a no-op", func(t *testing.T) {
		h, c := f.layered(history.Shutdown)
		was := f.observe()
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		if got := f.names(rep); len(got[fleet.Stopped]) > 0 || rep.Failed() {
			t.Errorf("second shutdown: %v", got)
		}
		f.unchanged(t, was, "the second shutdown")
		for _, call := range []string{"ECS UpdateService", "ECS TagResource", "EKS UpdateNodegroupConfig", "EKS TagResource", "Application Auto Scaling RegisterScalableTarget"} {
			if c.Of(call) > 0 {
				t.Errorf("the second shutdown called %s", c)
			}
		}
	})

	// A person needs a task and a node tonight.
	if _, err := ecs.NewFromConfig(f.config("staging", west)).UpdateService(t.Context(), &ecs.UpdateServiceInput{
		Cluster: aws.String("apps"), Service: aws.String("person"), DesiredCount: aws.Int32(1),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := eks.NewFromConfig(f.config("staging", west)).UpdateNodegroupConfig(t.Context(), &eks.UpdateNodegroupConfigInput{
		ClusterName: aws.String("dev"), NodegroupName: aws.String("person-ng"),
		ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(1), DesiredSize: aws.Int32(1), MaxSize: aws.Int32(3)},
	}); err != nil {
		t.Fatal(err)
	}
	changed := []string{"person", "person-ng"}

	t.Run("restart dry run changes nothing", func(t *testing.T) {
		h, _ := f.layered(history.Restart)
		was := f.observe()
		rep := runHandler(t, h, `{"dryRun":true}`)
		if got := f.names(rep); !slices.Equal(got[fleet.WouldStart], without(swept, changed...)) || !slices.Equal(got[fleet.LeftStopped], changed) {
			t.Errorf("restart dry run: %v", got)
		}
		f.unchanged(t, was, "the dry run")
	})

	t.Run("restart", func(t *testing.T) {
		h, _ := f.layered(history.Restart)
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		got := f.names(rep)
		if !slices.Equal(got[fleet.Started], without(swept, changed...)) || !slices.Equal(got[fleet.LeftStopped], changed) || rep.Failed() {
			t.Errorf("restart: %v; totals %+v", got, rep.Totals)
		}
		for name, reason := range map[string]string{
			"person":    "changed during the night to desiredCount 1 by a person or its scaling (curfew had recorded desiredCount 2): left as set, mark removed",
			"person-ng": "scaling changed during the night to min/desired/max 1/1/3 by a person (curfew had recorded 2/2/3): left as set, mark removed",
			"web":       "desiredCount 3, scalable target MinCapacity 2 restored",
		} {
			if r := f.resource(rep, name); r.Reason != reason {
				t.Errorf("%s: %q, want %q", name, r.Reason, reason)
			}
		}
		// The invariant, for every kind: after the restart every resource is exactly as
		// before the shutdown, except those a person changed during the night.
		want := maps.Clone(before)
		want["person"] = observed{state: "running", tags: map[string]string{}, capacity: "1"}
		want["person-ng"] = observed{state: "running", tags: map[string]string{}, capacity: "1/1/3"}
		if after := f.observe(); !equalObserved(want, after) {
			t.Errorf("after restart:\n got %v\nwant %v", after, want)
		}
	})

	t.Run("restart order", func(t *testing.T) {
		order := slices.Compact(f.lines(t, "staging", west, history.Restart))
		want := []string{history.RDSInstance, fleet.EKSNodegroup, fleet.AutoScalingGroup, history.EC2Instance, fleet.ECSService}
		if !slices.Equal(order, want) {
			t.Errorf("restart touched %v in that order, want %v", order, want)
		}
	})
}

// A service or node group whose scale-in AWS refuses is put back as it was (the
// service's MinCapacity too) and unmarked, and the others are scaled in all the same.
func TestContainerFailureDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t).withLayer()
	f.ecsCluster("staging", west, "apps")
	f.service("staging", west, "apps", "refused", 2, ecstypes.LaunchTypeFargate, nil)
	f.scalable("staging", west, "apps", "refused", 1, 4)
	f.service("staging", west, "apps", "web", 1, ecstypes.LaunchTypeFargate, nil)
	f.eksCluster("staging", west, "dev")
	f.nodegroup("staging", west, "dev", "refused-ng", "1/1/2", nil)
	f.nodegroup("staging", west, "dev", "general", "1/1/2", nil)
	before := f.observe()
	f.layer.Add(
		faultproxy.Rule{Service: "ecs", Action: "UpdateService", Kind: faultproxy.Error, Code: "InvalidParameterException",
			Match: func(c faultproxy.Call) bool { return strings.Contains(string(c.Body), `"service":"refused"`) }},
		faultproxy.Rule{Service: "eks", Kind: faultproxy.Error, Code: "InvalidParameterException",
			Match: func(c faultproxy.Call) bool {
				return strings.HasSuffix(c.Path, "/node-groups/refused-ng/update-config")
			}},
	)
	h, _ := f.layered(history.Shutdown)
	rep := runHandler(t, h, `{}`)
	if got := f.names(rep); !slices.Equal(got[fleet.Stopped], []string{"general", "web"}) || !slices.Equal(got[fleet.ActionFailed], []string{"refused", "refused-ng"}) {
		t.Errorf("shutdown: %v", got)
	}
	for _, name := range []string{"refused", "refused-ng"} {
		if r := f.resource(rep, name); !strings.Contains(r.Error, "InvalidParameterException") || !strings.Contains(r.Error, "its mark was removed again") {
			t.Errorf("%s: %+v", name, r)
		}
	}
	after := f.observe()
	for _, name := range []string{"refused", "refused-ng"} {
		if !equalObserved(map[string]observed{name: after[name]}, map[string]observed{name: before[name]}) {
			t.Errorf("%s changed: %+v, was %+v", name, after[name], before[name])
		}
	}
	if after["web"].capacity != "0" || after["general"].capacity != "0/0/2" {
		t.Errorf("web %+v, general %+v", after["web"], after["general"])
	}

	// A hand-edited record is not a desired count: the service stays at zero and marked.
	if _, err := ecs.NewFromConfig(f.config("staging", west)).TagResource(t.Context(), &ecs.TagResourceInput{
		ResourceArn: aws.String(f.serviceARN("staging", west, "apps", "web")),
		Tags:        []ecstypes.Tag{{Key: aws.String(accounts.ECSDesiredTag), Value: aws.String("-1")}},
	}); err != nil {
		t.Fatal(err)
	}
	h, _ = f.layered(history.Restart)
	rep = runHandler(t, h, `{}`)
	if r := f.resource(rep, "web"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, `curfew:ecs-desired="-1" is not a whole number`) {
		t.Errorf("web: %+v", r)
	}
	if o := f.observe()["web"]; o.capacity != "0" || !o.marked() {
		t.Errorf("web after restart: %+v", o)
	}
}

// withLayer puts the layer that answers what moto lacks in front of moto for the fleet.
func (f *testFleet) withLayer() *testFleet {
	p, err := faultproxy.New(f.s.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(p.Close)
	p.Add(faultproxy.EKSNodegroupTags()...)
	f.layer = p
	return f
}

// layered returns a handler over the fleet whose calls go through the fleet's layer.
func (f *testFleet) layered(kind history.Kind) (fleet.Handler, *emulator.Calls) {
	h, c, _ := f.handler(kind)
	base := f.config("home", west)
	base.BaseEndpoint = &f.layer.URL
	base.APIOptions = append(slices.Clone(base.APIOptions), c.Count)
	h.Connect = fleet.AssumeRoles(base, f.m.ExternalID)
	return h, c
}

// lines returns the types of the resources a run of kind acted on in one account×region,
// in the order of the layer's calls that changed them.
func (f *testFleet) lines(t *testing.T, account, region string, kind history.Kind) []string {
	t.Helper()
	// The restart's starts, or, called while only the shutdown has run, its stops; both
	// scale in and out with the same calls.
	changes := map[string]string{"ec2 StartInstances": history.EC2Instance, "rds StartDBInstance": history.RDSInstance, "rds StartDBCluster": history.AuroraCluster}
	if kind == history.Shutdown {
		changes = map[string]string{"ec2 StopInstances": history.EC2Instance, "rds StopDBInstance": history.RDSInstance, "rds StopDBCluster": history.AuroraCluster}
	}
	changes["autoscaling UpdateAutoScalingGroup"], changes["ecs UpdateService"] = fleet.AutoScalingGroup, fleet.ECSService
	var out []string
	for _, c := range f.layer.Calls() {
		if c.Account != f.account(account).ID || c.Region != region {
			continue
		}
		typ, ok := changes[c.Service+" "+c.Action]
		if c.Service == "eks" && strings.HasSuffix(c.Path, "/update-config") {
			typ, ok = fleet.EKSNodegroup, true
		}
		if ok {
			out = append(out, typ)
		}
	}
	// The shutdown's calls come first: keep the last run's, the restart.
	if kind == history.Restart {
		if i := slices.Index(out, history.RDSInstance); i >= 0 {
			out = out[i:]
		}
	}
	return out
}

func (f *testFleet) ecsCluster(account, region, name string) {
	f.t.Helper()
	client := ecs.NewFromConfig(f.config(account, region))
	if _, err := client.CreateCluster(f.t.Context(), &ecs.CreateClusterInput{ClusterName: aws.String(name)}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := client.RegisterTaskDefinition(f.t.Context(), &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(name), Cpu: aws.String("256"), Memory: aws.String("512"),
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate, ecstypes.CompatibilityEc2},
		ContainerDefinitions:    []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(512)}},
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *testFleet) service(account, region, cluster, name string, desired int32, launch ecstypes.LaunchType, tags map[string]string) {
	f.t.Helper()
	f.createService(account, region, cluster, name, &ecs.CreateServiceInput{DesiredCount: aws.Int32(desired), LaunchType: launch}, tags)
}

func (f *testFleet) daemon(account, region, cluster, name string) {
	f.t.Helper()
	f.createService(account, region, cluster, name, &ecs.CreateServiceInput{
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeEc2, SchedulingStrategy: ecstypes.SchedulingStrategyDaemon,
	}, nil)
}

func (f *testFleet) createService(account, region, cluster, name string, in *ecs.CreateServiceInput, tags map[string]string) {
	f.t.Helper()
	in.Cluster, in.ServiceName, in.TaskDefinition = aws.String(cluster), aws.String(name), aws.String(cluster)
	for k, v := range tags {
		in.Tags = append(in.Tags, ecstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := ecs.NewFromConfig(f.config(account, region)).CreateService(f.t.Context(), in); err != nil {
		f.t.Fatalf("create service %s: %v", name, err)
	}
	f.add(name, cluster+"/"+name, loc{account, region, fleet.ECSService})
}

func (f *testFleet) serviceARN(account, region, cluster, name string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:service/%s/%s", region, f.account(account).ID, cluster, name)
}

// scalable registers the service's desired count as a scalable target.
func (f *testFleet) scalable(account, region, cluster, name string, minCapacity, maxCapacity int32) {
	f.t.Helper()
	if _, err := applicationautoscaling.NewFromConfig(f.config(account, region)).RegisterScalableTarget(f.t.Context(), &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		ResourceId: aws.String("service/" + cluster + "/" + name), MinCapacity: aws.Int32(minCapacity), MaxCapacity: aws.Int32(maxCapacity),
	}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *testFleet) eksCluster(account, region, name string) {
	f.t.Helper()
	if _, err := eks.NewFromConfig(f.config(account, region)).CreateCluster(f.t.Context(), &eks.CreateClusterInput{
		Name: aws.String(name), RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/eks", f.account(account).ID)),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-1"}},
	}); err != nil {
		f.t.Fatal(err)
	}
}

// nodegroup creates a managed node group of m5.large nodes with capacity min/desired/max.
func (f *testFleet) nodegroup(account, region, cluster, name, capacity string, tags map[string]string) {
	f.t.Helper()
	var minSize, desired, maxSize int32
	if _, err := fmt.Sscanf(capacity, "%d/%d/%d", &minSize, &desired, &maxSize); err != nil {
		f.t.Fatal(err)
	}
	if _, err := eks.NewFromConfig(f.config(account, region)).CreateNodegroup(f.t.Context(), &eks.CreateNodegroupInput{
		ClusterName: aws.String(cluster), NodegroupName: aws.String(name), Subnets: []string{"subnet-1"},
		NodeRole:      aws.String(fmt.Sprintf("arn:aws:iam::%s:role/nodes", f.account(account).ID)),
		InstanceTypes: []string{"m5.large"}, Tags: tags,
		ScalingConfig: &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(minSize), DesiredSize: aws.Int32(desired), MaxSize: aws.Int32(maxSize)},
	}); err != nil {
		f.t.Fatal(err)
	}
	f.add(name, cluster+"/"+name, loc{account, region, fleet.EKSNodegroup})
}

// containers reads the ECS services and EKS node groups of the fleet, by id: a service's
// capacity is its desired count, followed by " min N max M" with a scalable target; a
// node group's is its min/desired/max. Node groups are read through the layer, which
// holds their tags.
func (f *testFleet) containers() map[string]observed {
	f.t.Helper()
	ctx := f.t.Context()
	out := map[string]observed{}
	pairs := map[loc]bool{}
	for _, l := range f.where {
		if l.typ == fleet.ECSService || l.typ == fleet.EKSNodegroup {
			pairs[l] = true
		}
	}
	for l := range pairs {
		cfg := f.config(l.account, l.region)
		if l.typ == fleet.EKSNodegroup {
			cfg.BaseEndpoint = &f.layer.URL
			client := eks.NewFromConfig(cfg)
			clusters, err := client.ListClusters(ctx, &eks.ListClustersInput{})
			if err != nil {
				f.t.Fatal(err)
			}
			for _, c := range clusters.Clusters {
				names, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String(c)})
				if err != nil {
					f.t.Fatal(err)
				}
				for _, n := range names.Nodegroups {
					d, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(c), NodegroupName: aws.String(n)})
					if err != nil {
						f.t.Fatal(err)
					}
					sc := d.Nodegroup.ScalingConfig
					o := observed{state: "stopped", tags: maps.Clone(d.Nodegroup.Tags),
						capacity: fmt.Sprintf("%d/%d/%d", aws.ToInt32(sc.MinSize), aws.ToInt32(sc.DesiredSize), aws.ToInt32(sc.MaxSize))}
					if o.tags == nil {
						o.tags = map[string]string{}
					}
					if aws.ToInt32(sc.DesiredSize) > 0 {
						o.state = "running"
					}
					out[c+"/"+n] = o
				}
			}
			continue
		}
		targets := map[string]string{}
		scaling, err := applicationautoscaling.NewFromConfig(cfg).DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, t := range scaling.ScalableTargets {
			targets[strings.TrimPrefix(aws.ToString(t.ResourceId), "service/")] = fmt.Sprintf(" min %d max %d", aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity))
		}
		client := ecs.NewFromConfig(cfg)
		clusters, err := client.ListClusters(ctx, &ecs.ListClustersInput{})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, c := range clusters.ClusterArns {
			arns, err := client.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String(c)})
			if err != nil {
				f.t.Fatal(err)
			}
			if len(arns.ServiceArns) == 0 {
				continue
			}
			d, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(c), Services: arns.ServiceArns, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
			if err != nil {
				f.t.Fatal(err)
			}
			cluster := c[strings.LastIndex(c, "/")+1:]
			for _, s := range d.Services {
				id := cluster + "/" + aws.ToString(s.ServiceName)
				o := observed{state: "stopped", tags: map[string]string{}, capacity: fmt.Sprint(s.DesiredCount) + targets[id]}
				for _, tg := range s.Tags {
					o.tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
				}
				if s.DesiredCount > 0 {
					o.state = "running"
				}
				out[id] = o
			}
		}
	}
	return out
}

// subset reports whether every entry of a is in b.
func subset(a, b map[string]string) bool {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
