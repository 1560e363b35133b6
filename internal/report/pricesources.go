package report

import (
	"fmt"
	"strings"

	"github.com/curfew/curfew/internal/cost"
)

// savingsPriceSources says where the priced hours' prices came from, or "" when they all
// came from the bundled table as asked (no price list configured): the basis line says
// that already. A reader sees how much of the figure rests on AWS's price list and how
// much on the table, and why the table was used.
func savingsPriceSources(s *cost.Savings) string {
	if len(s.PriceSources) == 0 || len(s.PriceSources) == 1 && s.PriceSources[0].What == cost.SourceTable {
		return ""
	}
	parts := make([]string, len(s.PriceSources))
	for i, p := range s.PriceSources {
		parts[i] = fmt.Sprintf("%.0f h from %s", p.Hours, p.What)
	}
	return "Prices: " + strings.Join(parts, "; ") + "."
}
