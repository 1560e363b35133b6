package cost

import (
	"github.com/curfew/curfew/internal/history"
)

// Why an Auto Scaling group's, node group's or Fargate service's hours are counted but
// not priced: what its capacity is bought as has no single on-demand price.
const (
	// CapacitySpot: Spot capacity (EC2 Spot, Fargate Spot) costs what its market asks each
	// hour, and the history does not hold those prices.
	CapacitySpot = "Spot: its price varies by the hour"
	// CapacityMixed: on-demand and Spot together, in a split the history does not hold.
	CapacityMixed = "on-demand and Spot mixed: how many of each ran is not recorded"
	// CapacityOther: another purchase (an EKS Capacity Block, paid ahead).
	CapacityOther = "capacity bought ahead (a Capacity Block)"
)

// capacityUnpriced says why the hours of a group, node group or service bought as dims
// says have no price, or "" when they are priced (on-demand, or not recorded).
func capacityUnpriced(kind string, dims history.Dimensions) string {
	switch kind {
	case history.AutoScalingGroup, history.EKSNodegroup, history.ECSService:
	default:
		return ""
	}
	switch dims.Capacity {
	case "", history.OnDemand:
		return ""
	case history.Spot:
		return CapacitySpot
	case history.MixedCapacity:
		return CapacityMixed
	}
	return CapacityOther
}

// What the prices of scaled-in capacity still do not tell apart; the basis states each
// whenever hours it concerns are priced in the estimate.
const (
	// GapGroupPlatform: the shutdown saw none of the group's members running, or they run
	// different operating systems, so its AMI's is not known.
	GapGroupPlatform = "Auto Scaling groups whose instances' operating system was not recorded " +
		"are priced as Linux, so Windows hours in them are understated"
	// GapGroupSpot: the shutdown saw none of the group's members and it has no mixed
	// instances policy: a Spot request in its launch template is not read.
	GapGroupSpot = "Auto Scaling groups whose instances' purchase was not recorded are priced as " +
		"on-demand (a Spot request in a launch template is not read), so Spot hours in them are overstated"
	// GapCustomAMI: a node group of a custom AMI (amiType CUSTOM) names no operating system.
	GapCustomAMI = "EKS node groups of a custom AMI are priced as Linux, so Windows hours in them are understated"
	// GapNotRecorded: runs written before capacity and platform were recorded.
	GapNotRecorded = "node groups and Fargate services of runs written before their capacity was " +
		"recorded are priced as Linux on-demand (x86 for Fargate)"
)

// capacityGaps are the gaps (Gap*) of the price of a priced group, node group or service.
func capacityGaps(kind string, dims history.Dimensions) []string {
	switch kind {
	case history.AutoScalingGroup:
		var out []string
		if dims.Platform == "" {
			out = append(out, GapGroupPlatform)
		}
		if dims.Capacity == "" {
			out = append(out, GapGroupSpot)
		}
		return out
	case history.EKSNodegroup:
		switch {
		case dims.Capacity == "":
			return []string{GapNotRecorded}
		case dims.Platform == "":
			return []string{GapCustomAMI}
		}
	case history.ECSService:
		if dims.Capacity == "" {
			return []string{GapNotRecorded}
		}
	}
	return nil
}
