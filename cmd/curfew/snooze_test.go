package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// A developer snoozes an EC2 instance, an RDS instance and an Aurora cluster in staging
// through her own profile (DeveloperAccess with MFA) and lists them.
func TestSnoozeTagsThroughDeveloperProfile(t *testing.T) {
	s, mapPath, ids := developerWorld(t)
	staging := s.Account(t, ids["staging"], "eu-west-1")
	ec2c, rdsc := ec2.NewFromConfig(staging), rds.NewFromConfig(staging)
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}

	instance := emulator.RunInstance(t, ec2c)
	db := emulator.CreateDB(t, rdsc, "orders-db")
	cluster, err := rdsc.CreateDBCluster(t.Context(), &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("search"), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-secret-1"),
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		id, until, kind string
		want            time.Time
	}{
		{instance, "12h", "EC2 instance", testNow.Add(12 * time.Hour)},
		{"orders-db", "2026-11-28T09:00:00+01:00", "RDS instance", time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)},
		{"search", "2d", "Aurora cluster", testNow.Add(48 * time.Hour)},
	}
	for _, tt := range tests {
		// Each run loads the profile afresh, so each asks for the MFA code once.
		r := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", tt.id, "--until", tt.until)
		if r.err != nil {
			t.Fatalf("snooze %s: %v\n%s", tt.id, r.err, r.stderr)
		}
		if !strings.Contains(r.stderr, `MFA code for profile "staging"`) {
			t.Errorf("no MFA prompt on stderr: %q", r.stderr)
		}
		want := "snoozed " + tt.kind + " " + tt.id + " in staging/eu-west-1 until " +
			tt.want.In(madrid).Format("Monday 2 Jan 2006 15:04 MST") + " (" + tt.want.Format(time.RFC3339) + ")"
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout %q does not say %q", r.stdout, want)
		}
	}

	value := testNow.Add(12 * time.Hour).Format(time.RFC3339)
	tags, err := ec2c.DescribeTags(t.Context(), &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
		{Name: aws.String("resource-id"), Values: []string{instance}},
		{Name: aws.String("key"), Values: []string{accounts.SnoozeUntilTag}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != value {
		t.Errorf("EC2 instance tags = %+v, want %s=%s", tags.Tags, accounts.SnoozeUntilTag, value)
	}
	for arn, want := range map[string]string{
		aws.ToString(db.DBInstanceArn):               "2026-11-28T08:00:00Z",
		aws.ToString(cluster.DBCluster.DBClusterArn): testNow.Add(48 * time.Hour).Format(time.RFC3339),
	} {
		out, err := rdsc.ListTagsForResource(t.Context(), &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := rdsTag(out.TagList); !ok || v != want {
			t.Errorf("%s tags = %+v, want %s=%s", arn, out.TagList, accounts.SnoozeUntilTag, want)
		}
	}

	list := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", "--list", "--region", "eu-west-1")
	if list.err != nil {
		t.Fatalf("snooze --list: %v\n%s", list.err, list.stderr)
	}
	holds(t, "--list output", list.stdout,
		"REGION     KIND            RESOURCE",
		"eu-west-1  EC2 instance    "+instance,
		"eu-west-1  RDS instance    orders-db",
		"2026-11-28T08:00:00Z  13h30m left",
		"Saturday 28 Nov 2026 09:00 CET  2026-11-28T08:00:00Z  13h30m left",
		"48h left",
		"eu-west-1  Aurora cluster  search",
	)
	// Issue 28, item 6: the same list as JSON, in the schema docs/operations.md gives.
	listJSON := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", "--list", "--region", "eu-west-1", "--json")
	var decoded struct {
		Account string
		Snoozed []struct {
			Region, Type, ID, Until string
			Expired, Valid          bool
		}
	}
	if err := json.Unmarshal([]byte(listJSON.stdout), &decoded); err != nil || listJSON.err != nil {
		t.Fatalf("snooze --list --json: %v, %v\n%s", listJSON.err, err, listJSON.stdout)
	}
	if decoded.Account != "staging" || len(decoded.Snoozed) != 3 || decoded.Snoozed[0].Type != "ec2-instance" || decoded.Snoozed[0].ID != instance ||
		decoded.Snoozed[0].Until != value || decoded.Snoozed[0].Region != "eu-west-1" || !decoded.Snoozed[0].Valid || decoded.Snoozed[0].Expired {
		t.Errorf("snooze --list --json = %+v", decoded)
	}

	missing := curfew(t, "123456\n", "--map", mapPath, "snooze", "staging", "i-0000000000000dead", "--until", "1h")
	if missing.err == nil || !strings.Contains(missing.err.Error(), `no EC2 instance, RDS instance or Aurora cluster "i-0000000000000dead"`) ||
		!strings.Contains(missing.err.Error(), "--region") {
		t.Errorf("snooze of a missing instance: %v", missing.err)
	}
}

// rdsTag is the snooze tag's value among an RDS resource's tags.
func rdsTag(tags []rdstypes.Tag) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == accounts.SnoozeUntilTag {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}
