package table_test

import (
	"os"

	"github.com/curfew/curfew/internal/table"
)

// Columns two spaces apart, and no blanks after an empty last cell.
func Example() {
	t := table.New(os.Stdout)
	t.Row("ACCOUNT", "REGION", "DETAIL")
	t.Row("staging", "eu-west-1, eu-central-1", "")
	t.Row("sandbox", "eu-west-1", "nothing to do")
	if err := t.Flush(); err != nil {
		panic(err)
	}
	// Output:
	// ACCOUNT  REGION                   DETAIL
	// staging  eu-west-1, eu-central-1
	// sandbox  eu-west-1                nothing to do
}
