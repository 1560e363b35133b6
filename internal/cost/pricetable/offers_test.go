package pricetable_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cost/pricetable"
)

var update = flag.Bool("update", false, "rewrite testdata/table.golden.json")

const fixture = "testdata/offers"

// The golden table: testdata/offers holds offer files of us-east-1 and eu-west-1 built on
// the real header rows of AWS's files (EC2 2025, RDS 2026), with two real EC2 rows, at
// test prices (11.11, 22.22, ...). Kept: on-demand hourly USD rows of each operating
// system and tenancy curfew prices, bare metal sizes, a key repeated at the same price,
// RDS engines and deployments curfew prices, Aurora as the file gives it. Dropped: the
// Reserved rows (the real hourly and "Upfront Fee"/Quantity rows), capacity reservations
// (unused, allocated), bring-your-own-licence Windows, SQL Server preinstalled, an
// operating system curfew does not price, Capacity Blocks, Dedicated Host and Reserved
// tenancy rows, a Local Zone's row, Oracle, Multi-AZ with readable standbys, storage,
// Extended Support's vCPU-hours. Left out and counted: c5.large Linux and Aurora MySQL
// db.r6g.large, each given two prices.
func TestGenerateFromOfferFiles(t *testing.T) {
	f, err := pricetable.Generate(fixture, []string{"us-east-1", "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := pricetable.Write(&got, f); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/table.golden.json"
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("table:\n%s\nwant:\n%s", got.Bytes(), want)
	}
	if _, err := pricetable.Read(got.Bytes()); err != nil {
		t.Errorf("the generated table does not read back: %v", err)
	}
}

// A malformed offer file fails naming the file and the line.
func TestGenerateNamesTheBadLine(t *testing.T) {
	for _, tt := range []struct {
		name, offer, from, to, want string
	}{
		{"format version", pricetable.EC2Offer, `"FormatVersion","v1.0"`, `"FormatVersion","v2.0"`, `:6: FormatVersion "v2.0", want "v1.0"`},
		{"offer code of another place", pricetable.EC2Offer, `"OfferCode","AmazonEC2"`, `"OfferCode","AmazonRDS"`, `:6: OfferCode "AmazonRDS", want "AmazonEC2"`},
		{"publication date", pricetable.EC2Offer, `"Publication Date","2025-09-12T22:53:08Z"`, `"Publication Date","12 September 2025"`, `:6: Publication Date "12 September 2025"`},
		{"preamble line", pricetable.EC2Offer, `"Version","20250912225308"`, `"Version","20250912225308","x"`, `:4: 3 fields before the header row`},
		{"no header", pricetable.EC2Offer, `"SKU",`, `"SKUs",`, `:6: 91 fields before the header row`},
		{"missing column", pricetable.EC2Offer, `"Tenancy"`, `"Tenure"`, `:6: no "Tenancy" column in the header row`},
		{"missing RDS column", pricetable.RDSOffer, `"Deployment Option"`, `"Deployment"`, `:6: no "Deployment Option" column in the header row`},
		{"bad price", pricetable.EC2Offer, `"22.2200000000"`, `"22,22"`, `:10: PricePerUnit "22,22" is not a price`},
		{"negative price", pricetable.RDSOffer, `"34.3400000000"`, `"-34.34"`, `:9: PricePerUnit "-34.34" is not a price`},
		{"short row", pricetable.EC2Offer, `,"true"` + "\n", "\n", `:8: 90 fields, want 91 as in the header row`},
		{"broken quoting", pricetable.EC2Offer, `"33.3300000000"`, `"33.33"00"`, `: parse error on line 11`},
		{"another region's file", pricetable.RDSOffer, `"us-east-1"`, `"us-west-2"`, `:18: no on-demand hourly price for us-east-1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t)
			path := pricetable.OfferPath(dir, tt.offer, "us-east-1")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			bad := strings.ReplaceAll(string(b), tt.from, tt.to)
			if bad == string(b) {
				t.Fatalf("%q is not in %s", tt.from, path)
			}
			if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}

			_, err = pricetable.Generate(dir, []string{"us-east-1", "eu-west-1"})

			if want := path + tt.want; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error = %v, want one saying %q", err, want)
			}
		})
	}
}

// The regions must include us-east-1 (whose rates price the regions the table lacks), and
// every offer file of each region must be there.
func TestGenerateChecksTheRegions(t *testing.T) {
	for _, tt := range []struct {
		name    string
		regions []string
		want    string
	}{
		{"no basis region", []string{"eu-west-1"}, "want us-east-1 among them"},
		{"twice", []string{"us-east-1", "us-east-1"}, "named twice"},
		{"none", nil, "no regions"},
		{"file missing", []string{"us-east-1", "eu-central-1"}, filepath.Join(fixture, "AmazonEC2", "eu-central-1", "index.csv") + ": no such file or directory (download it with make price-table)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pricetable.Generate(fixture, tt.regions)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// copyFixture copies testdata/offers into a temporary folder and returns it.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	return dir
}
