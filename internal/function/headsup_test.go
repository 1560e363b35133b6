package function_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Every function but the cost report's starts from this package, so whatever one of them
// imports, all of them carry: the heads-up sends its messages through package notify, and
// none of them carries the cost report (its prices, charts and fonts, 8 MB of each binary).
func TestFunctionsDoNotCarryTheCostReport(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../../lambdas/shutdown", "../../lambdas/restart", "../../lambdas/heads-up").Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/curfew/curfew/internal/headsup") {
		t.Fatalf("the functions do not import the heads-up: %d packages", len(deps))
	}
	for _, heavy := range []string{"github.com/curfew/curfew/internal/report", "github.com/curfew/curfew/internal/cost", "gonum.org/v1/plot"} {
		if slices.Contains(deps, heavy) {
			t.Errorf("the functions carry %s", heavy)
		}
	}
}
