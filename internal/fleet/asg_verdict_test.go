package fleet

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/curfew/curfew/internal/accounts"
)

func TestGroupVerdict(t *testing.T) {
	group := func(tags map[string]string, edit func(*asgtypes.AutoScalingGroup)) asgtypes.AutoScalingGroup {
		g := asgtypes.AutoScalingGroup{AutoScalingGroupName: aws.String("web"),
			Instances: []asgtypes.Instance{{InstanceId: aws.String("i-1"), ProtectedFromScaleIn: aws.Bool(false)}}}
		for k, v := range tags {
			g.Tags = append(g.Tags, asgtypes.TagDescription{Key: aws.String(k), Value: aws.String(v)})
		}
		if edit != nil {
			edit(&g)
		}
		return g
	}
	suspended := func(name string) func(*asgtypes.AutoScalingGroup) {
		return func(g *asgtypes.AutoScalingGroup) {
			g.SuspendedProcesses = []asgtypes.SuspendedProcess{{ProcessName: aws.String(name)}}
		}
	}
	tests := []struct {
		name       string
		g          asgtypes.AutoScalingGroup
		skip, note string
	}{
		{"plain", group(nil, nil), "", ""},
		{"skip tag", group(map[string]string{accounts.SkipTag: "True"}, nil), "tagged curfew:skip=true", ""},
		{"snoozed", group(map[string]string{accounts.SnoozeUntilTag: "2026-11-28T09:00:00+01:00"}, nil), "snoozed until", ""},
		{"snooze expired", group(map[string]string{accounts.SnoozeUntilTag: "2026-11-27T18:00:00Z"}, nil), "", "snooze expired"},
		{"EKS managed node group", group(map[string]string{"eks:nodegroup-name": "ng-1", "eks:cluster-name": "dev"}, nil), "group of EKS managed node group ng-1", ""},
		{"ECS capacity provider", group(map[string]string{"AmazonECSManaged": ""}, nil), "group of an ECS capacity provider", ""},
		{"Terminate suspended", group(nil, suspended("Terminate")), "process Terminate is suspended", ""},
		{"Launch suspended", group(nil, suspended("Launch")), "process Launch is suspended", ""},
		{"other process suspended", group(nil, suspended("AZRebalance")), "", ""},
		{"warm pool", group(nil, func(g *asgtypes.AutoScalingGroup) { g.WarmPoolConfiguration = &asgtypes.WarmPoolConfiguration{} }), "has a warm pool", ""},
		{"protected instance", group(nil, func(g *asgtypes.AutoScalingGroup) { g.Instances[0].ProtectedFromScaleIn = aws.Bool(true) }), "instance i-1 is protected from scale-in", ""},
		{"marked and up again", group(map[string]string{accounts.StoppedByRunTag: "r1", accounts.StoppedAtTag: "t", accounts.CapacityTag: "1/1/1"}, nil), "", "marked by run r1 at t, scaled up again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			skip, note := groupVerdict(tc.g, now)
			checkVerdict(t, "groupVerdict", skip, note, tc.skip, tc.note)
		})
	}
}

func TestParseCapacity(t *testing.T) {
	for _, v := range []string{"1/2/4", "0/0/0", "0/3/3"} {
		if c, err := parseCapacity(accounts.CapacityTag, v); err != nil || c.String() != v {
			t.Errorf("parseCapacity(%q) = %v, %v", v, c, err)
		}
	}
	for _, v := range []string{"", "1/2", "1/2/3/4", "2/1/3", "1/3/2", "-1/0/1", "a/b/c", "1/2/ 4", "1/2/99999999999"} {
		if c, err := parseCapacity(accounts.CapacityTag, v); err == nil {
			t.Errorf("parseCapacity(%q) = %v, want an error", v, c)
		}
	}
}
