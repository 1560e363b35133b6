package fleet_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/curfew/curfew/internal/history"
)

// A stopped Aurora cluster is billed as its member instances, so the shutdown records
// each member's DB instance class and the cluster's engine in the run history, read from
// the cluster's DBClusterMembers and the instances moto describes: two db.r6g.large
// members of aurora, one db.serverless (Serverless v2) member of flex.
func TestHistoryRecordsAuroraMemberClasses(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t)
	f.cluster("staging", west, "aurora", "aurora-postgresql", "provisioned")
	f.db("staging", west, "aurora-1", "aurora")
	f.db("staging", west, "aurora-2", "aurora")
	f.cluster("staging", west, "flex", "aurora-mysql", "provisioned")
	ctx := t.Context()
	if _, err := f.rds("staging", west).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("flex-1"), Engine: aws.String("aurora-mysql"),
		DBInstanceClass: aws.String("db.serverless"), DBClusterIdentifier: aws.String("flex"),
	}); err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(f.config("home", west), func(o *s3.Options) { o.UsePathStyle = true })
	store := &history.Store{Client: client, Bucket: "curfew-history-" + f.account("home").ID}
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(store.Bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1},
	}); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Minute)

	h, _, _ := f.handler(history.Shutdown)
	h.History = store
	runHandler(t, h, `{"trigger":"schedule"}`)

	runs, err := store.Since(ctx, since)
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d runs in the history (%v), want 1", len(runs), err)
	}
	want := map[string]history.Change{
		"aurora": {Members: []string{"db.r6g.large", "db.r6g.large"}, Dimensions: history.Dimensions{Engine: "aurora-postgresql"}},
		"flex":   {Members: []string{"db.serverless"}, Dimensions: history.Dimensions{Engine: "aurora-mysql"}},
	}
	for _, c := range runs[0].Changes {
		w, ok := want[c.ID]
		if !ok || c.Type != history.AuroraCluster {
			continue
		}
		delete(want, c.ID)
		if c.Did(runs[0].Kind) != history.Stopped || !slices.Equal(c.Members, w.Members) || c.Engine != w.Engine {
			t.Errorf("the shutdown's history of %s: %s, members %v, engine %q; want stopped, members %v, engine %q",
				c.ID, c.Did(runs[0].Kind), c.Members, c.Engine, w.Members, w.Engine)
		}
	}
	for id := range want {
		t.Errorf("the shutdown's history has no change for cluster %s", id)
	}
}
