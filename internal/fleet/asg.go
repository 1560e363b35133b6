package fleet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/paging"
	"github.com/curfew/curfew/internal/table"
)

// AutoScalingGroup is the type of an Auto Scaling group in the report and the run history.
const AutoScalingGroup = history.AutoScalingGroup

// AutoScalingAPI is the part of the Auto Scaling client the engine uses.
type AutoScalingAPI interface {
	autoscaling.DescribeAutoScalingGroupsAPIClient
	autoscaling.DescribeScheduledActionsAPIClient
	UpdateAutoScalingGroup(context.Context, *autoscaling.UpdateAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.UpdateAutoScalingGroupOutput, error)
	CreateOrUpdateTags(context.Context, *autoscaling.CreateOrUpdateTagsInput, ...func(*autoscaling.Options)) (*autoscaling.CreateOrUpdateTagsOutput, error)
	DeleteTags(context.Context, *autoscaling.DeleteTagsInput, ...func(*autoscaling.Options)) (*autoscaling.DeleteTagsOutput, error)
}

var _ AutoScalingAPI = (*autoscaling.Client)(nil)

// groupMarkKeys are the tags of curfew's mark on a group: the run's time and id, and the
// capacity the restart gives back.
var groupMarkKeys = append(slices.Clone(markKeys), accounts.CapacityTag)

// capacity is a group's min size, desired capacity and max size.
type capacity struct{ min, desired, max int32 }

// String is the form of the capacity tag: min/desired/max.
func (c capacity) String() string { return fmt.Sprintf("%d/%d/%d", c.min, c.desired, c.max) }

// atZero reports whether the group runs nothing and may run nothing: what the shutdown sets.
func (c capacity) atZero() bool { return c.min == 0 && c.desired == 0 }

func groupCapacity(g types.AutoScalingGroup) capacity {
	return capacity{aws.ToInt32(g.MinSize), aws.ToInt32(g.DesiredCapacity), aws.ToInt32(g.MaxSize)}
}

// parseCapacity reads a capacity tag (key=v) strictly: a hand-edited or truncated value
// must not become a capacity the restart sets.
func parseCapacity(key, v string) (capacity, error) {
	bad := fmt.Errorf("%s=%q is not min/desired/max (three whole numbers, min ≤ desired ≤ max)", key, v)
	parts := strings.Split(v, "/")
	if len(parts) != 3 {
		return capacity{}, bad
	}
	var n [3]int32
	for i, s := range parts {
		x, err := strconv.ParseUint(s, 10, 31)
		if err != nil {
			return capacity{}, bad
		}
		n[i] = int32(x)
	}
	c := capacity{n[0], n[1], n[2]}
	if c.min > c.desired || c.desired > c.max {
		return capacity{}, bad
	}
	return c, nil
}

// autoScalingGroups are the Auto Scaling groups of an account×region: they scale in to
// zero and back.
type autoScalingGroups struct{}

// stop scales to zero the groups that run instances and may be scaled in, after
// recording their capacity in curfew's mark on the group. A group keeps its max size
// (nothing is gained by lowering it); the restart sets all three back as recorded.
// Groups at zero are left out of the report: there is nothing to stop, and curfew must not
// mark what it did not scale in. A group marked and running again was scaled up after the
// shutdown: its capacity now is recorded and it is scaled in again.
//
// curfew leaves a group's scheduled actions alone: they are the team's. One that gives a
// group capacity is named on its row, because when it runs before the restart, the
// restart finds the group no longer at zero and leaves it as the action set it.
func (autoScalingGroups) stop(ctx context.Context, p *pair) error {
	var wake map[string][]string
	return eachOf(ctx, p.groups, func(g types.AutoScalingGroup) error {
		c := groupCapacity(g)
		r := Resource{Type: AutoScalingGroup, ID: aws.ToString(g.AutoScalingGroupName)}
		r.Size, r.count = groupSize(g)
		r.dims = groupDimensions(g, p.groupMembers[r.ID])
		if c.atZero() || !p.payload.wants(r.ID) {
			return nil
		}
		skip, note := groupVerdict(g, p.now)
		if skip == "" {
			if wake == nil {
				wake = p.wakeUps(ctx)
			}
			note = table.Cell(note, strings.Join(append(wake[r.ID], wake[""]...), "; "))
		}
		switch {
		case skip != "":
			r.Action, r.Reason = Skipped, skip
		case p.payload.DryRun:
			r.Action = WouldStop
			r.Reason = table.Cell(note, fmt.Sprintf("min/desired/max %s would be recorded and the group scaled to 0/0/%d%s", c, c.max, members(g)))
		default:
			r.Reason = note
			if p.scaleIn(ctx, &r, c) {
				r.Reason = table.Cell(note, fmt.Sprintf("min/desired/max %s recorded, scaled to 0/0/%d%s", c, c.max, members(g)))
			}
		}
		p.add(ctx, r)
		return nil
	})
}

