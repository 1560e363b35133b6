package report

import (
	"fmt"
	"strings"

	"github.com/curfew/curfew/internal/cost"
)

// endNames says, for each way a stop ends, how the report names it and up to when its
// hours count.
var endNames = map[cost.End]string{
	cost.EndRestart:       "started by curfew's restart",
	cost.EndRestartFailed: "not started: curfew's restart failed (counted up to it; the hours after are not savings)",
	cost.EndPerson:        "started by a person (counted to the start time AWS gives)",
	cost.EndGone:          "gone at the next restart, terminated or unmarked (counted up to that restart)",
	cost.EndLeftSweep:     "in an account or region that left the sweep (counted up to the first run without it)",
	cost.EndRDSStart:      "started by RDS after 7 days stopped (counted up to the 7th day)",
	cost.EndOpen:          "still stopped (counted up to now)",
}

// savingsEnds says how the counted stops ended, so that a reader can check the figure or
// leave out the parts they would not count: "Stops ended: 40 started by curfew's restart
// (480 h, 92.16 USD); ...". Empty when nothing was counted.
func savingsEnds(s *cost.Savings) string {
	var parts []string
	for _, e := range s.Ends {
		if e.Stops == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s (%.0f h, %s %s)", e.Stops, endNames[e.End], e.Hours, amount(e.Saved), cost.PriceCurrency))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Stops ended: " + strings.Join(parts, "; ") + "."
}

// savingsUnmatched says what the estimate left out, or "" when it left nothing out.
func savingsUnmatched(s *cost.Savings) string {
	if s.Unmatched == 0 {
		return ""
	}
	return fmt.Sprintf("Not counted: %d stop(s) whose end the run history cannot date (found running again with no start time, or stopped twice with no start seen between) or start(s) with no stop before them.", s.Unmatched)
}

// savingsOffBasis says which priced hours the table priced from a row not their own (another
// region's, or the basis row's), or "" when none: the reader sees how much of the figure
// rests on a price that is not the resource's own.
func savingsOffBasis(s *cost.Savings) string {
	if len(s.OffBasis) == 0 {
		return ""
	}
	parts := make([]string, len(s.OffBasis))
	for i, o := range s.OffBasis {
		parts[i] = fmt.Sprintf("%.0f h %s", o.Hours, o.What)
	}
	return "Priced from a table row not their own (the table has no price for their region or dimensions): " + strings.Join(parts, "; ") + "."
}
