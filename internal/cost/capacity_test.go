package cost_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/history"
)

// capacityRuns is one night, 19:00 to 07:00 (12 h), of one scaled-in resource of kind in
// pair p: count × size bought and running as dims says.
func capacityRuns(p history.Pair, kind, size string, count int, dims history.Dimensions) []history.Run {
	c := func(action string, h int) history.Change {
		return history.Change{Account: p.Account, Region: p.Region, Type: kind, ID: "g", Size: size, Count: count,
			At: nov(h/24+2, h%24, 0), Action: action, Dimensions: dims}
	}
	only := []history.Pair{p}
	return []history.Run{
		scheduled(history.Shutdown, nov(2, 19, 0), only, c(history.Stopped, 19)),
		scheduled(history.Restart, nov(3, 7, 0), only, c(history.Started, 24+7)),
	}
}

// Each kind of capacity is priced as what it is: a Windows node group at the price list's
// Windows price, Fargate tasks on ARM and on Windows at their own Fargate rates; Spot
// capacity (EC2 Spot in a node group, Fargate Spot, a group whose mixed instances policy
// buys only Spot) and capacity of on-demand and Spot mixed are counted in hours and not
// priced at on-demand rates, with the reason named.
func TestSavingsPriceCapacityAsWhatItIs(t *testing.T) {
	frankfurt := history.Pair{Account: "staging", Region: "eu-central-1"}
	for _, tt := range []struct {
		name       string
		p          history.Pair
		kind, size string
		count      int
		dims       history.Dimensions
		hourly     float64 // 0: not priced
		unpriced   string
	}{
		// The price list's Windows m5.xlarge in eu-central-1 (testdata/pricelist.json), not
		// its Linux 0.23 nor the table's 0.192.
		{"windows node group", frankfurt, history.EKSNodegroup, "m5.xlarge", 2,
			history.Dimensions{Capacity: history.OnDemand, Platform: "Windows"}, 0.414, ""},
		// 0.5 vCPU × 0.03238 + 1 GB × 0.00356, where Linux/x86 is 0.5 × 0.04048 + 0.004445.
		{"windows group", frankfurt, history.AutoScalingGroup, "m5.xlarge", 1,
			history.Dimensions{Capacity: history.OnDemand, Platform: "Windows", Tenancy: "default"}, 0.414, ""},
		{"fargate arm", staging, history.ECSService, "fargate 512/1024", 3,
			history.Dimensions{Capacity: history.OnDemand, Platform: "Linux/UNIX", Architecture: "ARM64"}, 0.5*0.03238 + 0.00356, ""},
		// 1 vCPU × (0.09148 + the 0.046 licence) + 2 GB × 0.01005.
		{"fargate windows", staging, history.ECSService, "fargate 1024/2048", 1,
			history.Dimensions{Capacity: history.OnDemand, Platform: "Windows", Architecture: "X86_64"}, 0.09148 + 0.046 + 2*0.01005, ""},
		{"fargate spot", staging, history.ECSService, "fargate 512/1024", 3,
			history.Dimensions{Capacity: history.Spot, Platform: "Linux/UNIX", Architecture: "ARM64"}, 0, "Fargate tasks (" + cost.CapacitySpot + ")"},
		{"spot node group", staging, history.EKSNodegroup, "m6g.large", 2,
			history.Dimensions{Capacity: history.Spot, Platform: "Linux/UNIX"}, 0, "eks-nodegroup m6g.large (" + cost.CapacitySpot + ")"},
		{"spot group", staging, history.AutoScalingGroup, "m5.xlarge", 2,
			history.Dimensions{Capacity: history.Spot}, 0, "autoscaling-group m5.xlarge (" + cost.CapacitySpot + ")"},
		{"mixed group", staging, history.AutoScalingGroup, "m5.xlarge", 4,
			history.Dimensions{Capacity: history.MixedCapacity}, 0, "autoscaling-group m5.xlarge (" + cost.CapacityMixed + ")"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := cost.EstimateWith(context.Background(), capacityRuns(tt.p, tt.kind, tt.size, tt.count, tt.dims), pairingStart, pairingEnd,
				&cost.PriceList{Client: newFakePricing(t), Table: costtest.Table()})
			if len(s.Accounts) != 1 {
				t.Fatalf("%d accounts, want 1", len(s.Accounts))
			}
			a := s.Accounts[0]
			hours := 12 * float64(tt.count)
			if !near(a.Hours, hours) || !near(a.Saved, hours*tt.hourly) {
				t.Errorf("%g h, saved %.6f; want %g h, saved %.6f (%g an hour)", a.Hours, a.Saved, hours, hours*tt.hourly, tt.hourly)
			}
			if tt.unpriced == "" && (a.UnpricedHours != 0 || a.Unpriced != nil) {
				t.Errorf("unpriced %g h %q, want every hour priced", a.UnpricedHours, a.Unpriced)
			}
			if tt.unpriced != "" && (!near(a.UnpricedHours, hours) || !slices.Equal(a.Unpriced, []string{tt.unpriced})) {
				t.Errorf("unpriced %g h %q, want %g h %q", a.UnpricedHours, a.Unpriced, hours, tt.unpriced)
			}
			if len(s.CapacityGaps) != 0 {
				t.Errorf("capacity gaps %q, want none: the capacity is priced as what it is", s.CapacityGaps)
			}
		})
	}
}

