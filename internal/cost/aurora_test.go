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

// auroraRuns: Aurora cluster aurora (Aurora Standard storage, engine, members of classes)
// in eu-west-1 stopped at 19:00 on 6 November and started at 07:00 on the 7th, 12 h.
func auroraRuns(engine string, classes ...string) []history.Run {
	return auroraStorageRuns(history.AuroraStandard, engine, classes...)
}

// auroraStorageRuns is auroraRuns with the cluster's storage type as the history
// recorded it ("" for a run written before it was).
func auroraStorageRuns(storage, engine string, classes ...string) []history.Run {
	c := func(action string, day, hour int) history.Change {
		ch := history.Change{Account: "staging", Region: "eu-west-1", Type: history.AuroraCluster, ID: "aurora", At: nov(day, hour, 0), Action: action}
		ch.Engine, ch.Storage = engine, storage
		if action == history.Stopped {
			ch.Members = classes
		}
		return ch
	}
	sweep := []history.Pair{staging}
	return []history.Run{
		scheduled(history.Shutdown, nov(6, 19, 0), sweep, c(history.Stopped, 6, 19)),
		scheduled(history.Restart, nov(7, 7, 0), sweep, c(history.Started, 7, 7)),
	}
}

// The golden Aurora saving: a cluster of 2 × db.r6g.large Aurora PostgreSQL in eu-west-1
// stopped 12 h is billed as its two members at the price list's Aurora PostgreSQL price
// in eu-west-1, 0.285 USD an hour each (not RDS PostgreSQL's 0.247, which the price list
// also holds): 12 × 2 × 0.285. The class is asked about once for both members.
func TestAuroraClusterIsPricedAsItsMembers(t *testing.T) {
	fake := newFakePricing(t)

	s := cost.EstimateWith(context.Background(), auroraRuns("aurora-postgresql", "db.r6g.large", "db.r6g.large"), pairingStart, pairingEnd, &cost.PriceList{Client: fake, Table: costtest.Table()})

	if want := 12 * 2 * 0.285; len(s.Accounts) != 1 || !near(s.Total(), want) || s.Accounts[0].UnpricedHours != 0 || len(s.Accounts[0].Unpriced) != 0 {
		t.Fatalf("accounts = %+v, total %v; want %v, nothing unpriced", s.Accounts, s.Total(), want)
	}
	if want := []cost.PriceSource{{What: cost.SourcePriceList, Hours: 12}}; !slices.Equal(s.PriceSources, want) {
		t.Errorf("price sources = %+v, want %+v", s.PriceSources, want)
	}
	if want := []string{"AmazonRDS regionCode=eu-west-1,instanceType=db.r6g.large,databaseEngine=Aurora PostgreSQL,storage=EBS Only"}; !slices.Equal(fake.Queries, want) {
		t.Errorf("queries = %q, want %q", fake.Queries, want)
	}
	if b := s.Basis(); !strings.Contains(b, "Aurora clusters as the sum of their member instances") {
		t.Errorf("basis = %q, want it to say how Aurora clusters are priced", b)
	}
}

// AWS lists each Aurora instance class twice under the same engine and region: Aurora
// Standard (storage "EBS Only") and I/O-Optimized (storage "Aurora IO Optimization Mode",
// 30 % dearer). The fixture holds both, as GetProducts returns them; each cluster is
// priced as the product of the storage type its run recorded.
func TestAuroraClusterIsPricedForItsStorageType(t *testing.T) {
	for _, tt := range []struct {
		storage, filter string
		hourly          float64
	}{
		{history.AuroraStandard, "EBS Only", 0.285},
		{history.AuroraIOOptimized, "Aurora IO Optimization Mode", 0.3705},
	} {
		t.Run(tt.storage, func(t *testing.T) {
			fake := newFakePricing(t)

			s := cost.EstimateWith(context.Background(), auroraStorageRuns(tt.storage, "aurora-postgresql", "db.r6g.large", "db.r6g.large"), pairingStart, pairingEnd, &cost.PriceList{Client: fake, Table: costtest.Table()})

			if want := 12 * 2 * tt.hourly; len(s.Accounts) != 1 || !near(s.Total(), want) || s.Accounts[0].UnpricedHours != 0 {
				t.Fatalf("accounts = %+v, total %v; want %v, nothing unpriced", s.Accounts, s.Total(), want)
			}
			if want := "storage=" + tt.filter; len(fake.Queries) != 1 || !strings.HasSuffix(fake.Queries[0], want) {
				t.Errorf("queries = %q, want one ending %q", fake.Queries, want)
			}
		})
	}
}

