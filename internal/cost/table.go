package cost

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/curfew/curfew/internal/cost/pricetable"
	"github.com/curfew/curfew/internal/history"
)

// bundledJSON is the bundled price table: today the hand-written one; `make price-table`
// regenerates it from AWS's public price list files.
//
//go:embed pricetable.json
var bundledJSON []byte

// bundled is the bundled table, read once. A malformed one prices nothing and says so in
// the basis rather than failing a run (TestBundledTableIsWellFormed fails first).
var bundled = sync.OnceValues(func() (*table, error) { return readTable(bundledJSON) })

// PriceBasis says what the bundled table's prices rest on (its source, publication dates
// and regions); the report prints it when no price came from AWS's price list. The table
// is read on first use, not when the function starts.
func PriceBasis() string { return Table{}.TableBasis() }

// Table is a price table: the bundled one (the zero Table) or one read by ParseTable. It
// prices a resource from the row of its own region and dimensions when it has one, else
// from us-east-1's row of its dimensions, else from the basis row (us-east-1, Linux
// shared tenancy, MySQL Single-AZ), and says how the resource differs from the row
// (Price.Gaps). Fargate is priced from fargateHourly.
type Table struct{ t *table }

// ParseTable reads a price table in the bundled table's format (pricetable.File).
func ParseTable(b []byte) (Table, error) {
	t, err := readTable(b)
	if err != nil {
		return Table{}, err
	}
	return Table{t: t}, nil
}

func (t Table) load() (*table, error) {
	if t.t != nil {
		return t.t, nil
	}
	return bundled()
}

// table is a read price table, indexed by row.
type table struct {
	ec2   map[ec2Row]map[string]float64
	rds   map[rdsRow]map[string]float64
	basis string
}

// ec2Row and rdsRow name a row of prices by the price list's names
// (pricetable.OS, pricetable.Tenancy, pricetable.Engine).
type (
	ec2Row struct{ region, os, tenancy string }
	rdsRow struct{ region, engine, deployment string }
)

var (
	ec2Basis = ec2Row{pricetable.BasisRegion, pricetable.BasisOS, pricetable.BasisTenancy}
	rdsBasis = rdsRow{pricetable.BasisRegion, pricetable.BasisEngine, pricetable.BasisDeployment}
)

func readTable(b []byte) (*table, error) {
	f, err := pricetable.Read(b)
	if err != nil {
		return nil, err
	}
	t := &table{ec2: map[ec2Row]map[string]float64{}, rds: map[rdsRow]map[string]float64{}, basis: tableBasis(f)}
	pricetable.Each(f.EC2, func(k pricetable.Key, usd float64) {
		row := ec2Row{k.Region, k.A, k.B}
		if t.ec2[row] == nil {
			t.ec2[row] = map[string]float64{}
		}
		t.ec2[row][k.Size] = usd
	})
	pricetable.Each(f.RDS, func(k pricetable.Key, usd float64) {
		row := rdsRow{k.Region, k.A, k.B}
		if t.rds[row] == nil {
			t.rds[row] = map[string]float64{}
		}
		t.rds[row][k.Size] = usd
	})
	return t, nil
}

// Hourly prices q from the row of its own region and dimensions; else from us-east-1's
// row of its dimensions (the region's prices differ by a few per cent, a dimension's by
// up to twice); else from the basis row. Price.Gaps says how q differs from the row that
// priced it; ok is false when none of them has q's size.
func (t Table) Hourly(_ context.Context, q PriceQuery) (Price, bool) {
	tb, err := t.load()
	if err != nil {
		return Price{}, false
	}
	switch q.Kind {
	case history.EC2Instance, history.AutoScalingGroup, history.EKSNodegroup:
		// A platform or tenancy without a price list name has no row of its own.
		os, tenancy := pricetable.OS[q.Dims.Platform], pricetable.Tenancy[q.Dims.Tenancy]
		for _, row := range []ec2Row{{q.Region, os, tenancy}, {pricetable.BasisRegion, os, tenancy}, ec2Basis} {
			if usd, ok := tb.ec2[row][q.Size]; ok {
				return Price{USD: usd, Gaps: ec2Gaps(q, row)}, true
			}
		}
	case history.RDSInstance:
		engine := pricetable.Engine[q.Dims.Engine]
		for _, region := range []string{q.Region, pricetable.BasisRegion} {
			if usd, row, ok := tb.rdsOwn(region, engine, q); ok {
				return Price{USD: usd, Gaps: rdsGaps(q, row)}, true
			}
		}
		if usd, ok := tb.rds[rdsBasis][q.Size]; ok {
			return Price{USD: usd, Gaps: rdsGaps(q, rdsBasis)}, true
		}
	case history.ECSService:
		usd, ok := fargateHourly(q.Size, q.Dims)
		return Price{USD: usd, Gaps: regionGap(q, pricetable.BasisRegion)}, ok
	}
	return Price{}, false
}

// rdsOwn is the price of q's engine and deployment in region, and its row. An Aurora
// instance is billed alone whatever the cluster's replicas, so its deployment is not
// asked about, as in productQuery: the rows of its region, engine and class must agree
// on one price.
func (tb *table) rdsOwn(region, engine string, q PriceQuery) (float64, rdsRow, bool) {
	if !pricetable.IsAurora(engine) {
		row := rdsRow{region, engine, pricetable.Deployment(q.Dims.MultiAZ)}
		usd, ok := tb.rds[row][q.Size]
		return usd, row, ok
	}
	var prices []float64
	var row rdsRow
	for _, d := range pricetable.Deployments {
		if usd, ok := tb.rds[rdsRow{region, engine, d}][q.Size]; ok {
			prices, row = append(prices, usd), rdsRow{region, engine, d}
		}
	}
	if len(slices.Compact(prices)) != 1 {
		return 0, row, false
	}
	return prices[0], row, true
}

