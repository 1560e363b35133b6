// Package costtest is what the cost report's tests (and the bench) share: a price table of
// their own, the hand-written us-east-1 table the bundled one was converted from, fixed
// here so that regenerating the bundled table (make price-table) changes no test's
// figures; the head of their account map (MapHead); a clock for pacing that never sleeps
// (StillClock); and the accounts a Cost Explorer filter names (LinkedAccounts).
package costtest

import (
	_ "embed"
	"sync"

	"github.com/curfew/curfew/internal/cost"
)

//go:embed table.json
var tableJSON []byte

var table = sync.OnceValue(func() cost.Table {
	t, err := cost.ParseTable(tableJSON)
	if err != nil {
		panic("costtest: table.json: " + err.Error()) // test data, read by its own test first
	}
	return t
})

// Table is the tests' price table: us-east-1, EC2 Linux shared tenancy and RDS MySQL
// Single-AZ, the AWS pricing pages as of 2025.
func Table() cost.Table { return table() }
