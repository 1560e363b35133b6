package pricetable

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// Source is what a generated table says its prices came from.
const Source = "AWS's public price list files"

// OfferPath is where Generate reads an offer file: the layout of AWS's addresses,
// https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<code>/current/<region>/index.csv.
func OfferPath(dir, code, region string) string {
	return filepath.Join(dir, code, region, "index.csv")
}

// Generate reads the regional offer files (CSV) of AmazonEC2 and AmazonRDS for each
// region under dir (OfferPath) and returns the table they make. Each file is streamed a
// record at a time: a regional EC2 file is hundreds of MB. A malformed file fails naming
// the file and line.
func Generate(dir string, regions []string) (*File, error) {
	regions = slices.Sorted(slices.Values(regions))
	switch {
	case len(regions) == 0:
		return nil, errors.New("no regions: name them, us-east-1 among them")
	case slices.Contains(regions, ""):
		return nil, errors.New("regions: an empty name")
	case len(slices.Compact(slices.Clone(regions))) != len(regions):
		return nil, fmt.Errorf("regions %q: a region named twice", regions)
	case !slices.Contains(regions, BasisRegion):
		return nil, fmt.Errorf("regions %q: want %s among them: the table prices the regions it lacks at its rates", regions, BasisRegion)
	}
	f := &File{Source: Source, Offers: []Offer{}, Regions: regions}
	prices := map[string]map[Key]float64{EC2Offer: {}, RDSOffer: {}}
	for _, region := range regions {
		for _, code := range []string{EC2Offer, RDSOffer} {
			offer, err := readOfferFile(OfferPath(dir, code, region), code, region, prices[code])
			if err != nil {
				return nil, err
			}
			f.Offers = append(f.Offers, offer)
		}
	}
	f.EC2, f.RDS = Group(prices[EC2Offer]), Group(prices[RDSOffer])
	return f, f.Validate()
}

func readOfferFile(path, code, region string, prices map[Key]float64) (Offer, error) {
	file, err := os.Open(path)
	if err != nil {
		return Offer{}, fmt.Errorf("%w (download it with make price-table)", err)
	}
	defer file.Close()
	return readOffer(file, path, code, region, prices)
}

// The columns each offer's rows are read by, found by name in the header.
var offerColumns = map[string][]string{
	EC2Offer: {"TermType", "Unit", "PricePerUnit", "Currency", "Product Family", "Region Code", "Instance Type",
		"Operating System", "Tenancy", "License Model", "CapacityStatus", "Pre Installed S/W", "MarketOption"},
	RDSOffer: {"TermType", "Unit", "PricePerUnit", "Currency", "Product Family", "Region Code", "Instance Type",
		"Database Engine", "Deployment Option"},
}

// readOffer reads one offer file of code for region: its preamble (FormatVersion,
// Publication Date, Version, OfferCode), its header, and into prices the on-demand hourly
// USD prices of the rows keep takes. A key given two different prices is left out and
// counted in Offer.LeftOut, like the price list's "no single price".
func readOffer(r io.Reader, name, code, region string, prices map[Key]float64) (Offer, error) {
	offer := Offer{Code: code, Region: region}
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	fail := func(line int, format string, a ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, a...))
	}

	preamble := map[string]string{}
	var header map[string]int
	var fields, line int
	for header == nil {
		rec, err := cr.Read()
		if err == io.EOF {
			return offer, fail(line, "no header row (\"SKU\", ...): is it an offer file in CSV?")
		}
		if err != nil {
			return offer, fmt.Errorf("%s: %w", name, err)
		}
		line, _ = cr.FieldPos(0)
		if rec[0] == "SKU" {
			header, fields = map[string]int{}, len(rec)
			for i, c := range rec {
				header[c] = i
			}
			break
		}
		if len(rec) != 2 {
			return offer, fail(line, "%d fields before the header row, want a preamble line (\"name\",\"value\")", len(rec))
		}
		preamble[rec[0]] = rec[1]
	}
	if v := preamble["FormatVersion"]; v != "v1.0" {
		return offer, fail(line, "FormatVersion %q, want \"v1.0\"", v)
	}
	if v := preamble["OfferCode"]; v != code {
		return offer, fail(line, "OfferCode %q, want %q: the file is in %s's place", v, code, code)
	}
	published, err := time.Parse(time.RFC3339, preamble["Publication Date"])
	if err != nil {
		return offer, fail(line, "Publication Date %q: want a time such as 2025-09-12T22:53:08Z", preamble["Publication Date"])
	}
	offer.Published, offer.Version = published, preamble["Version"]
	if offer.Version == "" {
		return offer, fail(line, "no Version in the preamble")
	}
	col := map[string]int{}
	for _, c := range offerColumns[code] {
		i, ok := header[c]
		if !ok {
			return offer, fail(line, "no %q column in the header row", c)
		}
		col[c] = i
	}
	keep := keepEC2
	if code == RDSOffer {
		keep = keepRDS
	}

	mine := map[Key]float64{}
	conflicts := map[Key]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return offer, fmt.Errorf("%s: %w", name, err)
		}
		line, _ = cr.FieldPos(0)
		if len(rec) != fields {
			return offer, fail(line, "%d fields, want %d as in the header row", len(rec), fields)
		}
		value := func(c string) string { return rec[col[c]] }
		if value("TermType") != "OnDemand" || value("Unit") != "Hrs" || value("Currency") != "USD" ||
			value("Region Code") != region || value("Instance Type") == "" {
			continue
		}
		a, b, ok := keep(value)
		if !ok {
			continue
		}
		s := value("PricePerUnit")
		usd, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(usd) || math.IsInf(usd, 0) || usd < 0 {
			return offer, fail(line, "PricePerUnit %q is not a price", s)
		}
		k := Key{region, a, b, value("Instance Type")}
		if seen, ok := mine[k]; ok && seen != usd {
			conflicts[k] = true
		}
		mine[k] = usd
	}
	for k := range conflicts {
		delete(mine, k)
	}
	offer.LeftOut = len(conflicts)
	if len(mine) == 0 {
		return offer, fail(line, "no on-demand hourly price for %s: is it %s's %s file?", region, region, code)
	}
	maps.Copy(prices, mine)
	return offer, nil
}

// The EC2 product families of instances: bare metal sizes have their own.
var ec2Families = []string{"Compute Instance", "Compute Instance (bare metal)"}

// keepEC2 takes the rows of an instance that runs on demand with no capacity
// reservation, no software or licence of the customer's, in a tenancy and operating
// system curfew prices: the product productQuery asks the Pricing API about.
func keepEC2(value func(string) string) (system, tenancy string, ok bool) {
	system, tenancy = value("Operating System"), value("Tenancy")
	ok = slices.Contains(ec2Families, value("Product Family")) &&
		value("CapacityStatus") == "Used" && value("Pre Installed S/W") == "NA" &&
		value("License Model") == "No License required" && value("MarketOption") == "OnDemand" &&
		slices.Contains(osNames, system) && slices.Contains(tenancyNames, tenancy)
	return system, tenancy, ok
}

// keepRDS takes the rows of a DB instance of an engine and deployment curfew prices;
// Aurora's rows as the file gives them.
func keepRDS(value func(string) string) (engine, deployment string, ok bool) {
	engine, deployment = value("Database Engine"), value("Deployment Option")
	ok = value("Product Family") == "Database Instance" &&
		slices.Contains(engineNames, engine) && slices.Contains(Deployments, deployment)
	return engine, deployment, ok
}