// The gaps say how a resource differs from the row that priced it, as far as the run
// history recorded it: a dimension it did not record is not guessed at.
func regionGap(q PriceQuery, region string) []string {
	if q.Region == region {
		return nil
	}
	return []string{fmt.Sprintf("in %s priced at %s's rates", q.Region, region)}
}

func ec2Gaps(q PriceQuery, row ec2Row) []string {
	out := regionGap(q, row.region)
	if p := q.Dims.Platform; p != "" && pricetable.OS[p] != row.os {
		out = append(out, fmt.Sprintf("EC2 %s priced as %s", p, row.os))
	}
	if t := q.Dims.Tenancy; t != "" && pricetable.Tenancy[t] != row.tenancy {
		out = append(out, fmt.Sprintf("EC2 %s tenancy priced as %s", t, strings.ToLower(row.tenancy)))
	}
	return out
}

func rdsGaps(q PriceQuery, row rdsRow) []string {
	out := regionGap(q, row.region)
	if e := q.Dims.Engine; e != "" && pricetable.Engine[e] != row.engine {
		out = append(out, fmt.Sprintf("RDS %s priced as %s", e, row.engine))
	}
	if q.Dims.MultiAZ && row.deployment != pricetable.Deployment(true) && !pricetable.IsAurora(row.engine) {
		out = append(out, fmt.Sprintf("RDS Multi-AZ priced as %s (AWS charges about twice)", row.deployment))
	}
	return out
}

// TableBasis says what the table's prices rest on: its regions and dimensions, source,
// publication dates, how it prices what it lacks, and what it leaves unpriced.
func (t Table) TableBasis() string {
	tb, err := t.load()
	if err != nil {
		return "no prices: the bundled price table is unreadable (" + err.Error() + "); " + Discounts
	}
	return tb.basis
}

// tableBasis writes the basis of f. The hand-written table (one region, Linux shared,
// MySQL Single-AZ, no offer files, no Aurora) reads as the basis always has.
func tableBasis(f *pricetable.File) string {
	var oses, tenancies, engines, deployments []string
	for _, p := range f.EC2 {
		for _, c := range p.Columns {
			os, tenancy, _ := strings.Cut(c, "/")
			oses, tenancies = append(oses, os), append(tenancies, tenancy)
		}
	}
	for _, p := range f.RDS {
		for _, c := range p.Columns {
			engine, deployment, _ := strings.Cut(c, "/")
			engines, deployments = append(engines, engine), append(deployments, deployment)
		}
	}
	distinct := func(s []string) []string { return slices.Compact(slices.Sorted(slices.Values(s))) }
	oses, tenancies, engines, deployments = distinct(oses), distinct(tenancies), distinct(engines), distinct(deployments)

	regions := f.Regions[0]
	if len(f.Regions) > 1 {
		regions = fmt.Sprintf("%d regions (%s)", len(f.Regions), strings.Join(f.Regions, ", "))
	}
	ec2 := strings.Join(oses, ", ")
	// Shared tenancy is what a price without one means; any other is named.
	if !slices.Equal(tenancies, []string{pricetable.BasisTenancy}) {
		ec2 += " on " + strings.ToLower(strings.Join(tenancies, ", ")) + " tenancy"
	}
	rds := strings.Join(engines, ", ") + " " + strings.Join(deployments, " and ")
	b := "on-demand list prices in USD of " + regions + " (EC2: " + ec2 + "; RDS: " + rds + "), from " + f.Source + published(f.Offers)
	if len(f.Regions) == 1 {
		b += ", applied in every region"
	} else {
		b += fmt.Sprintf(", a region it lacks priced at %s's rates and an operating system, tenancy, "+
			"engine or deployment it lacks as %s %s tenancy or %s %s",
			pricetable.BasisRegion, pricetable.BasisOS, strings.ToLower(pricetable.BasisTenancy), pricetable.BasisEngine, pricetable.BasisDeployment)
	}
	b += "; compute only (storage is billed while stopped); "
	if slices.ContainsFunc(engines, pricetable.IsAurora) {
		b += "Aurora clusters as the sum of their member instances' prices for the cluster's engine " +
			"(a cluster with a Serverless v2 member, or with a member the table lacks, is counted in " +
			"hours but not priced); unlisted sizes are counted in hours but not priced; "
	} else {
		b += "Aurora clusters (the table has no Aurora prices) and unlisted sizes are counted in hours but not priced; "
	}
	return b + Discounts
}

// published says when the offer files were published, by offer code: " (AmazonEC2 of
// 2025-09-12; AmazonRDS of 2026-04-28)"; "" for a table written by hand.
func published(offers []pricetable.Offer) string {
	dates := map[string][]string{}
	for _, o := range offers {
		dates[o.Code] = append(dates[o.Code], o.Published.UTC().Format(time.DateOnly))
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(dates)) {
		parts = append(parts, code+" published "+strings.Join(slices.Compact(slices.Sorted(slices.Values(dates[code]))), " and "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
