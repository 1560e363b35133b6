package fleet_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// A stopped Aurora cluster is billed as its member instances, so the shutdown records
// each member's DB instance class, the cluster's engine and its storage type (Standard
// and I/O-Optimized instances are priced apart) in the run history, read from
// the cluster's DBClusterMembers and the instances moto describes: two db.r6g.large
// members of aurora (Standard), one db.serverless (Serverless v2) member of flex
// (I/O-Optimized).
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
	if _, err := f.rds("staging", west).ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{
		DBClusterIdentifier: aws.String("flex"), StorageType: aws.String(history.AuroraIOOptimized), ApplyImmediately: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	h, _, _ := f.handler(history.Shutdown)

	runs := shutdownHistory(t, f, h)

	want := map[string]history.Change{
		"aurora": {Members: []string{"db.r6g.large", "db.r6g.large"}, Dimensions: history.Dimensions{Engine: "aurora-postgresql", Storage: history.AuroraStandard}},
		"flex":   {Members: []string{"db.serverless"}, Dimensions: history.Dimensions{Engine: "aurora-mysql", Storage: history.AuroraIOOptimized}},
	}
	for _, c := range runs[0].Changes {
		w, ok := want[c.ID]
		if !ok || c.Type != history.AuroraCluster {
			continue
		}
		delete(want, c.ID)
		if c.Did(runs[0].Kind) != history.Stopped || !slices.Equal(c.Members, w.Members) || c.Dimensions != w.Dimensions {
			t.Errorf("the shutdown's history of %s: %s, members %v, %+v; want stopped, members %v, %+v",
				c.ID, c.Did(runs[0].Kind), c.Members, c.Dimensions, w.Members, w.Dimensions)
		}
	}
	for id := range want {
		t.Errorf("the shutdown's history has no change for cluster %s", id)
	}
}

// shutdownHistory runs the shutdown h into a new run history and returns its one run.
func shutdownHistory(t *testing.T, f *testFleet, h fleet.Handler) []history.Run {
	t.Helper()
	ctx := t.Context()
	client := emulator.S3(f.config("home", west))
	store := &history.Store{Client: client, Bucket: "curfew-history-" + f.account("home").ID}
	emulator.Bucket(t, client, store.Bucket)
	since := clock.Now().Add(-time.Minute)
	h.History = store
	runHandler(t, h, `{"trigger":"schedule"}`)
	runs, err := store.Since(ctx, since)
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d runs in the history (%v), want 1", len(runs), err)
	}
	return runs
}

// A member the run's list of DB instances does not hold (created between that list and
// the cluster's describe) costs one describe of the cluster's instances, filtered by
// db-cluster-id, and is recorded with the others. The proxy drops aurora-2 from the
// unfiltered list.
func TestHistoryRecordsAuroraMemberCreatedSinceTheList(t *testing.T) {
	t.Parallel()
	f := emptyFleet(t)
	f.cluster("staging", west, "aurora", "aurora-postgresql", "provisioned")
	f.db("staging", west, "aurora-1", "aurora")
	if _, err := f.rds("staging", west).CreateDBInstance(t.Context(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("aurora-2"), Engine: aws.String("aurora-postgresql"),
		DBInstanceClass: aws.String("db.r6g.xlarge"), DBClusterIdentifier: aws.String("aurora"),
	}); err != nil {
		t.Fatal(err)
	}
	unfiltered := func(c faultproxy.Call) bool { return c.Params.Get("Filters.Filter.1.Name") == "" }
	h, p := f.faulty(history.Shutdown, false, faultproxy.Rule{Service: "rds", Action: "DescribeDBInstances", Kind: faultproxy.Rewrite,
		Match: unfiltered, Rewrite: func(_ faultproxy.Call, body []byte) []byte { return dropElement(body, "DBInstance", "aurora-2") }})

	runs := shutdownHistory(t, f, h)

	var got []string
	for _, c := range runs[0].Changes {
		if c.Type == history.AuroraCluster && c.ID == "aurora" {
			got = c.Members
		}
	}
	if want := []string{"db.r6g.large", "db.r6g.xlarge"}; !slices.Equal(got, want) {
		t.Errorf("the shutdown's history of aurora: members %v, want %v", got, want)
	}
	filtered := 0
	for _, c := range p.Calls() {
		if c.Action == "DescribeDBInstances" && c.Params.Get("Filters.Filter.1.Name") == "db-cluster-id" && c.Params.Get("Filters.Filter.1.Values.Value.1") == "aurora" {
			filtered++
		}
	}
	if filtered != 1 {
		t.Errorf("%d describes filtered by db-cluster-id=aurora, want 1", filtered)
	}
}

// dropElement removes from an XML answer the element named name that holds id.
func dropElement(body []byte, name, id string) []byte {
	at := bytes.Index(body, []byte(">"+id+"<"))
	if at < 0 {
		return body
	}
	open, end := []byte("<"+name+">"), []byte("</"+name+">")
	from := bytes.LastIndex(body[:at], open)
	to := bytes.Index(body[at:], end)
	if from < 0 || to < 0 {
		return body
	}
	return append(slices.Clone(body[:from]), body[at+to+len(end):]...)
}