// What leaves a stopped Aurora cluster counted in hours but not priced, each with its
// reason: the table alone (its RDS prices are not Aurora's), the price list failing for a
// member, a Serverless v2 member (billed by capacity used), a run from before member
// classes were recorded.
func TestAuroraClusterUnpricedSaysWhy(t *testing.T) {
	failing := newFakePricing(t)
	failing.Err = context.DeadlineExceeded
	for _, tt := range []struct {
		name   string
		runs   []history.Run
		prices cost.Prices
		why    string
	}{
		{"table only", auroraRuns("aurora-postgresql", "db.r6g.large", "db.r6g.large"), costtest.Table(), cost.AuroraTableOnly},
		{"price list failing", auroraRuns("aurora-postgresql", "db.r6g.large"), &cost.PriceList{Client: failing, Table: costtest.Table()}, cost.AuroraTableOnly + ": " + cost.FallbackFailed},
		{"price list without the product", auroraRuns("aurora-mysql", "db.r6g.large"), &cost.PriceList{Client: newFakePricing(t), Table: costtest.Table()}, cost.AuroraTableOnly + ": " + cost.FallbackNoAnswer},
		{"serverless v2 member", auroraRuns("aurora-postgresql", "db.r6g.large", "db.serverless"), &cost.PriceList{Client: newFakePricing(t), Table: costtest.Table()}, cost.AuroraServerless},
		{"old run", auroraRuns("aurora-postgresql"), &cost.PriceList{Client: newFakePricing(t), Table: costtest.Table()}, cost.AuroraNoMembers},
		{"storage type not recorded", auroraStorageRuns("", "aurora-postgresql", "db.r6g.large"), &cost.PriceList{Client: newFakePricing(t), Table: costtest.Table()}, cost.AuroraNoStorage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := cost.EstimateWith(context.Background(), tt.runs, pairingStart, pairingEnd, tt.prices)

			want := []string{"Aurora cluster (" + tt.why + ")"}
			if len(s.Accounts) != 1 || s.Total() != 0 || !near(s.Accounts[0].Hours, 12) || !near(s.Accounts[0].UnpricedHours, 12) || !slices.Equal(s.Accounts[0].Unpriced, want) {
				t.Errorf("accounts = %+v; want 12 h counted, not priced, as %q", s.Accounts, want)
			}
		})
	}
}

// A skipped Aurora cluster's night is priced as its members too: what the skip tag cost.
func TestKeptAuroraClusterIsPricedAsItsMembers(t *testing.T) {
	runs := auroraRuns("aurora-postgresql", "db.r6g.large", "db.r6g.large")
	runs[0].Changes[0].Action, runs[0].Changes[0].Reason = history.Skipped, "tagged curfew:skip=true"
	runs[1].Changes = nil

	s := cost.EstimateWith(context.Background(), runs, pairingStart, pairingEnd, &cost.PriceList{Client: newFakePricing(t), Table: costtest.Table()})

	if len(s.Kept) != 1 || !near(s.Kept[0].Hours, 12) || !near(s.Kept[0].Cost, 12*2*0.285) || s.Kept[0].UnpricedHours != 0 {
		t.Errorf("kept = %+v, want 12 h costing %v", s.Kept, 12*2*0.285)
	}
}
