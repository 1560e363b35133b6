package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// runInstances starts n instances in c's account, tagged team=search.
func runInstances(t *testing.T, c *ec2.Client, n int32) []string {
	t.Helper()
	run, err := c.RunInstances(t.Context(), &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(n), MaxCount: aws.Int32(n),
		InstanceType: ec2types.InstanceTypeT3Micro,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("search")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, i := range run.Instances {
		ids = append(ids, aws.ToString(i.InstanceId))
	}
	return ids
}

// Issue 16, item 3: on a Friday evening (testNow: 19:30 in Madrid, the map's time zone)
// --tonight keeps the instance up until Monday's 07:30 start, and the answer says so in
// Madrid time and UTC, with Monday's 20:00 stop after it. --until 23:00 is 23:00 in
// Madrid, and the answer says that the next stop after it is Monday's: nothing stops it
// over the weekend. --cancel removes the snooze tag and nothing else, for an instance and
// an RDS database; cancelling again changes nothing.
func TestSnoozeTonightOnFridayUntilLocalTimeAndCancel(t *testing.T) {
	s, mapPath, ids := developerWorld(t)
	staging := s.Account(t, ids["staging"], "eu-west-1")
	ec2c, rdsc := ec2.NewFromConfig(staging), rds.NewFromConfig(staging)
	instance := runInstances(t, ec2c, 1)[0]
	db := emulator.CreateDB(t, rdsc, "orders-db")
	snooze := func(want string, args ...string) string {
		t.Helper()
		r := curfew(t, "123456\n", append([]string{"--map", mapPath, "snooze"}, args...)...)
		if r.err != nil {
			t.Fatalf("snooze %v: %v\n%s", args, r.err, r.stderr)
		}
		if _, got := emulator.InstanceState(t, ec2c, instance); got[accounts.SnoozeUntilTag] != want || got["team"] != "search" {
			t.Errorf("after snooze %v the instance's tags are %v, want %s=%q and team=search", args, got, accounts.SnoozeUntilTag, want)
		}
		return r.stdout
	}
	expect := func(out string, lines ...string) {
		t.Helper()
		for _, l := range lines {
			if !strings.Contains(out, l) {
				t.Errorf("output does not say %q:\n%s", l, out)
			}
		}
	}

	expect(snooze("2026-11-30T06:30:00Z", "staging", instance, "--tonight"),
		"snoozed EC2 instance "+instance+" in staging/eu-west-1 until Monday 30 Nov 2026 07:30 CET (2026-11-30T06:30:00Z), 60h from now",
		"--tonight: through the stop of Friday 27 Nov 2026 20:00 CET, until the scheduled start that follows it",
		"unless snoozed again, it runs until the next stop after that: Monday 30 Nov 2026 20:00 CET (2026-11-30T19:00:00Z); times in Europe/Madrid")
	expect(snooze("2026-11-27T22:00:00Z", "staging", instance, "--until", "23:00"),
		"until Friday 27 Nov 2026 23:00 CET (2026-11-27T22:00:00Z), 3h30m from now",
		"it runs until the next stop after that: Monday 30 Nov 2026 20:00 CET (2026-11-30T19:00:00Z)")
	expect(snooze("", "--cancel", "staging", instance),
		"cancelled the snooze of EC2 instance "+instance+" in staging/eu-west-1 (it was curfew:snooze-until=2026-11-27T22:00:00Z)",
		"if it is running then, the next stop stops it: Friday 27 Nov 2026 20:00 CET (2026-11-27T19:00:00Z)")
	expect(snooze("", "--cancel", "staging", instance), "EC2 instance "+instance+" in staging/eu-west-1 is not snoozed: nothing changed")

	r := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", "orders-db", "--until", "2026-11-30 09:00")
	if r.err != nil || !strings.Contains(r.stdout, "until Monday 30 Nov 2026 09:00 CET (2026-11-30T08:00:00Z)") {
		t.Fatalf("snooze orders-db: %v\n%s", r.err, r.stdout)
	}
	if r := curfew(t, "123456\n", "--map", mapPath, "snooze", "--cancel", "staging", "orders-db"); r.err != nil ||
		!strings.Contains(r.stdout, "cancelled the snooze of RDS instance orders-db") {
		t.Fatalf("cancel orders-db: %v\n%s", r.err, r.stdout)
	}
	tags, err := rdsc.ListTagsForResource(t.Context(), &rds.ListTagsForResourceInput{ResourceName: db.DBInstanceArn})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := rdsTag(tags.TagList); ok {
		t.Errorf("orders-db still carries %s=%s after --cancel", accounts.SnoozeUntilTag, v)
	}
}