// scaleIn marks the group with its capacity, then scales it to zero, and reports whether
// it did; the mark is removed again when AWS refuses the update.
func (p *pair) scaleIn(ctx context.Context, r *Resource, c capacity) bool {
	return scaleInMarked(r, groupMarkKeys,
		func() error { return p.tagGroup(ctx, r.ID, p.markWith(accounts.CapacityTag, c.String())) },
		func() error {
			_, err := p.c.AutoScaling.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{
				AutoScalingGroupName: aws.String(r.ID), MinSize: aws.Int32(0), DesiredCapacity: aws.Int32(0),
			})
			return err
		},
		func() error { return p.untagGroup(ctx, r.ID) })
}

// start gives the groups curfew scaled in their recorded capacity back, then removes
// the mark. A group no longer at zero was scaled up by a person or a scheduled action
// during the night: it is left as they set it and its mark removed, so that no later
// restart overrides them.
func (autoScalingGroups) start(ctx context.Context, p *pair) error {
	return eachOf(ctx, p.groups, func(g types.AutoScalingGroup) error {
		tags := asgTagMap(g.Tags)
		r := Resource{Type: AutoScalingGroup, ID: aws.ToString(g.AutoScalingGroupName)}
		if !groupMarked(tags) || !p.payload.wants(r.ID) {
			return nil
		}
		now := groupCapacity(g)
		rec, err := parseCapacity(accounts.CapacityTag, tags[accounts.CapacityTag])
		switch {
		case err != nil:
			r.Action, r.Error = ActionFailed, fmt.Sprintf("cannot read the capacity curfew recorded: %v; the group was left as it is (min/desired/max %s) and keeps its mark: set its capacity by hand", err, now)
		case !now.atZero():
			p.leaveAsSet(&r, fmt.Sprintf("capacity changed during the night to min/desired/max %s by a person or a scheduled action (curfew had recorded %s)", now, rec),
				func() error { return p.untagGroup(ctx, r.ID) })
		case p.payload.DryRun:
			r.Action, r.Reason = WouldStart, fmt.Sprintf("min/desired/max %s would be restored", rec)
		default:
			p.restore(ctx, &r, rec)
		}
		p.add(ctx, r)
		return nil
	})
}

// restore sets the recorded capacity back, max size included, then removes the mark.
func (p *pair) restore(ctx context.Context, r *Resource, rec capacity) {
	_, err := p.c.AutoScaling.UpdateAutoScalingGroup(ctx, &autoscaling.UpdateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(r.ID),
		MinSize:              aws.Int32(rec.min), DesiredCapacity: aws.Int32(rec.desired), MaxSize: aws.Int32(rec.max),
	})
	if err != nil {
		restoreFailed(r, "min/desired/max "+rec.String(), err)
		return
	}
	restored(r, fmt.Sprintf("min/desired/max %s restored", rec), func() error { return p.untagGroup(ctx, r.ID) })
}

