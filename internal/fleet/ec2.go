package fleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/paging"
)

// EC2API is the part of the EC2 client the engine uses.
type EC2API interface {
	ec2.DescribeInstancesAPIClient
	CreateTags(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(context.Context, *ec2.DeleteTagsInput, ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
	StopInstances(context.Context, *ec2.StopInstancesInput, ...func(*ec2.Options)) (*ec2.StopInstancesOutput, error)
	StartInstances(context.Context, *ec2.StartInstancesInput, ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error)
}

var _ EC2API = (*ec2.Client)(nil)

// ec2Instances are the EC2 instances of an account×region: they stop and start.
type ec2Instances struct{}

// stop stops the running instances of the pair that may be stopped. It marks them
// first, so that every instance it stops carries the mark whatever fails afterwards, and
// removes the mark again from those whose stop AWS refused.
//
// A pending instance is on its way up but cannot be stopped yet: it is reported, and the
// next shutdown run stops it. Instances stopping, stopped, shutting down or terminated are
// left out of the report: they are down or going down, so there is nothing to stop, and
// curfew must not mark what it did not stop (the restart would start it).
func (ec2Instances) stop(ctx context.Context, p *pair) error {
	up, err := p.describeInstances(ctx, filter("instance-state-name", "running", "pending"))
	if err != nil {
		return err
	}
	var stop []Resource
	markAt := p.now
	for _, in := range up {
		r := Resource{Type: history.EC2Instance, ID: aws.ToString(in.InstanceId), Size: string(in.InstanceType), launched: aws.ToTime(in.LaunchTime), dims: ec2Dimensions(in)}
		// A member of an Auto Scaling group stopped alone would be replaced: the group
		// step scales the group in instead, and its row names its instances.
		group := ec2TagMap(in.Tags)[asgTag]
		if group != "" {
			p.seeGroupMember(group, in)
		}
		if !p.payload.wants(r.ID) || group != "" {
			continue
		}
		skip, note := ec2Verdict(in, p.now)
		switch {
		case skip != "":
			r.Action, r.Reason = Skipped, skip
			p.add(ctx, r)
		case in.State != nil && in.State.Name == types.InstanceStateNamePending:
			r.Action, r.Reason = NotStopped, notStoppedReason(string(in.State.Name))
			p.add(ctx, r)
		case p.payload.DryRun:
			r.Action, r.Reason = WouldStop, note
			p.add(ctx, r)
		default:
			r.Reason = note
			stop = append(stop, r)
			// The restart takes a LaunchTime after the mark for a start after the
			// shutdown (ec2StoppedAgain): an instance started a moment after the run
			// began must not be taken for one.
			if lt := aws.ToTime(in.LaunchTime); lt.After(markAt) {
				markAt = lt
			}
		}
	}
	if len(stop) == 0 {
		return nil
	}
	markFailed := inBatches(ctx, ids(stop), func(ctx context.Context, b []string) error {
		_, err := p.c.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: b, Tags: tagList(markTags(p.id, markAt), func(k, v *string) types.Tag { return types.Tag{Key: k, Value: v} })})
		return err
	})
	var marked []string
	for _, r := range stop {
		if err := markFailed[r.ID]; err != nil {
			markFirstFailed(&r, "not stopped", err)
			p.add(ctx, r)
			continue
		}
		marked = append(marked, r.ID)
	}
	stopFailed := inBatches(ctx, marked, func(ctx context.Context, b []string) error {
		_, err := p.c.EC2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: b})
		return err
	})
	var unmark []string
	for id, err := range stopFailed {
		if !mayHaveStopped(err) {
			unmark = append(unmark, id)
		}
	}
	unmarkFailed := p.unmarkEC2(ctx, unmark)
	for _, r := range stop {
		if markFailed[r.ID] != nil {
			continue
		}
		if err := stopFailed[r.ID]; err != nil {
			r.Action, r.Error = ActionFailed, stopError(err, mayHaveStopped(err), unmarkFailed[r.ID], markKeys)
		} else {
			r.Action = Stopped
		}
		p.add(ctx, r)
	}
	return nil
}

// start starts the stopped instances that carry curfew's mark, then removes the mark.
// A marked instance that is already running was started by someone else: its stale mark
// is removed. A marked instance started after the mark, and stopped again since, was
// stopped by someone else: it is left stopped and its mark removed (ec2StoppedAgain).
func (ec2Instances) start(ctx context.Context, p *pair) error {
	instances, err := p.describeInstances(ctx,
		filter("tag-key", accounts.StoppedByRunTag, accounts.StoppedAtTag),
		filter("instance-state-name", "stopped", "running"))
	if err != nil {
		return err
	}
	var start, stale, again []Resource
	for _, in := range instances {
		r := Resource{Type: history.EC2Instance, ID: aws.ToString(in.InstanceId), Size: string(in.InstanceType), launched: aws.ToTime(in.LaunchTime), dims: ec2Dimensions(in)}
		if !p.payload.wants(r.ID) {
			continue
		}
		running := in.State != nil && in.State.Name == types.InstanceStateNameRunning
		if running {
			if p.payload.DryRun {
				r.Action, r.Reason = Skipped, "already running: its stale mark would be removed"
				p.add(ctx, r)
				continue
			}
			stale = append(stale, r)
			continue
		}
		stopped, detail, err := ec2StoppedAgain(in)
		switch {
		case err != nil:
			r.Action, r.Error = ActionFailed, cannotTell(err)
			p.add(ctx, r)
		case stopped:
			r.Reason = detail
			again = append(again, r)
		case p.payload.DryRun:
			r.Action = WouldStart
			p.add(ctx, r)
		default:
			start = append(start, r)
		}
	}
	if p.payload.DryRun {
		for _, r := range again {
			p.leaveStopped(&r, r.Reason, nil)
			p.add(ctx, r)
		}
		return nil
	}
	if len(start)+len(stale)+len(again) == 0 {
		return nil
	}
	refused := inBatches(ctx, ids(start), func(ctx context.Context, b []string) error {
		_, err := p.c.EC2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: b})
		return err
	})
	unmark := append(ids(stale), ids(again)...)
	for _, r := range start {
		if refused[r.ID] == nil {
			unmark = append(unmark, r.ID)
		}
	}
	unmarkFailed := p.unmarkEC2(ctx, unmark)
	for _, r := range start {
		if err := refused[r.ID]; err != nil {
			startFailed(&r, err)
		} else {
			startedUnmarked(&r, unmarkFailed[r.ID])
		}
		p.add(ctx, r)
	}
	for _, r := range stale {
		staleMarkRemoved(&r, "already running", unmarkFailed[r.ID])
		p.add(ctx, r)
	}
	for _, r := range again {
		p.leaveStopped(&r, r.Reason, func() error { return unmarkFailed[r.ID] })
		p.add(ctx, r)
	}
	return nil
}