// What the run history still does not tell apart is stated in the basis whenever hours it
// concerns are priced, and only then: an Auto Scaling group's operating system and
// purchase when the shutdown saw none of its members (and, for the purchase, it has no
// mixed instances policy), a node group's custom AMI, and group capacity of runs written
// before it was recorded.
func TestSavingsStateTheGapOfGroupCapacity(t *testing.T) {
	for _, tt := range []struct {
		name string
		kind string
		dims history.Dimensions
		gaps []string
	}{
		{"group of an old run, or whose members were not seen", history.AutoScalingGroup, history.Dimensions{}, []string{cost.GapGroupPlatform, cost.GapGroupSpot}},
		{"on-demand group by its policy", history.AutoScalingGroup, history.Dimensions{Capacity: history.OnDemand}, []string{cost.GapGroupPlatform}},
		{"windows group by its members", history.AutoScalingGroup, history.Dimensions{Capacity: history.OnDemand, Platform: "Windows", Tenancy: "default"}, nil},
		{"node group of a custom AMI", history.EKSNodegroup, history.Dimensions{Capacity: history.OnDemand}, []string{cost.GapCustomAMI}},
		{"node group of an old run", history.EKSNodegroup, history.Dimensions{}, []string{cost.GapNotRecorded}},
		{"linux node group", history.EKSNodegroup, history.Dimensions{Capacity: history.OnDemand, Platform: "Linux/UNIX"}, nil},
		{"spot node group (not priced)", history.EKSNodegroup, history.Dimensions{Capacity: history.Spot, Platform: "Linux/UNIX"}, nil},
		{"instance", history.EC2Instance, history.Dimensions{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := estimate(capacityRuns(staging, tt.kind, "m5.xlarge", 2, tt.dims), pairingStart, pairingEnd)
			if !slices.Equal(s.CapacityGaps, tt.gaps) {
				t.Errorf("capacity gaps %q, want %q", s.CapacityGaps, tt.gaps)
			}
			for _, g := range []string{cost.GapGroupPlatform, cost.GapGroupSpot, cost.GapCustomAMI, cost.GapNotRecorded} {
				stated := strings.Contains(strings.ToLower(s.Basis()), strings.ToLower(g))
				if stated != slices.Contains(tt.gaps, g) {
					t.Errorf("basis %q states %q: %v, want %v", s.Basis(), g, stated, !stated)
				}
			}
		})
	}
}