// groupVerdict says why a group with instances must keep them (skip), or what is worth
// noting about scaling it in.
func groupVerdict(g types.AutoScalingGroup, now time.Time) (skip, note string) {
	tags := asgTagMap(g.Tags)
	if s := skipTagged(tags); s != "" {
		return s, ""
	}
	// Groups another service sizes: scaled here, that service would fight curfew (and
	// its own state would no longer say what runs).
	if ng := tags["eks:nodegroup-name"]; ng != "" {
		return fmt.Sprintf("group of EKS managed node group %s: EKS sets its capacity, so the node group is what is scaled", ng), ""
	}
	if _, ok := tags["AmazonECSManaged"]; ok {
		return "group of an ECS capacity provider with managed scaling: ECS sets its capacity from the tasks it must place", ""
	}
	for _, sp := range g.SuspendedProcesses {
		switch name := aws.ToString(sp.ProcessName); name {
		case "Terminate":
			return "process Terminate is suspended: at zero the group would keep its instances running", ""
		case "Launch":
			return "process Launch is suspended: the group could not launch its instances again in the morning", ""
		}
	}
	if g.WarmPoolConfiguration != nil {
		return "has a warm pool: at zero desired capacity the pool would grow towards the max size", ""
	}
	for _, in := range g.Instances {
		if aws.ToBool(in.ProtectedFromScaleIn) {
			return fmt.Sprintf("instance %s is protected from scale-in: at zero the group would keep it running", aws.ToString(in.InstanceId)), ""
		}
	}
	return snoozedOrUpAgain(tags, now, groupMarked(tags), "scaled up again")
}

// members names the instances a group ends when scaled in: they are reported through
// their group, never on rows of their own.
func members(g types.AutoScalingGroup) string {
	if len(g.Instances) == 0 {
		return ""
	}
	ids := make([]string, len(g.Instances))
	for i, in := range g.Instances {
		ids[i] = aws.ToString(in.InstanceId)
		if t := aws.ToString(in.InstanceType); t != "" {
			ids[i] += " " + t
		}
	}
	return fmt.Sprintf("; its instances end with it: %s", strings.Join(ids, ", "))
}

// groupSize is the instance type of a group's instances and how many run, for the
// savings; no type when they are of several.
func groupSize(g types.AutoScalingGroup) (string, int) {
	var size string
	for i, in := range g.Instances {
		t := aws.ToString(in.InstanceType)
		if i > 0 && t != size {
			return "", len(g.Instances)
		}
		size = t
	}
	return size, len(g.Instances)
}

// seeGroupMember keeps a running member of group, as the instance step described it.
func (p *pair) seeGroupMember(group string, in ec2types.Instance) {
	if p.groupMembers == nil {
		p.groupMembers = map[string][]ec2types.Instance{}
	}
	p.groupMembers[group] = append(p.groupMembers[group], in)
}

// groupDimensions say what a group's instances run and how they are bought, from its
// running members as the instance step described them (their PlatformDetails and tenancy
// when all share them; Spot, on-demand, or mixed by their InstanceLifecycle), else from
// its mixed instances policy: on-demand above a base of none at 100 % (the default), Spot
// with no on-demand base or share, mixed otherwise. A group none of whose members was seen
// and without such a policy is not told apart (reading its launch template would cost a
// call per group), nor is its operating system: both are left empty.
func groupDimensions(g types.AutoScalingGroup, members []ec2types.Instance) history.Dimensions {
	if len(members) > 0 {
		d := ec2Dimensions(members[0])
		var spot int
		for _, in := range members {
			if m := ec2Dimensions(in); m.Platform != d.Platform || m.Tenancy != d.Tenancy {
				d.Platform, d.Tenancy = "", ""
			}
			if in.InstanceLifecycle == ec2types.InstanceLifecycleTypeSpot {
				spot++
			}
		}
		switch spot {
		case 0:
			d.Capacity = history.OnDemand
		case len(members):
			d.Capacity = history.Spot
		default:
			d.Capacity = history.MixedCapacity
		}
		return d
	}
	if g.MixedInstancesPolicy == nil || g.MixedInstancesPolicy.InstancesDistribution == nil {
		return history.Dimensions{}
	}
	d := g.MixedInstancesPolicy.InstancesDistribution
	base, share := aws.ToInt32(d.OnDemandBaseCapacity), int32(100)
	if d.OnDemandPercentageAboveBaseCapacity != nil {
		share = *d.OnDemandPercentageAboveBaseCapacity
	}
	switch {
	case share == 100:
		return history.Dimensions{Capacity: history.OnDemand}
	case share == 0 && base == 0:
		return history.Dimensions{Capacity: history.Spot}
	}
	return history.Dimensions{Capacity: history.MixedCapacity}
}