// ec2StoppedAgain tells whether a stopped instance that carries curfew's mark was started
// after the mark, and so, being stopped now, was stopped again by someone else after the
// shutdown. EC2 gives each instance its LaunchTime, "the time that the instance was last
// launched": every start sets it, and curfew's own stop leaves it alone. The shutdown
// writes a mark no earlier than the LaunchTime of any instance it marks
// (ec2Instances.stop), so a LaunchTime after the mark is a start after curfew stopped the
// instance. Both have whole seconds; the comparison is made on whole seconds.
//
// The StateTransitionReason ("User initiated (2026-11-27 19:00:00 GMT)") would date the
// last stop instead, but curfew's own stop may come minutes after its mark (retries, a
// long run), so telling it from a person's would need a guess of how late it can be.
func ec2StoppedAgain(in types.Instance) (bool, string, error) {
	mark, err := markTime(ec2TagMap(in.Tags))
	if err != nil {
		return false, "", err
	}
	if in.LaunchTime == nil {
		return false, "", errors.New("EC2 answered no launch time")
	}
	launched := in.LaunchTime.UTC().Truncate(time.Second)
	if !launched.After(mark) {
		return false, "", nil
	}
	return true, fmt.Sprintf("started at %s, after curfew stopped it at %s", launched.Format(time.RFC3339), mark.UTC().Format(time.RFC3339)), nil
}

// unmarkEC2 removes curfew's mark from instances, in batches.
func (p *pair) unmarkEC2(ctx context.Context, ids []string) map[string]error {
	tags := make([]types.Tag, len(markKeys))
	for i, k := range markKeys {
		tags[i] = types.Tag{Key: aws.String(k)}
	}
	return inBatches(ctx, ids, func(ctx context.Context, b []string) error {
		_, err := p.c.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: b, Tags: tags})
		return err
	})
}

func (p *pair) describeInstances(ctx context.Context, filters ...types.Filter) ([]types.Instance, error) {
	pages := ec2.NewDescribeInstancesPaginator(p.c.EC2, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: aws.Int32(1000)})
	out, err := paging.All(ctx, pages, func(page *ec2.DescribeInstancesOutput) []types.Instance {
		var in []types.Instance
		for _, r := range page.Reservations {
			in = append(in, r.Instances...)
		}
		return in
	})
	if err != nil {
		return nil, fmt.Errorf("describe EC2 instances in %s: %w", p.where(), err)
	}
	return out, nil
}

// ec2Verdict says why a running instance must stay up (skip), or what is worth noting
// about stopping it.
func ec2Verdict(in types.Instance, now time.Time) (skip, note string) {
	tags := ec2TagMap(in.Tags)
	if s := skipTagged(tags); s != "" {
		return s, ""
	}
	switch {
	case in.InstanceLifecycle == types.InstanceLifecycleTypeSpot:
		return "spot instance: a one-time spot instance cannot be stopped, and a persistent one is run by its request", ""
	case in.RootDeviceType == types.DeviceTypeInstanceStore:
		return "instance-store root device: it cannot be stopped, only terminated", ""
	}
	if pool := karpenterPool(tags); pool != "" {
		return fmt.Sprintf("Karpenter node of %s: Karpenter replaces a node it finds stopped; curfew leaves its nodes to it (it removes them once nothing runs on them)", pool), ""
	}
	return snoozedOrUpAgain(tags, now, marked(tags), "running again")
}

// karpenterPool names the NodePool (or, before Karpenter v1, the Provisioner) that
// launched an instance, or "" for an instance Karpenter did not launch. Karpenter tags
// its nodes so; they belong to no Auto Scaling group or managed node group.
func karpenterPool(tags map[string]string) string {
	if v := tags["karpenter.sh/nodepool"]; v != "" {
		return "NodePool " + v
	}
	if v := tags["karpenter.sh/provisioner-name"]; v != "" {
		return "Provisioner " + v
	}
	return ""
}

// ec2Dimensions are what an instance's price depends on besides its region and type.
func ec2Dimensions(in types.Instance) history.Dimensions {
	d := history.Dimensions{Platform: aws.ToString(in.PlatformDetails)}
	if in.Placement != nil {
		d.Tenancy = string(in.Placement.Tenancy)
	}
	return d
}

// ec2TagMap reads an instance's tags.
func ec2TagMap(tags []types.Tag) map[string]string {
	return tagMap(tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func ids(rs []Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
