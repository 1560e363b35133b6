package table_test

import (
	"fmt"
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

// A cell's notes: the empty ones leave no separator behind.
func ExampleCell() {
	fmt.Println(table.Cell("", "snoozed until 08:00", "", "stale mark removed"))
	fmt.Println(table.JoinNonEmpty(": ", "failed", "", "AccessDenied"))
	fmt.Printf("%q\n", table.Cell("", ""))
	// Output:
	// snoozed until 08:00; stale mark removed
	// failed: AccessDenied
	// ""
}
