// Package pricetable is the format of curfew's bundled on-demand price table (one JSON
// file, whether written by hand or generated) and its generation from AWS's public price
// list files (Generate).
package pricetable

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// File is a price table as stored: where its prices came from, and the prices.
type File struct {
	// Source says where the prices came from; the report prints it.
	Source string `json:"source"`
	// Notes is provenance for a reader of the file (addresses, caveats); not printed.
	Notes string `json:"notes,omitempty"`
	// Offers are the offer files a generated table was read from, one per offer code and
	// region; a table written by hand has none.
	Offers []Offer `json:"offers"`
	// Regions are the regions the table has prices for, sorted; BasisRegion is one.
	Regions []string `json:"regions"`
	// EC2 and RDS hold one Prices a region: columns are an operating system and tenancy
	// ("Linux/Shared"), or an engine and deployment ("MySQL/Single-AZ").
	EC2 []Prices `json:"ec2"`
	RDS []Prices `json:"rds"`
}

// Offer is one offer file a generated table was read from.
type Offer struct {
	// Code is EC2Offer or RDSOffer.
	Code   string `json:"offer"`
	Region string `json:"region"`
	// Published and Version are the file's "Publication Date" and "Version".
	Published time.Time `json:"published"`
	Version   string    `json:"version"`
	// LeftOut counts the keys the file gave two different prices: they are left out,
	// not guessed between.
	LeftOut int `json:"left_out"`
}

// Prices are one region's on-demand hourly prices in USD of one offer: a row per size
// (instance type or DB instance class), a price per column. A row names each size once
// for all its columns, which keeps a table of twenty regions to a few MB.
type Prices struct {
	Region string `json:"region"`
	// Columns name the two dimensions of each price, "<a>/<b>", by the price list's names
	// (OS and Tenancy for EC2, Engine and Deployments for RDS).
	Columns []string `json:"columns"`
	// USD holds each size's price in each column; null where the files have none.
	USD map[string][]*float64 `json:"usd"`
}

// Key names one price: region, the two dimensions of its column, and size.
type Key struct{ Region, A, B, Size string }

// Each calls fn with every price of ps.
func Each(ps []Prices, fn func(k Key, usd float64)) {
	for _, p := range ps {
		for i, c := range p.Columns {
			a, b, _ := strings.Cut(c, "/")
			for size, row := range p.USD {
				if i < len(row) && row[i] != nil {
					fn(Key{p.Region, a, b, size}, *row[i])
				}
			}
		}
	}
}

// Group arranges prices as Prices, one a region, columns and sizes sorted.
func Group(prices map[Key]float64) []Prices {
	columns, sizes := map[string][]string{}, map[string][]string{}
	for k := range prices {
		columns[k.Region] = append(columns[k.Region], k.A+"/"+k.B)
		sizes[k.Region] = append(sizes[k.Region], k.Size)
	}
	var out []Prices
	for _, region := range slices.Sorted(maps.Keys(columns)) {
		p := Prices{Region: region, Columns: slices.Compact(slices.Sorted(slices.Values(columns[region]))), USD: map[string][]*float64{}}
		for _, size := range slices.Compact(slices.Sorted(slices.Values(sizes[region]))) {
			row := make([]*float64, len(p.Columns))
			for i, c := range p.Columns {
				a, b, _ := strings.Cut(c, "/")
				if usd, ok := prices[Key{region, a, b, size}]; ok {
					row[i] = &usd
				}
			}
			p.USD[size] = row
		}
		out = append(out, p)
	}
	return out
}

// The offer codes of the files a table is generated from.
const (
	EC2Offer = "AmazonEC2"
	RDSOffer = "AmazonRDS"
)

// The basis: the row a resource is priced from when the table lacks its own region or
// dimensions. A table must cover BasisRegion.
const (
	BasisRegion     = "us-east-1"
	BasisOS         = "Linux"
	BasisTenancy    = "Shared"
	BasisEngine     = "MySQL"
	BasisDeployment = "Single-AZ"
)

// The price list's names for the dimensions the run history records (EC2's
// PlatformDetails and placement tenancy, RDS's engine): keys are the history's values,
// "" for a run that did not record it. A value missing here is not priced as itself: its
// product needs attributes curfew does not record (SQL Server's edition, an Oracle
// licence).
var (
	OS = map[string]string{
		"": "Linux", "Linux/UNIX": "Linux", "Windows": "Windows",
		"Red Hat Enterprise Linux": "RHEL", "SUSE Linux": "SUSE",
	}
	Tenancy = map[string]string{"": "Shared", "default": "Shared", "dedicated": "Dedicated", "host": "Host"}
	Engine  = map[string]string{
		"": "MySQL", "mysql": "MySQL", "postgres": "PostgreSQL", "mariadb": "MariaDB",
		"aurora-mysql": "Aurora MySQL", "aurora": "Aurora MySQL", "aurora-postgresql": "Aurora PostgreSQL",
	}
	// Deployments are the RDS deployment options the table holds: RDS bills Multi-AZ as
	// its own product.
	Deployments = []string{"Single-AZ", "Multi-AZ"}
)

// Deployment is the price list's name of an RDS instance's deployment option.
func Deployment(multiAZ bool) string {
	if multiAZ {
		return "Multi-AZ"
	}
	return "Single-AZ"
}

// IsAurora reports whether a price list engine name is Aurora's: an Aurora instance is
// billed alone whatever the cluster's replicas, so its deployment is not asked about.
func IsAurora(engine string) bool {
	return engine == "Aurora MySQL" || engine == "Aurora PostgreSQL"
}

