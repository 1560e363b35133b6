package fleet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/paging"
	"github.com/curfew/curfew/internal/table"
)

// ECSService is the type of an ECS service in the report and the run history; its id is
// cluster/service.
const ECSService = history.ECSService

// ECSAPI is the part of the ECS client the engine uses.
type ECSAPI interface {
	ecs.ListClustersAPIClient
	ecs.ListServicesAPIClient
	ecs.DescribeServicesAPIClient
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	UpdateService(context.Context, *ecs.UpdateServiceInput, ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	TagResource(context.Context, *ecs.TagResourceInput, ...func(*ecs.Options)) (*ecs.TagResourceOutput, error)
	UntagResource(context.Context, *ecs.UntagResourceInput, ...func(*ecs.Options)) (*ecs.UntagResourceOutput, error)
}

// ScalingAPI is the part of the Application Auto Scaling client the engine uses: the
// scalable targets of ECS services.
type ScalingAPI interface {
	applicationautoscaling.DescribeScalableTargetsAPIClient
	RegisterScalableTarget(context.Context, *applicationautoscaling.RegisterScalableTargetInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.RegisterScalableTargetOutput, error)
}

var (
	_ ECSAPI     = (*ecs.Client)(nil)
	_ ScalingAPI = (*applicationautoscaling.Client)(nil)
)

// serviceMarkKeys are the tags of curfew's mark on a service.
var serviceMarkKeys = append(slices.Clone(markKeys), accounts.ECSDesiredTag, accounts.ECSMinCapacityTag)

// describeServicesBatch is the most services ECS describes in one call.
const describeServicesBatch = 10

// service is an ECS service with what the engine reads of it.
type service struct {
	types.Service
	cluster string // the cluster's name
	tags    map[string]string
}

// id is the service's id in the report: cluster/service.
func (s service) id() string { return s.cluster + "/" + aws.ToString(s.ServiceName) }

// scalingID is the service's resource id in Application Auto Scaling.
func (s service) scalingID() string { return "service/" + s.id() }

// serviceState is what the shutdown records and the restart sets back: the desired count
// and, when the service has a scalable target, its MinCapacity (which would otherwise
// put tasks back at once).
type serviceState struct {
	desired int32
	min     *int32
}

func (st serviceState) String() string {
	if st.min == nil {
		return fmt.Sprintf("desiredCount %d", st.desired)
	}
	return fmt.Sprintf("desiredCount %d, scalable target MinCapacity %d", st.desired, *st.min)
}

// ecsServices are the ECS services of an account×region: their desired count goes to
// zero and back.
type ecsServices struct{}

// stop sets to zero the desired count of the services that run tasks, after recording
// it (and the MinCapacity of the service's scalable target, lowered to 0 too) in curfew's
// mark on the service. Both launch types are alike here: ECS stops the tasks, and a
// capacity provider's managed scaling then empties its Auto Scaling group. Services at
// zero are left out of the report, and a service marked and running again was scaled up
// after the shutdown: what it has now is recorded and it is scaled in again.
func (ecsServices) stop(ctx context.Context, p *pair) error {
	var targets serviceTargets
	return eachOf(ctx, p.services, func(s service) error {
		r := Resource{Type: ECSService, ID: s.id(), count: int(s.DesiredCount)}
		if s.DesiredCount == 0 || !p.payload.wants(r.ID) {
			return nil
		}
		skip, note := serviceVerdict(s, p.now)
		if skip != "" {
			r.Action, r.Reason = Skipped, skip
			p.add(ctx, r)
			return nil
		}
		st, _, err := targets.state(ctx, p, s)
		if err != nil {
			return err
		}
		note = table.Cell(note, launchNote(s))
		switch {
		case p.payload.DryRun:
			r.Action, r.Reason = WouldStop, table.Cell(note, st.String()+" would be recorded and set to 0")
		case p.scaleInService(ctx, &r, s, st):
			r.Reason = table.Cell(note, st.String()+" recorded, set to 0")
			r.Size, r.dims = p.fargateSize(ctx, s)
		default:
			r.Reason = note
		}
		p.add(ctx, r)
		return nil
	})
}

// scaleInService marks the service with its state, lowers its scalable target's
// MinCapacity to 0, then its desired count, and reports whether it did. When AWS refuses a
// step, the steps before are undone and the mark removed.
func (p *pair) scaleInService(ctx context.Context, r *Resource, s service, st serviceState) bool {
	mark := markTags(p.id, p.now)
	mark[accounts.ECSDesiredTag] = strconv.Itoa(int(st.desired))
	if st.min != nil {
		mark[accounts.ECSMinCapacityTag] = strconv.Itoa(int(*st.min))
	}
	arn := aws.ToString(s.ServiceArn)
	if err := p.tagService(ctx, arn, mark); err != nil {
		markFirstFailed(r, "not scaled in", err)
		return false
	}
	lowered := st.min != nil && *st.min > 0
	if lowered {
		if err := p.setMinCapacity(ctx, s, 0); err != nil {
			r.Action, r.Error = ActionFailed, "lower its scalable target's MinCapacity to 0: "+
				failedStop(err, mayHaveStopped(err), func() error { return p.untagService(ctx, arn) }, serviceMarkKeys)
			return false
		}
	}
	_, err := p.c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: s.ClusterArn, Service: s.ServiceName, DesiredCount: aws.Int32(0),
	})
	if err == nil {
		r.Action = Stopped
		return true
	}
	kept := mayHaveStopped(err)
	r.Action, r.Error = ActionFailed, stopError(err, kept, nil, serviceMarkKeys)
	if kept {
		return false
	}
	if lowered {
		if undo := p.setMinCapacity(ctx, s, *st.min); undo != nil {
			r.Error = fmt.Sprintf("stop: %v; its scalable target's MinCapacity stays 0, as it could not be set back to %d (%v): set it by hand, then remove the tags %s",
				err, *st.min, undo, strings.Join(serviceMarkKeys, ", "))
			return false
		}
	}
	if unmark := p.untagService(ctx, arn); unmark != nil {
		r.Error = stopError(err, false, unmark, serviceMarkKeys)
	}
	return false
}

