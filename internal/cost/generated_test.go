package cost_test

import (
	"context"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
)

// generatedTable is the table the generator makes of its fixture (pricetable's golden):
// us-east-1 and eu-west-1 at test prices, AmazonEC2 published 2025-09-12, AmazonRDS
// 2026-04-28.
func generatedTable(t *testing.T) cost.Table {
	t.Helper()
	b, err := os.ReadFile("pricetable/testdata/table.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	table, err := cost.ParseTable(b)
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// weekend is a resource in region stopped from Friday 19:00 to Monday 07:00, 60 h.
func weekend(region, id, kind, size string, dims history.Dimensions) []history.Change {
	c := func(action string, at time.Time) history.Change {
		ch := history.Change{Account: "staging", Region: region, Type: kind, ID: id, Size: size, At: at, Action: action}
		ch.Dimensions = dims
		return ch
	}
	return []history.Change{c(history.Stopped, nov(6, 19, 0)), c(history.Started, nov(9, 7, 0))}
}

// With a generated table, a Multi-AZ PostgreSQL db.m5.large in eu-west-1 and a Windows
// m5.large there are priced at their own rows (40.40 and 23.23 an hour) with no gap. What
// the table lacks falls back with the gap stated: the same database in ap-southeast-2 at
// us-east-1's Multi-AZ PostgreSQL (34.34), an Oracle one in eu-west-1 at the basis row,
// us-east-1's MySQL Single-AZ (31.31). The basis states the files' publication dates and
// regions.
func TestGeneratedTablePricesEachResourceFromItsOwnRow(t *testing.T) {
	sydney := history.Pair{Account: "staging", Region: "ap-southeast-2"}
	sweep := []history.Pair{staging, sydney}
	multiAZ := history.Dimensions{Engine: "postgres", MultiAZ: true}
	resources := [][]history.Change{
		weekend("eu-west-1", "pg", history.RDSInstance, "db.m5.large", multiAZ),
		weekend("eu-west-1", "i-win", history.EC2Instance, "m5.large", history.Dimensions{Platform: "Windows", Tenancy: "default"}),
		weekend("ap-southeast-2", "pg-syd", history.RDSInstance, "db.m5.large", multiAZ),
		weekend("eu-west-1", "ora", history.RDSInstance, "db.m5.large", history.Dimensions{Engine: "oracle-ee"}),
	}
	var stops, starts []history.Change
	for _, r := range resources {
		stops, starts = append(stops, r[0]), append(starts, r[1])
	}
	runs := []history.Run{
		scheduled(history.Shutdown, nov(6, 19, 0), sweep, stops...),
		scheduled(history.Restart, nov(9, 7, 0), sweep, starts...),
	}

	s := cost.EstimateWith(context.Background(), runs, pairingStart, pairingEnd, generatedTable(t))

	if want := 60 * (40.40 + 23.23 + 34.34 + 31.31); !near(s.Total(), want) {
		t.Errorf("total = %v, want %v", s.Total(), want)
	}
	wantGaps := []cost.OffBasis{
		{What: "RDS oracle-ee priced as MySQL", Hours: 60},
		{What: "in ap-southeast-2 priced at us-east-1's rates", Hours: 60},
		{What: "in eu-west-1 priced at us-east-1's rates", Hours: 60},
	}
	if !reflect.DeepEqual(s.OffBasis, wantGaps) {
		t.Errorf("off basis = %+v, want %+v", s.OffBasis, wantGaps)
	}
	const basis = "on-demand list prices in USD of 2 regions (eu-west-1, us-east-1) (EC2: Linux, RHEL, " +
		"SUSE, Windows on dedicated, host, shared tenancy; RDS: Aurora PostgreSQL, MySQL, PostgreSQL " +
		"Multi-AZ and Single-AZ), from AWS's public price list files (AmazonEC2 published 2025-09-12; " +
		"AmazonRDS published 2026-04-28), a region it lacks priced at us-east-1's rates and an " +
		"operating system, tenancy, engine or deployment it lacks as Linux shared tenancy or MySQL " +
		"Single-AZ; compute only (storage is billed while stopped); Aurora clusters as the sum of " +
		"their member instances' prices for the cluster's engine (a cluster with a Serverless v2 " +
		"member, or with a member the table lacks, is counted in hours but not priced); unlisted " +
		"sizes are counted in hours but not priced; " + cost.Discounts
	if s.Basis() != basis {
		t.Errorf("basis:\n%s\nwant:\n%s", s.Basis(), basis)
	}
}

// A cluster of two db.r6g.large Aurora PostgreSQL in eu-west-1 stopped 12 h is priced
// from the generated table's own Aurora row (42.42 an hour each); Aurora MySQL, which the
// files gave two prices (as for standard and I/O-Optimized), is left unpriced, and so is
// a cluster stopped for a weekend in a region the table lacks: us-east-1's Aurora price
// is not the region's.
func TestGeneratedTablePricesAuroraMembersFromTheirOwnRow(t *testing.T) {
	table := generatedTable(t)

	s := cost.EstimateWith(context.Background(), auroraRuns("aurora-postgresql", "db.r6g.large", "db.r6g.large"), pairingStart, pairingEnd, table)
	if want := 12 * 2 * 42.42; len(s.Accounts) != 1 || !near(s.Total(), want) || s.Accounts[0].UnpricedHours != 0 {
		t.Errorf("accounts = %+v, total %v; want %v", s.Accounts, s.Total(), want)
	}
	if want := []cost.PriceSource{{What: cost.SourceTable, Hours: 12}}; !slices.Equal(s.PriceSources, want) || len(s.OffBasis) != 0 {
		t.Errorf("price sources = %+v, off basis %+v; want %+v and nothing off basis", s.PriceSources, s.OffBasis, want)
	}

	s = cost.EstimateWith(context.Background(), auroraRuns("aurora-mysql", "db.r6g.large"), pairingStart, pairingEnd, table)
	if want := []string{"Aurora cluster (" + cost.AuroraTableOnly + ")"}; s.Total() != 0 || !slices.Equal(s.Accounts[0].Unpriced, want) {
		t.Errorf("accounts = %+v; want Aurora MySQL not priced, as %q", s.Accounts, want)
	}

	sydney := history.Pair{Account: "staging", Region: "ap-southeast-2"}
	cluster := weekend(sydney.Region, "aurora", history.AuroraCluster, "", history.Dimensions{Engine: "aurora-postgresql"})
	cluster[0].Members = []string{"db.r6g.large"}
	runs := []history.Run{
		scheduled(history.Shutdown, nov(6, 19, 0), []history.Pair{sydney}, cluster[0]),
		scheduled(history.Restart, nov(9, 7, 0), []history.Pair{sydney}, cluster[1]),
	}
	s = cost.EstimateWith(context.Background(), runs, pairingStart, pairingEnd, table)
	if s.Total() != 0 || len(s.Accounts) != 1 || !near(s.Accounts[0].UnpricedHours, 60) {
		t.Errorf("accounts = %+v; want the cluster in ap-southeast-2 not priced", s.Accounts)
	}
}