func groupMarked(tags map[string]string) bool {
	_, c := tags[accounts.CapacityTag]
	return c || marked(tags)
}

// wakeUps describes, by group, the scheduled actions of the pair that give a group
// capacity. They only inform the report: when they cannot be read, the note under "" says
// so for every group.
func (p *pair) wakeUps(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	pages := autoscaling.NewDescribeScheduledActionsPaginator(p.c.AutoScaling, &autoscaling.DescribeScheduledActionsInput{MaxRecords: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return map[string][]string{"": {fmt.Sprintf("its scheduled actions could not be read (%v)", err)}}
		}
		for _, a := range page.ScheduledUpdateGroupActions {
			if aws.ToInt32(a.DesiredCapacity) == 0 && aws.ToInt32(a.MinSize) == 0 {
				continue
			}
			when := aws.ToString(a.Recurrence)
			if when == "" {
				when = aws.ToTime(a.StartTime).UTC().Format(time.RFC3339)
			}
			g := aws.ToString(a.AutoScalingGroupName)
			out[g] = append(out[g], fmt.Sprintf("scheduled action %s (%s) gives it capacity: if it runs before the restart, the restart leaves the group as the action set it",
				aws.ToString(a.ScheduledActionName), when))
		}
	}
	return out
}

func (p *pair) groups(ctx context.Context) ([]types.AutoScalingGroup, error) {
	pages := autoscaling.NewDescribeAutoScalingGroupsPaginator(p.c.AutoScaling, &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(100)})
	out, err := paging.All(ctx, pages, func(page *autoscaling.DescribeAutoScalingGroupsOutput) []types.AutoScalingGroup {
		return page.AutoScalingGroups
	})
	if err != nil {
		return nil, fmt.Errorf("describe Auto Scaling groups in %s: %w", p.where(), err)
	}
	return out, nil
}

// tagGroup puts tags on a group only: propagated to the instances it launches, the mark
// would make the restart take them for instances curfew stopped.
func (p *pair) tagGroup(ctx context.Context, name string, m map[string]string) error {
	tags := tagList(m, func(k, v *string) types.Tag { return groupTag(name, aws.ToString(k), v) })
	_, err := p.c.AutoScaling.CreateOrUpdateTags(ctx, &autoscaling.CreateOrUpdateTagsInput{Tags: tags})
	return err
}

func (p *pair) untagGroup(ctx context.Context, name string) error {
	tags := make([]types.Tag, len(groupMarkKeys))
	for i, k := range groupMarkKeys {
		tags[i] = groupTag(name, k, nil)
	}
	_, err := p.c.AutoScaling.DeleteTags(ctx, &autoscaling.DeleteTagsInput{Tags: tags})
	return err
}

func groupTag(name, key string, value *string) types.Tag {
	return types.Tag{
		ResourceId: aws.String(name), ResourceType: aws.String("auto-scaling-group"),
		Key: aws.String(key), Value: value, PropagateAtLaunch: aws.Bool(false),
	}
}

// asgTagMap reads a group's tags.
func asgTagMap(tags []types.TagDescription) map[string]string {
	return tagMap(tags, func(t types.TagDescription) (*string, *string) { return t.Key, t.Value })
}
