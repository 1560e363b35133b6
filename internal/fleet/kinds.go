package fleet

import "context"

// resourceKind is one kind of resource the runs stop and start. Its file (ec2.go, asg.go,
// ecs.go, eks.go, rds.go with aurora.go) holds only what is particular to it: how its
// resources are described, judged, stopped and started. What the kinds share has one
// home: the mark, the refused stop and its unmark, the restart's verdicts (marks.go), tags
// and pages (tags.go), the order of the kinds, the batches and the errors (run.go).
type resourceKind interface {
	// stop stops, or scales in, the pair's resources of the kind that may be, each marked
	// just before and unmarked again when AWS refuses.
	stop(ctx context.Context, p *pair) error
	// start starts, or scales out, the pair's resources of the kind that carry curfew's
	// mark, and removes it.
	start(ctx context.Context, p *pair) error
}

// resourceKinds are the kinds in the shutdown's order: ECS services first (their tasks end
// before the capacity under them), then instances, Auto Scaling groups and EKS node
// groups, then databases. The restart takes them the other way round: databases first,
// so that applications find their databases starting, then node groups, groups and
// instances, then ECS services, whose tasks need that capacity.
var resourceKinds = []resourceKind{ecsServices{}, ec2Instances{}, autoScalingGroups{}, eksNodegroups{}, rdsDatabases{}}
