package fleet

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/history"
)

// A group's capacity is recorded from its running members as DescribeInstances gives
// them (moto gives no PlatformDetails and launches no Spot member, so this reads the
// describe output AWS documents): their platform and tenancy when all share them, Spot,
// on-demand or mixed by their InstanceLifecycle; with no member seen, from the group's
// mixed instances policy; else nothing.
func TestGroupDimensions(t *testing.T) {
	member := func(platform string, spot bool) ec2types.Instance {
		in := ec2types.Instance{PlatformDetails: aws.String(platform), Placement: &ec2types.Placement{Tenancy: ec2types.TenancyDefault}}
		if spot {
			in.InstanceLifecycle = ec2types.InstanceLifecycleTypeSpot
		}
		return in
	}
	policy := func(base, share *int32) asgtypes.AutoScalingGroup {
		return asgtypes.AutoScalingGroup{MixedInstancesPolicy: &asgtypes.MixedInstancesPolicy{
			InstancesDistribution: &asgtypes.InstancesDistribution{OnDemandBaseCapacity: base, OnDemandPercentageAboveBaseCapacity: share}}}
	}
	for _, tt := range []struct {
		name    string
		g       asgtypes.AutoScalingGroup
		members []ec2types.Instance
		want    history.Dimensions
	}{
		{"windows on-demand members", asgtypes.AutoScalingGroup{}, []ec2types.Instance{member("Windows", false), member("Windows", false)},
			history.Dimensions{Platform: "Windows", Tenancy: "default", Capacity: history.OnDemand}},
		{"spot members", policy(aws.Int32(0), aws.Int32(100)), []ec2types.Instance{member("Linux/UNIX", true)},
			history.Dimensions{Platform: "Linux/UNIX", Tenancy: "default", Capacity: history.Spot}},
		{"members of both kinds and platforms", asgtypes.AutoScalingGroup{}, []ec2types.Instance{member("Linux/UNIX", true), member("Windows", false)},
			history.Dimensions{Capacity: history.MixedCapacity}},
		{"no member seen, spot policy", policy(aws.Int32(0), aws.Int32(0)), nil, history.Dimensions{Capacity: history.Spot}},
		{"no member seen, default policy", policy(nil, nil), nil, history.Dimensions{Capacity: history.OnDemand}},
		{"no member seen, a base of on-demand", policy(aws.Int32(1), aws.Int32(0)), nil, history.Dimensions{Capacity: history.MixedCapacity}},
		{"no member seen, no policy", asgtypes.AutoScalingGroup{}, nil, history.Dimensions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := groupDimensions(tt.g, tt.members); got != tt.want {
				t.Errorf("groupDimensions = %+v, want %+v", got, tt.want)
			}
		})
	}
}
