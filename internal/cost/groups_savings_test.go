package cost_test

import (
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/history"
)

// A group, node group or service scaled to zero saves each of the instances or tasks it
// ran: a group's instance type × its count, priced as EC2 instances; a Fargate service's
// tasks by their vCPU and memory. A group of mixed instance types, and tasks on EC2 (their
// instances are priced), are counted in hours but not priced.
func TestGroupSavingsCountEveryInstance(t *testing.T) {
	stop := time.Date(2026, time.November, 20, 19, 0, 0, 0, time.UTC)
	start := stop.Add(11 * time.Hour)
	change := func(kind, id, size string, count int, at time.Time) history.Change {
		return history.Change{Account: "staging", Region: "eu-west-1", Type: kind, ID: id, Size: size, Count: count, At: at}
	}
	changes := func(at time.Time) []history.Change {
		return []history.Change{
			change(history.AutoScalingGroup, "web", "t3.micro", 2, at),
			change(history.EKSNodegroup, "dev/general", "m5.large", 3, at),
			change(history.AutoScalingGroup, "mixed", "", 2, at),
			change(history.ECSService, "apps/api", "", 4, at),
			change(history.ECSService, "apps/web", history.FargateSize("512", "1024"), 3, at),
		}
	}
	s := estimate([]history.Run{
		{ID: "r1", Kind: history.Shutdown, Started: stop, Changes: changes(stop)},
		{ID: "r2", Kind: history.Restart, Started: start, Changes: changes(start)},
	}, stop.Add(-time.Hour), start.Add(time.Hour))
	if len(s.Accounts) != 1 {
		t.Fatalf("accounts %+v", s.Accounts)
	}
	a := s.Accounts[0]
	// A Fargate task of 0.5 vCPU and 1 GB: 0.5 × 0.04048 + 1 × 0.004445 an hour.
	wantSaved := 11 * (2*0.0104 + 3*0.096 + 3*(0.5*0.04048+0.004445))
	if a.Resources != 5 || !near(a.Hours, 11*(2+3+2+4+3)) || !near(a.UnpricedHours, 11*(2+4)) || !near(a.Saved, wantSaved) {
		t.Errorf("staging: %+v, want 5 resources, %v hours (%v unpriced), %.4f saved", a, 11*(2+3+2+4+3), 11*(2+4), wantSaved)
	}
	want := []string{"ECS service tasks on EC2 (their instances are priced) or of an unread Fargate size", "autoscaling-group (mixed instance types)"}
	if !slices.Equal(a.Unpriced, want) {
		t.Errorf("unpriced %q, want %q", a.Unpriced, want)
	}
}
