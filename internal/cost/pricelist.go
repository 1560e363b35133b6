package cost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"

	"github.com/curfew/curfew/internal/cost/pricetable"
	"github.com/curfew/curfew/internal/history"
)

// PriceQuery is what one resource's on-demand price depends on.
type PriceQuery struct {
	// Kind is the history's resource type (history.EC2Instance, ...), Size its instance
	// type, DB instance class or Fargate size.
	Kind, Region, Size string
	Dims               history.Dimensions
}

// Price is an hourly on-demand price in PriceCurrency and where it came from.
type Price struct {
	USD float64
	// Listed is set when AWS's price list gave the price for the resource's own region,
	// size and dimensions; otherwise the bundled table gave it, on its basis.
	Listed bool
	// Fallback says why the table priced a resource the price list was asked about;
	// empty when the price list was not asked.
	Fallback string
	// Gaps say how the resource differs from the table's row that priced it ("in
	// eu-west-1 priced at us-east-1's rates"); none when it is priced as itself.
	Gaps []string
}

// Prices gives on-demand prices; ok is false when it has none for the query.
type Prices interface {
	Hourly(ctx context.Context, q PriceQuery) (p Price, ok bool)
	// TableBasis says what the prices of its table rest on (Table.TableBasis).
	TableBasis() string
}

// Why the table priced a resource the price list was asked about.
const (
	FallbackFailed   = "the Pricing API failed"
	FallbackNoAnswer = "the Pricing API has no single price for it"
)

// PricingAPI is the part of the Pricing API the price list uses; its endpoint is in
// us-east-1 (the API answers for every region from there).
type PricingAPI interface {
	GetProducts(ctx context.Context, in *pricing.GetProductsInput, optFns ...func(*pricing.Options)) (*pricing.GetProductsOutput, error)
}

var _ PricingAPI = (*pricing.Client)(nil)

// PriceList prices resources from AWS's Price List API (GetProducts), one query per
// distinct PriceQuery, and falls back to its table when the API fails or has no single
// price. Make one per run: the answers are kept for its life, so a run asks
// about each (kind, region, size, dimensions) once and later runs see new prices. Once a
// query fails (after the client's retries) the run asks no more: a denied or unreachable
// API fails every query alike, and waiting on each would spend the report's timeout.
type PriceList struct {
	Client PricingAPI
	// Log gets one line per failed query; nil means slog.Default().
	Log *slog.Logger
	// Table is the table it falls back to; the zero Table is the bundled one.
	Table Table

	mu      sync.Mutex
	answers map[PriceQuery]listAnswer
	failed  bool
}

// TableBasis is the basis of the table the price list falls back to.
func (l *PriceList) TableBasis() string { return l.Table.TableBasis() }

type listAnswer struct {
	usd      float64
	fallback string
}

// Hourly asks the price list about q once, and the table when the price list cannot
// say. Kinds and dimensions the price list is not asked about (Fargate, Windows with SQL
// Server, Oracle) are priced from the table as they were before.
func (l *PriceList) Hourly(ctx context.Context, q PriceQuery) (Price, bool) {
	in, asked := productQuery(q)
	if !asked {
		return l.Table.Hourly(ctx, q)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, seen := l.answers[q]
	switch {
	case seen:
	case l.failed:
		a = listAnswer{fallback: FallbackFailed}
	default:
		a = l.ask(ctx, q, in)
		l.failed = a.fallback == FallbackFailed
		if l.answers == nil {
			l.answers = map[PriceQuery]listAnswer{}
		}
		l.answers[q] = a
	}
	if a.fallback == "" {
		return Price{USD: a.usd, Listed: true}, true
	}
	p, ok := l.Table.Hourly(ctx, q)
	p.Fallback = a.fallback
	return p, ok
}

func (l *PriceList) ask(ctx context.Context, q PriceQuery, in *pricing.GetProductsInput) listAnswer {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	usd, err := onDemandHourly(ctx, l.Client, in)
	switch {
	case errors.Is(err, errNoSinglePrice):
		log.Warn("price from the table", "action", "get-products", "outcome", "no-price", "resource", q.Kind+" "+q.Size, "region", q.Region, "error", err)
		return listAnswer{fallback: FallbackNoAnswer}
	case err != nil:
		log.Error("price from the table", "action", "get-products", "outcome", "failed", "resource", q.Kind+" "+q.Size, "region", q.Region, "error", err)
		return listAnswer{fallback: FallbackFailed}
	}
	return listAnswer{usd: usd}
}

var errNoSinglePrice = errors.New("no single on-demand hourly price")

// onDemandHourly reads every page of the answer: each PriceList entry is one product as
// a JSON document, whose terms.OnDemand offers hold price dimensions in USD. The filters
// pin one product; an answer with none, or with different hourly prices, is not guessed
// at.
func onDemandHourly(ctx context.Context, c PricingAPI, in *pricing.GetProductsInput) (float64, error) {
	var prices []float64
	pages := pricing.NewGetProductsPaginator(c, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, doc := range page.PriceList {
			p, err := productPrices(doc)
			if err != nil {
				return 0, err
			}
			prices = append(prices, p...)
		}
	}
	if len(prices) == 0 {
		return 0, fmt.Errorf("%w: no product matches %s", errNoSinglePrice, describeFilters(in.Filters))
	}
	for _, p := range prices[1:] {
		if math.Abs(p-prices[0]) > 1e-9 {
			return 0, fmt.Errorf("%w: %d different prices match %s", errNoSinglePrice, len(prices), describeFilters(in.Filters))
		}
	}
	return prices[0], nil
}

// product is the part of a price list product document that pricing reads.
type product struct {
	Terms struct {
		OnDemand map[string]struct {
			PriceDimensions map[string]struct {
				Unit         string            `json:"unit"`
				PricePerUnit map[string]string `json:"pricePerUnit"`
			} `json:"priceDimensions"`
		} `json:"OnDemand"`
	} `json:"terms"`
}

// productPrices returns the hourly USD prices of one product's on-demand offers.
func productPrices(doc string) ([]float64, error) {
	var p product
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, fmt.Errorf("read a PriceList product: %w", err)
	}
	var out []float64
	for _, offer := range p.Terms.OnDemand {
		for _, d := range offer.PriceDimensions {
			if d.Unit != "Hrs" {
				continue
			}
			s, ok := d.PricePerUnit[PriceCurrency]
			if !ok {
				continue
			}
			usd, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("read a PriceList product: pricePerUnit.USD %q: %w", s, err)
			}
			out = append(out, usd)
		}
	}
	return out, nil
}