// start gives the services curfew scaled in their recorded desired count (and
// MinCapacity) back, then removes the mark. It runs last on restart, once the node groups,
// groups and instances the tasks are placed on are on their way up. A service no longer
// at zero was scaled up by a person (or its scaling) during the night: it is left as set
// and its mark removed.
func (ecsServices) start(ctx context.Context, p *pair) error {
	var targets serviceTargets
	return eachOf(ctx, p.services, func(s service) error {
		r := Resource{Type: ECSService, ID: s.id()}
		if !serviceMarked(s.tags) || !p.payload.wants(r.ID) {
			return nil
		}
		now, hasTarget, err := targets.state(ctx, p, s)
		if err != nil {
			return err
		}
		rec, err := parseServiceState(s.tags)
		switch {
		case err != nil:
			r.Action, r.Error = ActionFailed, fmt.Sprintf("cannot read what curfew recorded: %v; the service was left as it is (%s) and keeps its mark: set its desired count by hand", err, now)
		case now.desired != 0 || now.min != nil && *now.min != 0:
			p.leaveAsSet(&r, fmt.Sprintf("changed during the night to %s by a person or its scaling (curfew had recorded %s)", now, rec),
				func() error { return p.untagService(ctx, aws.ToString(s.ServiceArn)) })
		case p.payload.DryRun:
			r.Action, r.Reason = WouldStart, rec.String()+" would be restored"
		default:
			p.restoreService(ctx, &r, s, rec, hasTarget)
		}
		p.add(ctx, r)
		return nil
	})
}

// restoreService sets the recorded MinCapacity back, then the desired count, then removes
// the mark.
func (p *pair) restoreService(ctx context.Context, r *Resource, s service, rec serviceState, hasTarget bool) {
	var note string
	if rec.min != nil {
		if !hasTarget {
			note = fmt.Sprintf("its scalable target was deregistered during the night: MinCapacity %d is not restored", *rec.min)
		} else if err := p.setMinCapacity(ctx, s, *rec.min); err != nil {
			restoreFailed(r, rec.String(), err)
			return
		}
	}
	_, err := p.c.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: s.ClusterArn, Service: s.ServiceName, DesiredCount: aws.Int32(rec.desired),
	})
	if err != nil {
		r.Action, r.Error = ActionFailed, fmt.Sprintf("restore %s: %v (its desired count stays 0 and it keeps its mark)", rec, err)
		return
	}
	restored(r, table.Cell(rec.String()+" restored", note), func() error { return p.untagService(ctx, aws.ToString(s.ServiceArn)) })
}

// serviceVerdict says why a service that runs tasks must keep them (skip), or what is
// worth noting about scaling it in.
func serviceVerdict(s service, now time.Time) (skip, note string) {
	if v := skipTagged(s.tags); v != "" {
		return v, ""
	}
	if s.SchedulingStrategy == types.SchedulingStrategyDaemon {
		return "DAEMON scheduling strategy: it runs one task on every container instance and has no desired count to lower; it stops with its instances", ""
	}
	if s.DeploymentController != nil && s.DeploymentController.Type == types.DeploymentControllerTypeExternal {
		return "external deployment controller: its task sets are sized by that controller, not by the service's desired count", ""
	}
	return snoozedOrUpAgain(s.tags, now, serviceMarked(s.tags), "scaled up again")
}

