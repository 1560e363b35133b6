package cost_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/pricing/types"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/history"
)

// fakePricing answers GetProducts from testdata/pricelist.json, products shaped as the
// Price List API returns them (one JSON document per product: product.attributes and
// terms.OnDemand/Reserved), one product a page: a product matches when each TERM_MATCH
// filter names one of its attributes with that value, as the API matches them. Err, when
// set, is every call's answer.
type fakePricing struct {
	products []json.RawMessage
	Err      error
	Queries  []string
}

func newFakePricing(t *testing.T) *fakePricing {
	t.Helper()
	b, err := os.ReadFile("testdata/pricelist.json")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePricing{}
	if err := json.Unmarshal(b, &f.products); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakePricing) GetProducts(_ context.Context, in *pricing.GetProductsInput, _ ...func(*pricing.Options)) (*pricing.GetProductsOutput, error) {
	var query []string
	for _, fl := range in.Filters {
		if fl.Type != types.FilterTypeTermMatch {
			return nil, fmt.Errorf("fake: filter type %s", fl.Type)
		}
		query = append(query, aws.ToString(fl.Field)+"="+aws.ToString(fl.Value))
	}
	if in.NextToken == nil {
		f.Queries = append(f.Queries, aws.ToString(in.ServiceCode)+" "+strings.Join(query, ","))
	}
	if f.Err != nil {
		return nil, f.Err
	}
	var matches []string
	for _, raw := range f.products {
		var p struct {
			ServiceCode string `json:"serviceCode"`
			Product     struct {
				Attributes map[string]string `json:"attributes"`
			} `json:"product"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
		if p.ServiceCode == aws.ToString(in.ServiceCode) && !slices.ContainsFunc(in.Filters, func(fl types.Filter) bool {
			return p.Product.Attributes[aws.ToString(fl.Field)] != aws.ToString(fl.Value)
		}) {
			matches = append(matches, string(raw))
		}
	}
	at := 0
	if in.NextToken != nil {
		at, _ = strconv.Atoi(*in.NextToken)
	}
	out := &pricing.GetProductsOutput{FormatVersion: aws.String("aws_v1")}
	if at < len(matches) {
		out.PriceList = matches[at : at+1]
		if at+1 < len(matches) {
			out.NextToken = aws.String(strconv.Itoa(at + 1))
		}
	}
	return out, nil
}

// priceListRuns: a Multi-AZ PostgreSQL db.m5.large in eu-west-1 and a Windows m5.xlarge
// in eu-central-1 stopped for two weekends, 60 h each; an r5.large whose product the
// price list does not hold, for one.
func priceListRuns() []history.Run {
	frankfurt := history.Pair{Account: "staging", Region: "eu-central-1"}
	sweep := []history.Pair{staging, frankfurt}
	var runs []history.Run
	for i, d := range []int{6, 13} {
		stop, start := nov(d, 19, 0), nov(d+3, 7, 0)
		pg := func(action string, at time.Time) history.Change {
			c := history.Change{Account: "staging", Region: "eu-west-1", Type: history.RDSInstance, ID: "app-db", Size: "db.m5.large", At: at, Action: action}
			c.Engine, c.MultiAZ = "postgres", true
			return c
		}
		win := func(action string, at time.Time) history.Change {
			c := change(frankfurt, "i-win", action, at, time.Time{})
			c.Platform, c.Tenancy = "Windows", "default"
			return c
		}
		stopped := []history.Change{pg(history.Stopped, stop), win(history.Stopped, stop)}
		started := []history.Change{pg(history.Started, start), win(history.Started, start)}
		if i == 0 {
			r5 := change(staging, "i-r5", history.Stopped, stop, time.Time{})
			r5.Size, r5.Platform = "r5.large", "Linux/UNIX"
			stopped = append(stopped, r5)
			r5.Action, r5.At = history.Started, start
			started = append(started, r5)
		}
		runs = append(runs, scheduled(history.Shutdown, stop, sweep, stopped...), scheduled(history.Restart, start, sweep, started...))
	}
	return runs
}

// The golden savings: each price is the price list's for the resource's own region,
// engine, deployment and operating system — 0.404 USD an hour for the Multi-AZ
// PostgreSQL db.m5.large in eu-west-1, 0.414 for Windows m5.xlarge in eu-central-1, not
// the table's us-east-1 MySQL Single-AZ 0.171 and Linux 0.192 — so nothing is priced off
// a basis; each (kind, region, size, dimensions) is asked once however many stops it
// has; the r5.large the price list has no product for is priced from the table, and the
// report is told so.
func TestSavingsArePricedFromThePriceList(t *testing.T) {
	fake := newFakePricing(t)

	s := cost.EstimateWith(context.Background(), priceListRuns(), pairingStart, pairingEnd, &cost.PriceList{Client: fake, Table: costtest.Table()})

	if want := 120*0.404 + 120*0.414 + 60*0.126; !near(s.Total(), want) {
		t.Errorf("total = %v, want %v", s.Total(), want)
	}
	wantSources := []cost.PriceSource{
		{What: cost.SourcePriceList, Hours: 240},
		{What: cost.SourceTable + " (" + cost.FallbackNoAnswer + ")", Hours: 60},
	}
	if !slices.Equal(s.PriceSources, wantSources) {
		t.Errorf("price sources = %+v, want %+v", s.PriceSources, wantSources)
	}
	// Only the r5.large, priced from the table, is off its basis.
	if want := []cost.OffBasis{{What: "in eu-west-1 priced at us-east-1's rates", Hours: 60}}; !slices.Equal(s.OffBasis, want) {
		t.Errorf("off basis = %+v, want %+v", s.OffBasis, want)
	}
	wantQueries := []string{
		"AmazonRDS regionCode=eu-west-1,instanceType=db.m5.large,databaseEngine=PostgreSQL,deploymentOption=Multi-AZ",
		"AmazonEC2 regionCode=eu-central-1,instanceType=m5.xlarge,operatingSystem=Windows,tenancy=Shared,preInstalledSw=NA,capacitystatus=Used,licenseModel=No License required",
		"AmazonEC2 regionCode=eu-west-1,instanceType=r5.large,operatingSystem=Linux,tenancy=Shared,preInstalledSw=NA,capacitystatus=Used,licenseModel=No License required",
	}
	slices.Sort(wantQueries)
	got := slices.Sorted(slices.Values(fake.Queries))
	if !slices.Equal(got, wantQueries) {
		t.Errorf("queries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantQueries, "\n"))
	}
	if b := s.Basis(); !strings.Contains(b, "AWS's Price List API") || !strings.Contains(b, costtest.Table().TableBasis()) {
		t.Errorf("basis = %q, want the price list with the table (%q) as its fallback", b, costtest.Table().TableBasis())
	}
}

// When the Pricing API fails, every price is the table's, priced on its basis and said
// to differ from it, and the report is told why; the run asks once, not once a product.
func TestSavingsFallBackToTheTableWhenThePricingAPIFails(t *testing.T) {
	fake := newFakePricing(t)
	fake.Err = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: pricing:GetProducts"}

	s := cost.EstimateWith(context.Background(), priceListRuns(), pairingStart, pairingEnd, &cost.PriceList{Client: fake, Table: costtest.Table()})

	if want := 120*0.171 + 120*m5xlarge + 60*0.126; !near(s.Total(), want) {
		t.Errorf("total = %v, want %v", s.Total(), want)
	}
	if want := []cost.PriceSource{{What: cost.SourceTable + " (" + cost.FallbackFailed + ")", Hours: 300}}; !slices.Equal(s.PriceSources, want) {
		t.Errorf("price sources = %+v, want %+v", s.PriceSources, want)
	}
	if !slices.ContainsFunc(s.OffBasis, func(o cost.OffBasis) bool { return o.What == "EC2 Windows priced as Linux" && o.Hours == 120 }) {
		t.Errorf("off basis = %+v, want the Windows hours said to be priced as Linux", s.OffBasis)
	}
	if s.Basis() != costtest.Table().TableBasis() {
		t.Errorf("basis = %q, want the table's", s.Basis())
	}
	if len(fake.Queries) != 1 {
		t.Errorf("%d queries, want 1: a failed API is not asked again in the run: %q", len(fake.Queries), fake.Queries)
	}
}

// Two products that answer the same query at different prices (here a second Multi-AZ
// PostgreSQL db.m5.large product, as a price list attribute curfew does not filter on
// would make) are not guessed between: the table prices the resource, and says why.
func TestPriceListDoesNotGuessBetweenProducts(t *testing.T) {
	fake := newFakePricing(t)
	fake.products = append(fake.products, json.RawMessage(strings.ReplaceAll(string(fake.products[0]), `"0.4040000000"`, `"0.5120000000"`)))
	l := &cost.PriceList{Client: fake, Table: costtest.Table()}
	q := cost.PriceQuery{Kind: history.RDSInstance, Region: "eu-west-1", Size: "db.m5.large", Dims: history.Dimensions{Engine: "postgres", MultiAZ: true}}

	p, ok := l.Hourly(t.Context(), q)

	want := cost.Price{USD: 0.171, Fallback: cost.FallbackNoAnswer, Gaps: []string{
		"in eu-west-1 priced at us-east-1's rates", "RDS postgres priced as MySQL", "RDS Multi-AZ priced as Single-AZ (AWS charges about twice)",
	}}
	if !ok || !reflect.DeepEqual(p, want) {
		t.Errorf("price = %+v, %v; want %+v from the table", p, ok, want)
	}
}
