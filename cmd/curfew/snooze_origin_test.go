package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// Issue 30, item 3: `curfew snooze --list` says which snoozes a heads-up link set, as
// long as curfew:snoozed-by names the snooze's end; one snoozed again since is plain.
func TestSnoozeListShowsTheHeadsUpLink(t *testing.T) {
	s, mapPath, ids := developerWorld(t)
	ec2c := ec2.NewFromConfig(s.Account(t, ids["staging"], "eu-west-1"))
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	until := testNow.Add(12 * time.Hour).In(madrid).Format(time.RFC3339)
	by := "heads-up link of 19:30 until " + until
	launch := func(tags map[string]string) string {
		in := &ec2.RunInstancesInput{ImageId: aws.String(emulator.AMI), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro}
		spec := ec2types.TagSpecification{ResourceType: ec2types.ResourceTypeInstance}
		for k, v := range tags {
			spec.Tags = append(spec.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		in.TagSpecifications = []ec2types.TagSpecification{spec}
		out, err := ec2c.RunInstances(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Instances[0].InstanceId)
	}
	byLink := launch(map[string]string{accounts.SnoozeUntilTag: until, accounts.SnoozedByTag: by})
	again := launch(map[string]string{accounts.SnoozeUntilTag: testNow.Add(24 * time.Hour).Format(time.RFC3339), accounts.SnoozedByTag: by})

	list := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", "--list", "--region", "eu-west-1")
	if list.err != nil {
		t.Fatalf("snooze --list: %v\n%s", list.err, list.stderr)
	}
	lines := map[string]string{}
	for _, line := range strings.Split(list.stdout, "\n") {
		for _, id := range []string{byLink, again} {
			if strings.Contains(line, id) {
				lines[id] = line
			}
		}
	}
	if !strings.HasSuffix(lines[byLink], "12h left, kept up by the heads-up link of 19:30") {
		t.Errorf("the link's snooze is listed as %q", lines[byLink])
	}
	if !strings.HasSuffix(lines[again], "24h left") {
		t.Errorf("the snooze set again since is listed as %q", lines[again])
	}

	listJSON := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", "--list", "--region", "eu-west-1", "--json")
	var decoded struct{ Snoozed []struct{ ID, Origin string } }
	if err := json.Unmarshal([]byte(listJSON.stdout), &decoded); err != nil || listJSON.err != nil {
		t.Fatalf("snooze --list --json: %v, %v\n%s", listJSON.err, err, listJSON.stdout)
	}
	origins := map[string]string{}
	for _, s := range decoded.Snoozed {
		origins[s.ID] = s.Origin
	}
	if origins[byLink] != "heads-up link of 19:30" || origins[again] != "" || !strings.Contains(listJSON.stdout, `"origin": "heads-up link of 19:30"`) {
		t.Errorf("snooze --list --json origins = %v\n%s", origins, listJSON.stdout)
	}
}