// fargateSize is the size of a Fargate service's tasks, "fargate CPU/MEMORY" in CPU units
// and MiB, and what their price depends on besides (fargateDimensions), for the savings;
// "" on EC2, where the instances are what is priced, or when the task definition cannot be
// read (the savings then count the tasks' hours unpriced).
func (p *pair) fargateSize(ctx context.Context, s service) (string, history.Dimensions) {
	capacity := fargateCapacity(s)
	if capacity == "" {
		return "", history.Dimensions{}
	}
	d, err := p.c.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: s.TaskDefinition})
	if err != nil || d.TaskDefinition == nil || aws.ToString(d.TaskDefinition.Cpu) == "" || aws.ToString(d.TaskDefinition.Memory) == "" {
		return "", history.Dimensions{}
	}
	return history.FargateSize(aws.ToString(d.TaskDefinition.Cpu), aws.ToString(d.TaskDefinition.Memory)),
		fargateDimensions(capacity, d.TaskDefinition.RuntimePlatform)
}

// fargateCapacity is how a service's Fargate tasks are bought: on-demand (launch type
// FARGATE, or capacity provider FARGATE alone), Spot (FARGATE_SPOT alone), or mixed (both
// in its strategy: how many tasks each got depends on the base and weights, and on Spot
// capacity at the time); "" when its tasks are not on Fargate.
func fargateCapacity(s service) string {
	if s.LaunchType == types.LaunchTypeFargate {
		return history.OnDemand
	}
	var onDemand, spot bool
	for _, c := range s.CapacityProviderStrategy {
		switch aws.ToString(c.CapacityProvider) {
		case "FARGATE":
			onDemand = true
		case "FARGATE_SPOT":
			spot = true
		}
	}
	switch {
	case onDemand && spot:
		return history.MixedCapacity
	case spot:
		return history.Spot
	case onDemand:
		return history.OnDemand
	}
	return ""
}

// fargateDimensions are what a Fargate task's price depends on besides its size: how it is
// bought, its CPU architecture and operating system (the task definition's runtime
// platform; Linux on x86 when it names none, as ECS runs it).
func fargateDimensions(capacity string, rp *types.RuntimePlatform) history.Dimensions {
	d := history.Dimensions{Capacity: capacity, Architecture: string(types.CPUArchitectureX8664), Platform: "Linux/UNIX"}
	if rp == nil {
		return d
	}
	if rp.CpuArchitecture != "" {
		d.Architecture = string(rp.CpuArchitecture)
	}
	if os := string(rp.OperatingSystemFamily); strings.HasPrefix(os, "WINDOWS") {
		d.Platform = "Windows"
	} else if os != "" && os != string(types.OSFamilyLinux) {
		d.Platform = os
	}
	return d
}

// launchNote says where the service's tasks run.
func launchNote(s service) string {
	if s.LaunchType != "" {
		return "launch type " + string(s.LaunchType)
	}
	var names []string
	for _, c := range s.CapacityProviderStrategy {
		names = append(names, aws.ToString(c.CapacityProvider))
	}
	if len(names) == 0 {
		return ""
	}
	return "capacity providers " + strings.Join(names, ", ")
}

func serviceMarked(tags map[string]string) bool {
	_, d := tags[accounts.ECSDesiredTag]
	return d || marked(tags)
}

// parseServiceState reads the state recorded in a service's mark strictly: a hand-edited
// value must not become a desired count the restart sets.
func parseServiceState(tags map[string]string) (serviceState, error) {
	whole := func(key string) (int32, error) {
		v, ok := tags[key]
		if !ok {
			return 0, fmt.Errorf("its mark has no %s tag", key)
		}
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", key, v)
		}
		return int32(n), nil
	}
	desired, err := whole(accounts.ECSDesiredTag)
	if err != nil {
		return serviceState{}, err
	}
	st := serviceState{desired: desired}
	if _, ok := tags[accounts.ECSMinCapacityTag]; ok {
		m, err := whole(accounts.ECSMinCapacityTag)
		if err != nil {
			return serviceState{}, err
		}
		st.min = &m
	}
	return st, nil
}

