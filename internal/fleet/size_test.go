package fleet

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
)

// The run history records what a group ran, for the savings: its instance type (none when
// mixed) and how many instances.
func TestGroupSizeForTheHistory(t *testing.T) {
	group := func(types ...string) asgtypes.AutoScalingGroup {
		var g asgtypes.AutoScalingGroup
		for _, ty := range types {
			g.Instances = append(g.Instances, asgtypes.Instance{InstanceType: aws.String(ty)})
		}
		return g
	}
	for _, tc := range []struct {
		g     asgtypes.AutoScalingGroup
		size  string
		count int
	}{
		{group(), "", 0},
		{group("t3.micro", "t3.micro"), "t3.micro", 2},
		{group("t3.micro", "m5.large", "t3.micro"), "", 3},
	} {
		if size, count := groupSize(tc.g); size != tc.size || count != tc.count {
			t.Errorf("groupSize(%v) = %q, %d; want %q, %d", tc.g.Instances, size, count, tc.size, tc.count)
		}
	}
	rep := Report{Results: []Result{{Account: "staging", Region: "eu-west-1", Resources: []Resource{
		{Type: AutoScalingGroup, ID: "web", Size: "t3.micro", Action: Stopped, count: 2},
		{Type: AutoScalingGroup, ID: "kept", Size: "t3.micro", Action: Skipped, count: 1},
	}}}}
	// The skipped group is kept too, with its size: the report prices what skips cost.
	if c := rep.changes(); len(c) != 2 || c[0].Count != 2 || c[0].Size != "t3.micro" || c[0].Action != "stopped" ||
		c[1].Count != 1 || c[1].Action != "skipped" {
		t.Errorf("changes = %+v", c)
	}
}
