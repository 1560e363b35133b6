package accounts_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/accounts/accountstest"
)

var boundsHeader = accountstest.Head("000000000001")

// spelledOutMap is a valid map of n non-production accounts, written out without aliases.
func spelledOutMap(n int) []byte {
	var b strings.Builder
	b.WriteString(boundsHeader)
	for i := range n {
		fmt.Fprintf(&b, "  - {name: a%d, id: \"%012d\", environment: non-production, regions: [eu-west-1, eu-central-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}\n", i, i+2)
	}
	return []byte(b.String())
}

// aliasMap is a small map whose accounts are n aliases of one account with n regions:
// n×n region entries once decoded, from a file that grows with n only.
func aliasMap(n int) []byte {
	var b strings.Builder
	b.WriteString(boundsHeader)
	b.WriteString("  - &a {name: a, id: \"000000000002\", environment: non-production, developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess], regions: [")
	b.WriteString(strings.Repeat("eu-west-1, ", n))
	b.WriteString("eu-west-1]}\n")
	b.WriteString(strings.Repeat("  - *a\n", n))
	return []byte(b.String())
}

// longListsMap is a map whose one target account lists n regions, all from n
// extraRegions, or n repeated overrides: lists that a check per entry against the whole
// list would make quadratic.
func longListsMap(n int, list string) []byte {
	var regions strings.Builder
	for i := range n {
		fmt.Fprintf(&regions, "eu-x%d-1,", i)
	}
	names := strings.TrimSuffix(regions.String(), ",")
	if list == "overrides" {
		return []byte(boundsHeader + "  - {name: aa, id: \"000000000002\", environment: production, regions: [eu-west-1], developerPolicies: [AdministratorAccess], ciPolicies: [ReadOnlyAccess], overrides: [" +
			strings.TrimSuffix(strings.Repeat("administrator,", n), ",") + "]}\n")
	}
	return []byte(boundsHeader + "  - {name: aa, id: \"000000000002\", environment: non-production, developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess], regions: [" + names + "]}\nextraRegions: [" + names + "]\n")
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseCostIsBounded shows the bounds of Parse: what it refuses, with which error,
// and that refusing costs about what reading the input does, however much the input's
// aliases would expand.
func TestParseCostIsBounded(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		err      string // "" for a valid map
		maxAlloc uint64
	}{
		{"a thousand accounts spelled out", spelledOutMap(1000), "", 256 << 20},
		{"larger than MaxMapSize", append(spelledOutMap(0), strings.Repeat("# padding\n", accounts.MaxMapSize/10)...), "at most 262144 (256 KiB) are accepted", 1 << 20},
		{"aliases expanding to 4 million regions", aliasMap(2000), "more than 100000 YAML nodes", 64 << 20},
		{"an alias that contains itself", []byte(boundsHeader + "extraRegions: &a [eu-south-9, *a]\n"), "decode:", 1 << 20},
		{"an anchored list of more nodes than allowed", []byte(boundsHeader + "extraRegions: &r [" + strings.Repeat("a,", 110_000) + "a]\n"), "more than 100000 YAML nodes", 128 << 20},
		{"the longest list without anchors", []byte(boundsHeader + "extraRegions: [" + strings.Repeat("a,", accounts.MaxMapSize/2-len(boundsHeader)/2-20) + "a]\n"), "does not follow the region names", 256 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > accounts.MaxMapSize && tt.err != "at most 262144 (256 KiB) are accepted" {
				t.Fatalf("input of %d bytes exceeds MaxMapSize: it tests nothing else", len(tt.data))
			}
			var err error
			n := allocated(func() { _, err = accounts.Parse(tt.data) })
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("Parse = %v, want a valid map", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("Parse error = %v, want one saying %q", err, tt.err)
			}
			if n > tt.maxAlloc {
				t.Errorf("Parse of %d bytes allocated %d MiB, want at most %d MiB", len(tt.data), n>>20, tt.maxAlloc>>20)
			}
		})
	}
}

// TestValidationErrorListsAtMostFiftyProblems keeps a map with thousands of mistakes from
// printing thousands of lines; the error still holds every problem.
func TestValidationErrorListsAtMostFiftyProblems(t *testing.T) {
	data := strings.ReplaceAll(string(spelledOutMap(200)), "eu-central-1", "eu-wset-1")
	_, err := accounts.Parse([]byte(data))
	verr, ok := err.(*accounts.ValidationError)
	if !ok || len(verr.Problems) != 200 {
		t.Fatalf("Parse = %v, want 200 problems", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 52 || lines[51] != "  - and 150 more" {
		t.Errorf("error has %d lines, last %q; want a heading, 50 problems and \"  - and 150 more\"", len(lines), lines[len(lines)-1])
	}
}

// BenchmarkParse measures Parse on the example map, on the largest organisation a map
// is likely to describe, and on a refused alias bomb.
func BenchmarkParse(b *testing.B) {
	example, err := os.ReadFile(exampleMap)
	if err != nil {
		b.Fatal(err)
	}
	for _, bm := range []struct {
		name string
		data []byte
	}{
		{"example", example},
		{"1000-accounts", spelledOutMap(1000)},
		{"alias-bomb-refused", aliasMap(2000)},
		{"10000-regions-from-extraRegions", longListsMap(10_000, "regions")},
		{"10000-repeated-overrides", longListsMap(10_000, "overrides")},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.data)))
			for b.Loop() {
				_, _ = accounts.Parse(bm.data)
			}
		})
	}
}