// services reads the active services of every cluster of the pair, with their tags.
func (p *pair) services(ctx context.Context) ([]service, error) {
	pages := ecs.NewListClustersPaginator(p.c.ECS, &ecs.ListClustersInput{MaxResults: aws.Int32(100)})
	clusters, err := paging.All(ctx, pages, func(page *ecs.ListClustersOutput) []string { return page.ClusterArns })
	if err != nil {
		return nil, fmt.Errorf("list ECS clusters in %s: %w", p.where(), err)
	}
	var out []service
	for _, cluster := range clusters {
		svcs, err := p.clusterServices(ctx, cluster)
		if err != nil {
			return nil, err
		}
		out = append(out, svcs...)
	}
	return out, nil
}

func (p *pair) clusterServices(ctx context.Context, cluster string) ([]service, error) {
	pages := ecs.NewListServicesPaginator(p.c.ECS, &ecs.ListServicesInput{Cluster: aws.String(cluster), MaxResults: aws.Int32(100)})
	arns, err := paging.All(ctx, pages, func(page *ecs.ListServicesOutput) []string { return page.ServiceArns })
	if err != nil {
		return nil, fmt.Errorf("list the services of ECS cluster %s in %s: %w", cluster, p.where(), err)
	}
	name := cluster[strings.LastIndex(cluster, "/")+1:]
	var out []service
	for batch := range slices.Chunk(arns, describeServicesBatch) {
		d, err := p.c.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{
			Cluster: aws.String(cluster), Services: batch, Include: []types.ServiceField{types.ServiceFieldTags},
		})
		if err != nil {
			return nil, fmt.Errorf("describe the services of ECS cluster %s in %s: %w", cluster, p.where(), err)
		}
		for _, s := range d.Services {
			// A DRAINING or INACTIVE service is being deleted: nothing to scale.
			if aws.ToString(s.Status) != "ACTIVE" {
				continue
			}
			tags := tagMap(s.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
			out = append(out, service{Service: s, cluster: name, tags: tags})
		}
	}
	return out, nil
}

// scalableTargets reads the scalable targets of the pair's ECS services, by resource id.
func (p *pair) scalableTargets(ctx context.Context) (map[string]aastypes.ScalableTarget, error) {
	pages := applicationautoscaling.NewDescribeScalableTargetsPaginator(p.c.Scaling, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
	})
	targets, err := paging.All(ctx, pages, func(page *applicationautoscaling.DescribeScalableTargetsOutput) []aastypes.ScalableTarget {
		return page.ScalableTargets
	})
	if err != nil {
		// Without them, a service's MinCapacity would put back the tasks curfew stops.
		return nil, fmt.Errorf("describe the scalable targets of ECS services in %s: %w", p.where(), err)
	}
	out := map[string]aastypes.ScalableTarget{}
	for _, t := range targets {
		out[aws.ToString(t.ResourceId)] = t
	}
	return out, nil
}

// serviceTargets are the scalable targets of a pair's ECS services, by resource id, read
// when the first service of a stop or start needs them.
type serviceTargets map[string]aastypes.ScalableTarget

// state is the service's state now: its desired count and, when it has a scalable target
// (hasTarget), that target's MinCapacity.
func (ts *serviceTargets) state(ctx context.Context, p *pair, s service) (st serviceState, hasTarget bool, err error) {
	if *ts == nil {
		if *ts, err = p.scalableTargets(ctx); err != nil {
			return serviceState{}, false, err
		}
	}
	st = serviceState{desired: s.DesiredCount}
	t, hasTarget := (*ts)[s.scalingID()]
	if hasTarget {
		st.min = aws.Int32(aws.ToInt32(t.MinCapacity))
	}
	return st, hasTarget, nil
}

// setMinCapacity changes the MinCapacity of the service's scalable target only: its
// MaxCapacity and scaling policies stay the team's.
func (p *pair) setMinCapacity(ctx context.Context, s service, min int32) error {
	_, err := p.c.Scaling.RegisterScalableTarget(ctx, &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace: aastypes.ServiceNamespaceEcs, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount,
		ResourceId: aws.String(s.scalingID()), MinCapacity: aws.Int32(min),
	})
	return err
}

func (p *pair) tagService(ctx context.Context, arn string, m map[string]string) error {
	tags := tagList(m, func(k, v *string) types.Tag { return types.Tag{Key: k, Value: v} })
	_, err := p.c.ECS.TagResource(ctx, &ecs.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags})
	return err
}

func (p *pair) untagService(ctx context.Context, arn string) error {
	_, err := p.c.ECS.UntagResource(ctx, &ecs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: serviceMarkKeys})
	return err
}