func describeFilters(fs []types.Filter) string {
	out := ""
	for i, f := range fs {
		if i > 0 {
			out += ", "
		}
		out += aws.ToString(f.Field) + "=" + aws.ToString(f.Value)
	}
	return out
}

// productQuery is the GetProducts query that pins q's product, and false when the price
// list is not asked about q: a dimension missing from pricetable's names needs attributes
// curfew does not record (SQL Server's edition, an Oracle licence).
func productQuery(q PriceQuery) (*pricing.GetProductsInput, bool) {
	if q.Size == "" || q.Region == "" {
		return nil, false
	}
	term := func(field, value string) types.Filter {
		return types.Filter{Type: types.FilterTypeTermMatch, Field: aws.String(field), Value: aws.String(value)}
	}
	switch q.Kind {
	case history.EC2Instance, history.AutoScalingGroup, history.EKSNodegroup:
		os, ok := pricetable.OS[q.Dims.Platform]
		tenancy, tok := pricetable.Tenancy[q.Dims.Tenancy]
		if !ok || !tok {
			return nil, false
		}
		return &pricing.GetProductsInput{ServiceCode: aws.String("AmazonEC2"), FormatVersion: aws.String("aws_v1"), Filters: []types.Filter{
			term("regionCode", q.Region), term("instanceType", q.Size), term("operatingSystem", os),
			term("tenancy", tenancy), term("preInstalledSw", "NA"), term("capacitystatus", "Used"),
			// Windows is sold with its licence and as bring-your-own: curfew prices the former.
			term("licenseModel", "No License required"),
		}}, true
	case history.RDSInstance:
		engine, ok := pricetable.Engine[q.Dims.Engine]
		if !ok {
			return nil, false
		}
		fs := []types.Filter{term("regionCode", q.Region), term("instanceType", q.Size), term("databaseEngine", engine)}
		// An Aurora instance is billed alone whatever the cluster's replicas, and AWS lists
		// it once per storage type; RDS bills Multi-AZ as its own product.
		if pricetable.IsAurora(engine) {
			storage, ok := auroraStorage[q.Dims.Storage]
			if !ok {
				return nil, false
			}
			fs = append(fs, term("storage", storage))
		} else {
			fs = append(fs, term("deploymentOption", pricetable.Deployment(q.Dims.MultiAZ)))
		}
		return &pricing.GetProductsInput{ServiceCode: aws.String("AmazonRDS"), FormatVersion: aws.String("aws_v1"), Filters: fs}, true
	}
	return nil, false
}

// auroraStorage is the price list's storage attribute of an Aurora instance of a cluster
// of each storage type: Standard and I/O-Optimized are two products of the same class,
// engine and region.
var auroraStorage = map[string]string{
	history.AuroraStandard:    "EBS Only",
	history.AuroraIOOptimized: "Aurora IO Optimization Mode",
}

// Where the report says prices came from.
const (
	SourcePriceList = "AWS's Price List API, for the resource's own region, size and dimensions"
	SourceTable     = "the bundled table"
)

func priceSource(p Price) string {
	switch {
	case p.Listed:
		return SourcePriceList
	case p.Fallback != "":
		return SourceTable + " (" + p.Fallback + ")"
	}
	return SourceTable
}

// priceBasis is what the prices rest on: the table's basis (PriceBasis() for the bundled
// one) when every price came from the table, else the price list with the table as its
// fallback.
func (s *Savings) priceBasis() string {
	table := s.tableBasis
	if table == "" {
		table = PriceBasis() // read only when no table priced the estimate
	}
	if !slices.ContainsFunc(s.PriceSources, func(p PriceSource) bool { return p.What == SourcePriceList }) {
		return table
	}
	return "on-demand list prices in USD from AWS's Price List API (GetProducts, read at the " +
		"report's time) for each resource's region, size, operating system, tenancy, database " +
		"engine and deployment, Aurora clusters as the sum of their member instances' prices " +
		"for the cluster's engine and storage type (Standard or I/O-Optimized; a cluster with a Serverless v2 member, or with a member the " +
		"API did not price, is counted in hours but not priced); where the API failed or had " +
		"no single price, and for Fargate, the bundled table's: " + table
}
