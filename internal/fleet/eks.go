package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/paging"
	"github.com/curfew/curfew/internal/table"
)

// EKSNodegroup is the type of an EKS managed node group in the report and the run
// history; its id is cluster/node group.
const EKSNodegroup = history.EKSNodegroup

// EKSAPI is the part of the EKS client the engine uses.
type EKSAPI interface {
	eks.ListClustersAPIClient
	eks.ListNodegroupsAPIClient
	eks.DescribeNodegroupAPIClient
	UpdateNodegroupConfig(context.Context, *eks.UpdateNodegroupConfigInput, ...func(*eks.Options)) (*eks.UpdateNodegroupConfigOutput, error)
	TagResource(context.Context, *eks.TagResourceInput, ...func(*eks.Options)) (*eks.TagResourceOutput, error)
	UntagResource(context.Context, *eks.UntagResourceInput, ...func(*eks.Options)) (*eks.UntagResourceOutput, error)
}

var _ EKSAPI = (*eks.Client)(nil)

// nodegroupMarkKeys are the tags of curfew's mark on a node group.
var nodegroupMarkKeys = append(append([]string{}, markKeys...), accounts.NodegroupScalingTag)

// nodegroup is an EKS managed node group with the name of its cluster.
type nodegroup struct {
	types.Nodegroup
	cluster string
}

func (n nodegroup) id() string { return n.cluster + "/" + aws.ToString(n.NodegroupName) }

func (n nodegroup) capacity() capacity {
	sc := n.ScalingConfig
	if sc == nil {
		return capacity{}
	}
	return capacity{aws.ToInt32(sc.MinSize), aws.ToInt32(sc.DesiredSize), aws.ToInt32(sc.MaxSize)}
}

// eksNodegroups are the EKS managed node groups of an account×region: they scale in to
// zero and back.
type eksNodegroups struct{}

// stop scales to zero the managed node groups that run nodes, after recording
// their min/desired/max in curfew's mark on the node group. The max size is kept: EKS
// requires it to be at least 1. The node group's own Auto Scaling group is left to EKS
// (autoScalingGroups.stop skips it), and Karpenter's nodes belong to no node group
// (ec2Verdict skips them).
func (eksNodegroups) stop(ctx context.Context, p *pair) error {
	return eachOf(ctx, p.nodegroups, func(n nodegroup) error {
		c := n.capacity()
		r := Resource{Type: EKSNodegroup, ID: n.id(), count: int(c.desired), dims: nodegroupDimensions(n.Nodegroup)}
		if len(n.InstanceTypes) == 1 {
			r.Size = n.InstanceTypes[0]
		}
		if c.atZero() || !p.payload.wants(r.ID) {
			return nil
		}
		skip, note := nodegroupVerdict(n, p.now)
		note = table.Cell(note, nodesNote(n))
		switch {
		case skip != "":
			r.Action, r.Reason = Skipped, skip
		case n.Status != types.NodegroupStatusActive:
			// EKS refuses to change a node group that is being created, updated or
			// repaired.
			r.Action, r.Reason = NotStopped, notStoppedReason("node group "+strings.ToLower(string(n.Status)))
		case p.payload.DryRun:
			r.Action, r.Reason = WouldStop, table.Cell(note, fmt.Sprintf("min/desired/max %s would be recorded and the node group scaled to 0/0/%d", c, c.max))
		case p.scaleInNodegroup(ctx, &r, n, c):
			r.Reason = table.Cell(note, fmt.Sprintf("min/desired/max %s recorded, scaled to 0/0/%d", c, c.max))
		default:
			r.Reason = note
		}
		p.add(ctx, r)
		return nil
	})
}

// scaleInNodegroup marks the node group with its capacity, then scales it to zero, and
// reports whether it did; the mark is removed again when AWS refuses the update.
func (p *pair) scaleInNodegroup(ctx context.Context, r *Resource, n nodegroup, c capacity) bool {
	arn := aws.ToString(n.NodegroupArn)
	return scaleInMarked(r, nodegroupMarkKeys,
		func() error {
			_, err := p.c.EKS.TagResource(ctx, &eks.TagResourceInput{ResourceArn: aws.String(arn), Tags: p.markWith(accounts.NodegroupScalingTag, c.String())})
			return err
		},
		func() error { return p.setScaling(ctx, n, capacity{0, 0, c.max}) },
		func() error { return p.untagNodegroup(ctx, arn) })
}

// start gives the node groups curfew scaled in their recorded capacity back,
// then removes the mark. A node group no longer at zero was scaled up by a person during
// the night: it is left as set and its mark removed.
func (eksNodegroups) start(ctx context.Context, p *pair) error {
	return eachOf(ctx, p.nodegroups, func(n nodegroup) error {
		r := Resource{Type: EKSNodegroup, ID: n.id()}
		if !nodegroupMarked(n.Tags) || !p.payload.wants(r.ID) {
			return nil
		}
		now := n.capacity()
		rec, err := parseCapacity(accounts.NodegroupScalingTag, n.Tags[accounts.NodegroupScalingTag])
		switch {
		case err != nil:
			r.Action, r.Error = ActionFailed, fmt.Sprintf("cannot read the capacity curfew recorded: %v; the node group was left as it is (min/desired/max %s) and keeps its mark: set its scaling by hand", err, now)
		case !now.atZero():
			p.leaveAsSet(&r, fmt.Sprintf("scaling changed during the night to min/desired/max %s by a person (curfew had recorded %s)", now, rec),
				func() error { return p.untagNodegroup(ctx, aws.ToString(n.NodegroupArn)) })
		case p.payload.DryRun:
			r.Action, r.Reason = WouldStart, fmt.Sprintf("min/desired/max %s would be restored", rec)
		default:
			p.restoreNodegroup(ctx, &r, n, rec)
		}
		p.add(ctx, r)
		return nil
	})
}