// Read parses and validates a table; the error names every field that is wrong.
func Read(b []byte) (*File, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var f File
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("price table: data after the table")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate checks every field, and returns all that are wrong.
func (f *File) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("price table: "+format, a...)) }
	if f.Source == "" {
		bad("source: empty: say where the prices came from")
	}
	if len(f.Regions) == 0 || !slices.IsSorted(f.Regions) || len(slices.Compact(slices.Clone(f.Regions))) != len(f.Regions) {
		bad("regions %q: want a sorted list of distinct regions", f.Regions)
	}
	if !slices.Contains(f.Regions, BasisRegion) {
		bad("regions %q: want %s, whose rates price the regions the table lacks", f.Regions, BasisRegion)
	}
	offers := map[[2]string]bool{}
	for i, o := range f.Offers {
		if o.Code != EC2Offer && o.Code != RDSOffer {
			bad("offers[%d].offer %q: want %s or %s", i, o.Code, EC2Offer, RDSOffer)
		}
		if !slices.Contains(f.Regions, o.Region) {
			bad("offers[%d].region %q: not one of regions", i, o.Region)
		}
		if offers[[2]string{o.Code, o.Region}] {
			bad("offers[%d]: a second %s file for %s", i, o.Code, o.Region)
		}
		offers[[2]string{o.Code, o.Region}] = true
		if o.Published.IsZero() {
			bad("offers[%d].published: missing", i)
		}
		if o.LeftOut < 0 {
			bad("offers[%d].left_out %d: negative", i, o.LeftOut)
		}
	}
	prices := func(what string, all []Prices, aNames, bNames []string) {
		seen := map[string]bool{}
		for i, p := range all {
			at := fmt.Sprintf("%s[%d]", what, i)
			if !slices.Contains(f.Regions, p.Region) {
				bad("%s.region %q: not one of regions", at, p.Region)
			}
			if seen[p.Region] {
				bad("%s: a second %s group for %s", at, what, p.Region)
			}
			seen[p.Region] = true
			if len(p.Columns) == 0 || len(slices.Compact(slices.Sorted(slices.Values(p.Columns)))) != len(p.Columns) {
				bad("%s.columns %q: want distinct columns", at, p.Columns)
			}
			for _, c := range p.Columns {
				if a, b, _ := strings.Cut(c, "/"); !slices.Contains(aNames, a) || !slices.Contains(bNames, b) {
					bad("%s.columns: %q: want one of %q, a slash and one of %q", at, c, aNames, bNames)
				}
			}
			if len(p.USD) == 0 {
				bad("%s.usd: no prices", at)
			}
			for _, size := range slices.Sorted(maps.Keys(p.USD)) {
				row := p.USD[size]
				if size == "" || len(row) != len(p.Columns) || !slices.ContainsFunc(row, func(usd *float64) bool { return usd != nil }) {
					bad("%s.usd[%q]: want a size and a price or null for each of the %d columns, one price at least", at, size, len(p.Columns))
				}
				for _, usd := range row {
					if usd != nil && (math.IsNaN(*usd) || math.IsInf(*usd, 0) || *usd < 0) {
						bad("%s.usd[%q]: price %v: want 0 or more", at, size, *usd)
					}
				}
			}
		}
	}
	prices("ec2", f.EC2, osNames, tenancyNames)
	prices("rds", f.RDS, engineNames, Deployments)
	return errors.Join(errs...)
}

// The distinct price list names of each dimension, sorted.
var osNames, tenancyNames, engineNames = names(OS), names(Tenancy), names(Engine)

func names(m map[string]string) []string {
	return slices.Compact(slices.Sorted(maps.Values(m)))
}

// Write validates f and writes it compactly, one line for each size of a region, offers
// and groups sorted, so that a regenerated table differs from the last one only in the
// lines of the prices that changed.
func Write(w io.Writer, f *File) error {
	if err := f.Validate(); err != nil {
		return err
	}
	slices.SortFunc(f.Offers, func(a, b Offer) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Code, b.Code))
	})
	byRegion := func(a, b Prices) int { return cmp.Compare(a.Region, b.Region) }
	slices.SortFunc(f.EC2, byRegion)
	slices.SortFunc(f.RDS, byRegion)
	// Validated values (strings, finite prices, times) always marshal.
	js := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	list := func(items []string) string {
		if len(items) == 0 {
			return "[]"
		}
		return "[\n    " + strings.Join(items, ",\n    ") + "\n  ]"
	}
	group := func(p Prices) string {
		var rows []string
		for _, size := range slices.Sorted(maps.Keys(p.USD)) {
			rows = append(rows, js(size)+":"+js(p.USD[size]))
		}
		return `{"region":` + js(p.Region) + `,"columns":` + js(p.Columns) + `,"usd":{` + "\n      " + strings.Join(rows, ",\n      ") + "\n    }}"
	}
	lines := []string{`  "source": ` + js(f.Source)}
	if f.Notes != "" {
		lines = append(lines, `  "notes": `+js(f.Notes))
	}
	var offers, ec2, rds []string
	for _, o := range f.Offers {
		offers = append(offers, js(o))
	}
	for _, p := range f.EC2 {
		ec2 = append(ec2, group(p))
	}
	for _, p := range f.RDS {
		rds = append(rds, group(p))
	}
	lines = append(lines, `  "offers": `+list(offers), `  "regions": `+js(f.Regions), `  "ec2": `+list(ec2), `  "rds": `+list(rds))
	_, err := io.WriteString(w, "{\n"+strings.Join(lines, ",\n")+"\n}\n")
	return err
}
