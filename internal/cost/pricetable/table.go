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
	Regions []string    `json:"regions"`
	EC2     []EC2Prices `json:"ec2"`
	RDS     []RDSPrices `json:"rds"`
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

// EC2Prices are the on-demand hourly prices in USD of instance types in one region for
// one operating system and tenancy (the price list's names: OS, Tenancy).
type EC2Prices struct {
	Region  string             `json:"region"`
	OS      string             `json:"os"`
	Tenancy string             `json:"tenancy"`
	USD     map[string]float64 `json:"usd"`
}

// RDSPrices are the on-demand hourly prices in USD of DB instance classes in one region
// for one engine and deployment (the price list's names: Engine, Deployments).
type RDSPrices struct {
	Region     string             `json:"region"`
	Engine     string             `json:"engine"`
	Deployment string             `json:"deployment"`
	USD        map[string]float64 `json:"usd"`
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
	groups := map[[3]string]bool{}
	group := func(what string, i int, region, a, b string, aNames, bNames []string, usd map[string]float64) {
		at := fmt.Sprintf("%s[%d]", what, i)
		if !slices.Contains(f.Regions, region) {
			bad("%s.region %q: not one of regions", at, region)
		}
		if !slices.Contains(aNames, a) {
			bad("%s: %q: want one of %q", at, a, aNames)
		}
		if !slices.Contains(bNames, b) {
			bad("%s: %q: want one of %q", at, b, bNames)
		}
		if k := [3]string{what + " " + region, a, b}; groups[k] {
			bad("%s: a second group for %s %s %s", at, region, a, b)
		} else {
			groups[k] = true
		}
		if len(usd) == 0 {
			bad("%s.usd: no prices", at)
		}
		for _, size := range slices.Sorted(maps.Keys(usd)) {
			if p := usd[size]; size == "" || math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
				bad("%s.usd[%q] = %v: want a size and a price of 0 or more", at, size, p)
			}
		}
	}
	for i, g := range f.EC2 {
		group("ec2", i, g.Region, g.OS, g.Tenancy, osNames, tenancyNames, g.USD)
	}
	for i, g := range f.RDS {
		group("rds", i, g.Region, g.Engine, g.Deployment, engineNames, Deployments, g.USD)
	}
	return errors.Join(errs...)
}

// The distinct price list names of each dimension, sorted.
var osNames, tenancyNames, engineNames = names(OS), names(Tenancy), names(Engine)

func names(m map[string]string) []string {
	return slices.Compact(slices.Sorted(maps.Values(m)))
}

// Write validates f and writes it compactly: one line per group of prices (a table of
// twenty regions stays a few MB), offers and groups sorted, so that a regenerated table
// differs from the last one only where prices did.
func Write(w io.Writer, f *File) error {
	if err := f.Validate(); err != nil {
		return err
	}
	slices.SortFunc(f.Offers, func(a, b Offer) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Code, b.Code))
	})
	slices.SortFunc(f.EC2, func(a, b EC2Prices) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.OS, b.OS), cmp.Compare(a.Tenancy, b.Tenancy))
	})
	slices.SortFunc(f.RDS, func(a, b RDSPrices) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Engine, b.Engine), cmp.Compare(a.Deployment, b.Deployment))
	})
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
	lines := []string{`  "source": ` + js(f.Source)}
	if f.Notes != "" {
		lines = append(lines, `  "notes": `+js(f.Notes))
	}
	var offers, ec2, rds []string
	for _, o := range f.Offers {
		offers = append(offers, js(o))
	}
	for _, g := range f.EC2 {
		ec2 = append(ec2, js(g))
	}
	for _, g := range f.RDS {
		rds = append(rds, js(g))
	}
	lines = append(lines, `  "offers": `+list(offers), `  "regions": `+js(f.Regions), `  "ec2": `+list(ec2), `  "rds": `+list(rds))
	_, err := io.WriteString(w, "{\n"+strings.Join(lines, ",\n")+"\n}\n")
	return err
}