func (p *pair) restoreNodegroup(ctx context.Context, r *Resource, n nodegroup, rec capacity) {
	if err := p.setScaling(ctx, n, rec); err != nil {
		restoreFailed(r, "min/desired/max "+rec.String(), err)
		return
	}
	restored(r, fmt.Sprintf("min/desired/max %s restored", rec), func() error { return p.untagNodegroup(ctx, aws.ToString(n.NodegroupArn)) })
}

// nodegroupVerdict says why a node group that runs nodes must keep them (skip), or what
// is worth noting about scaling it in.
func nodegroupVerdict(n nodegroup, now time.Time) (skip, note string) {
	if v := skipTagged(n.Tags); v != "" {
		return v, ""
	}
	return snoozedOrUpAgain(n.Tags, now, nodegroupMarked(n.Tags), "scaled up again")
}

// nodegroupDimensions are what the price of a node group's nodes depends on besides their
// type: how they are bought (capacityType) and their operating system (amiType: Windows
// AMIs are WINDOWS_*; Amazon Linux and Bottlerocket, x86 or ARM, are Linux). A CUSTOM AMI
// (from a launch template) is not told apart. The nodes' architecture is their type's.
func nodegroupDimensions(n types.Nodegroup) history.Dimensions {
	var d history.Dimensions
	switch n.CapacityType {
	case types.CapacityTypesOnDemand:
		d.Capacity = history.OnDemand
	case types.CapacityTypesSpot:
		d.Capacity = history.Spot
	case "":
	default:
		d.Capacity = strings.ToLower(strings.ReplaceAll(string(n.CapacityType), "_", "-"))
	}
	switch ami := string(n.AmiType); {
	case strings.HasPrefix(ami, "WINDOWS_"):
		d.Platform = "Windows"
	case strings.HasPrefix(ami, "AL2"), strings.HasPrefix(ami, "BOTTLEROCKET"):
		d.Platform = "Linux/UNIX"
	}
	return d
}

// nodesNote names the node group's instance types, for the report.
func nodesNote(n nodegroup) string {
	if len(n.InstanceTypes) == 0 {
		return ""
	}
	return "instance types " + strings.Join(n.InstanceTypes, ", ")
}

func nodegroupMarked(tags map[string]string) bool {
	_, c := tags[accounts.NodegroupScalingTag]
	return c || marked(tags)
}

// eksNotFound reports whether EKS answered that the resource does not exist.
func eksNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException"
}

// setScaling sets the node group's min/desired/max, and nothing else of it.
func (p *pair) setScaling(ctx context.Context, n nodegroup, c capacity) error {
	_, err := p.c.EKS.UpdateNodegroupConfig(ctx, &eks.UpdateNodegroupConfigInput{
		ClusterName: aws.String(n.cluster), NodegroupName: n.NodegroupName,
		ScalingConfig: &types.NodegroupScalingConfig{MinSize: aws.Int32(c.min), DesiredSize: aws.Int32(c.desired), MaxSize: aws.Int32(c.max)},
	})
	return err
}

func (p *pair) untagNodegroup(ctx context.Context, arn string) error {
	_, err := p.c.EKS.UntagResource(ctx, &eks.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: nodegroupMarkKeys})
	return err
}

// nodegroups reads every managed node group of every EKS cluster of the pair.
func (p *pair) nodegroups(ctx context.Context) ([]nodegroup, error) {
	pages := eks.NewListClustersPaginator(p.c.EKS, &eks.ListClustersInput{MaxResults: aws.Int32(100)})
	clusters, err := paging.All(ctx, pages, func(page *eks.ListClustersOutput) []string { return page.Clusters })
	if err != nil {
		return nil, fmt.Errorf("list EKS clusters in %s: %w", p.where(), err)
	}
	var out []nodegroup
	for _, cluster := range clusters {
		pages := eks.NewListNodegroupsPaginator(p.c.EKS, &eks.ListNodegroupsInput{ClusterName: aws.String(cluster), MaxResults: aws.Int32(100)})
		names, err := paging.All(ctx, pages, func(page *eks.ListNodegroupsOutput) []string { return page.Nodegroups })
		if err != nil {
			return nil, fmt.Errorf("list the node groups of EKS cluster %s in %s: %w", cluster, p.where(), err)
		}
		for _, name := range names {
			d, err := p.c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
			if eksNotFound(err) {
				continue // deleted since it was listed
			}
			if err != nil {
				return nil, fmt.Errorf("describe node group %s/%s in %s: %w", cluster, name, p.where(), err)
			}
			out = append(out, nodegroup{Nodegroup: *d.Nodegroup, cluster: cluster})
		}
	}
	return out, nil
}
