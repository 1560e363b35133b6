package fleet_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// groupFleet launches Auto Scaling groups over several accounts and regions:
//
//	staging/eu-west-1:    web 1/2/4 (a scheduled action scales it up at 05:00), person 2/2/3 (a person scales it up during the night),
//	                      kept 1/1/2 (curfew:skip=true), snoozed 1/1/1 (until tomorrow),
//	                      zero 0/0/3 (already at zero)
//	staging/eu-central-1: api 2/3/5
//	sandbox/eu-west-1:    dev 0/1/2
//	production/eu-west-1: prod 1/1/2
func groupFleet(t *testing.T) *testFleet {
	t.Helper()
	f := emptyFleet(t)
	f.group("staging", west, "web", "1/2/4", nil)
	if _, err := autoscaling.NewFromConfig(f.config("staging", west)).PutScheduledUpdateGroupAction(t.Context(), &autoscaling.PutScheduledUpdateGroupActionInput{
		AutoScalingGroupName: aws.String("web"), ScheduledActionName: aws.String("wake-up"),
		Recurrence: aws.String("0 5 * * MON-FRI"), MinSize: aws.Int32(1), DesiredCapacity: aws.Int32(2),
	}); err != nil {
		t.Fatal(err)
	}
	f.group("staging", west, "person", "2/2/3", nil)
	f.group("staging", west, "kept", "1/1/2", map[string]string{accounts.SkipTag: "true"})
	f.group("staging", west, "snoozed", "1/1/1", map[string]string{accounts.SnoozeUntilTag: clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
	f.group("staging", west, "zero", "0/0/3", nil)
	f.group("staging", central, "api", "2/3/5", nil)
	f.group("sandbox", west, "dev", "0/1/2", nil)
	f.group("production", west, "prod", "1/1/2", nil)
	return f
}

// The night and morning of Auto Scaling groups: scaled to zero with their capacity
// recorded on them, restored exactly, except a group a person scaled up during the night.
func TestGroupsScaledToZeroAndRestored(t *testing.T) {
	t.Parallel()
	f := groupFleet(t)
	before := f.observe()
	swept := sorted("web", "person", "api", "dev")
	skipped := map[string]string{"kept": "tagged curfew:skip=true", "snoozed": "snoozed until"}

	t.Run("dry run changes nothing", func(t *testing.T) {
		h, _, _ := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{"dryRun":true}`)
		if got := f.names(rep); !slices.Equal(got[fleet.WouldStop], swept) || !slices.Equal(got[fleet.Skipped], slices.Sorted(maps.Keys(skipped))) {
			t.Errorf("dry run: %v", got)
		}
		f.unchanged(t, before, "the dry run")
	})

	t.Run("shutdown", func(t *testing.T) {
		h, _, _ := f.handler(history.Shutdown)
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		got := f.names(rep) // an instance row would be an unknown resource
		if !slices.Equal(got[fleet.Stopped], swept) || rep.Failed() {
			t.Errorf("stopped %v, want %v; totals %+v", got[fleet.Stopped], swept, rep.Totals)
		}
		for name, reason := range skipped {
			if r := f.resource(rep, name); r.Action != fleet.Skipped || !strings.Contains(r.Reason, reason) {
				t.Errorf("%s: %s %q, want skipped %q", name, r.Action, r.Reason, reason)
			}
		}
		if r := f.resource(rep, "web"); r.Type != fleet.AutoScalingGroup ||
			!strings.Contains(r.Reason, "scheduled action wake-up (0 5 * * MON-FRI) gives it capacity") ||
			!strings.Contains(r.Reason, "min/desired/max 1/2/4 recorded, scaled to 0/0/4; its instances end with it: i-") {
			t.Errorf("web: %+v", r)
		}
		after := f.observe()
		for _, name := range swept {
			o, b := after[name], before[name]
			wantZero := "0/0/" + b.capacity[strings.LastIndex(b.capacity, "/")+1:]
			if o.capacity != wantZero || o.tags[accounts.CapacityTag] != b.capacity || o.tags[accounts.StoppedByRunTag] != rep.RunID {
				t.Errorf("%s after shutdown: %+v, want %s marked with %s", name, o, wantZero, b.capacity)
			}
		}
		for _, name := range []string{"kept", "snoozed", "zero", "prod"} {
			if !equalObserved(map[string]observed{name: after[name]}, map[string]observed{name: before[name]}) {
				t.Errorf("%s changed: %+v, was %+v", name, after[name], before[name])
			}
		}
		if n := f.instances("staging", west); n != 2 { // kept and snoozed
			t.Errorf("%d instances left in staging/eu-west-1, want 2", n)
		}
	})

	t.Run("a second shutdown is a no-op", func(t *testing.T) {
		h, c, _ := f.handler(history.Shutdown)
		was := f.observe()
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		if got := f.names(rep); len(got[fleet.Stopped]) > 0 || rep.Failed() {
			t.Errorf("second shutdown: %v", got)
		}
		f.unchanged(t, was, "the second shutdown")
		if c.Of("Auto Scaling UpdateAutoScalingGroup")+c.Of("Auto Scaling CreateOrUpdateTags") > 0 {
			t.Errorf("the second shutdown called %s", c)
		}
	})

	// A person needs the group tonight and scales it to 1/1/3.
	if _, err := autoscaling.NewFromConfig(f.config("staging", west)).UpdateAutoScalingGroup(t.Context(), &autoscaling.UpdateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String("person"), MinSize: aws.Int32(1), DesiredCapacity: aws.Int32(1),
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("restart dry run changes nothing", func(t *testing.T) {
		h, _, _ := f.handler(history.Restart)
		was := f.observe()
		rep := runHandler(t, h, `{"dryRun":true}`)
		if got := f.names(rep); !slices.Equal(got[fleet.WouldStart], without(swept, "person")) || !slices.Equal(got[fleet.LeftStopped], []string{"person"}) {
			t.Errorf("restart dry run: %v", got)
		}
		f.unchanged(t, was, "the dry run")
	})

	t.Run("restart", func(t *testing.T) {
		h, _, _ := f.handler(history.Restart)
		rep := runHandler(t, h, `{"trigger":"schedule"}`)
		got := f.names(rep)
		if !slices.Equal(got[fleet.Started], without(swept, "person")) || !slices.Equal(got[fleet.LeftStopped], []string{"person"}) || rep.Failed() {
			t.Errorf("restart: %v; totals %+v", got, rep.Totals)
		}
		if r := f.resource(rep, "person"); !strings.Contains(r.Reason, "changed during the night to min/desired/max 1/1/3") ||
			!strings.Contains(r.Reason, "left as set, mark removed") {
			t.Errorf("person: %+v", r)
		}
		after := f.observe()
		want := maps.Clone(before)
		want["person"] = observed{state: "running", tags: map[string]string{}, capacity: "1/1/3"}
		if !equalObserved(want, after) {
			t.Errorf("after restart:\n got %v\nwant %v", after, want)
		}
		// The mark stays on the group: the instances it launches carry none.
		if n := f.marked("staging", west); n != 0 {
			t.Errorf("%d instances in staging/eu-west-1 carry curfew's mark", n)
		}
	})
}

// A group whose scale-in AWS refuses is unmarked again and the others are scaled in all
// the same; a group curfew cannot tell the recorded capacity of is left as it is.
func TestGroupFailureDoesNotBlockOthers(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t)
	f.group("staging", west, "refused", "1/1/2", nil)
	f.group("staging", west, "web", "1/2/2", nil)
	before := f.observe()
	rep, _ := f.shutdownThrough(faultproxy.Rule{Service: "autoscaling", Action: "UpdateAutoScalingGroup",
		Match: func(c faultproxy.Call) bool { return c.Params.Get("AutoScalingGroupName") == "refused" },
		Kind:  faultproxy.Error, Code: "ValidationError", Status: 400})
	if got := f.names(rep); !slices.Equal(got[fleet.Stopped], []string{"web"}) || !slices.Equal(got[fleet.ActionFailed], []string{"refused"}) {
		t.Errorf("shutdown: %v", got)
	}
	if r := f.resource(rep, "refused"); !strings.Contains(r.Error, "its mark was removed again") {
		t.Errorf("refused: %+v", r)
	}
	after := f.observe()
	if !equalObserved(map[string]observed{"refused": after["refused"]}, map[string]observed{"refused": before["refused"]}) {
		t.Errorf("refused changed: %+v, was %+v", after["refused"], before["refused"])
	}
	if after["web"].capacity != "0/0/2" {
		t.Errorf("web: %+v", after["web"])
	}

	// A hand-edited record is not a capacity: the group stays at zero and keeps its mark.
	client := autoscaling.NewFromConfig(f.config("staging", west))
	if _, err := client.CreateOrUpdateTags(t.Context(), &autoscaling.CreateOrUpdateTagsInput{Tags: []asgtypes.Tag{{
		ResourceId: aws.String("web"), ResourceType: aws.String("auto-scaling-group"), Key: aws.String(accounts.CapacityTag),
		Value: aws.String("2/1"), PropagateAtLaunch: aws.Bool(false),
	}}}); err != nil {
		t.Fatal(err)
	}
	h, _, _ := f.handler(history.Restart)
	rep = runHandler(t, h, `{}`)
	if r := f.resource(rep, "web"); r.Action != fleet.ActionFailed || !strings.Contains(r.Error, "is not min/desired/max") {
		t.Errorf("web: %+v", r)
	}
	if o := f.observe()["web"]; o.capacity != "0/0/2" || !o.marked() {
		t.Errorf("web after restart: %+v", o)
	}
}

// instances counts the instances of an account×region that are running.
func (f *testFleet) instances(account, region string) int {
	return len(f.describeRunning(account, region))
}

// marked counts the running instances of an account×region that carry curfew's mark.
func (f *testFleet) marked(account, region string) int {
	n := 0
	for _, tags := range f.describeRunning(account, region) {
		if (observed{tags: tags}).marked() {
			n++
		}
	}
	return n
}

func (f *testFleet) describeRunning(account, region string) []map[string]string {
	f.t.Helper()
	out, err := f.ec2(account, region).DescribeInstances(f.t.Context(), &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"running", "pending"}}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	var tags []map[string]string
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			m := map[string]string{}
			for _, tg := range in.Tags {
				m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			tags = append(tags, m)
		}
	}
	return tags
}
