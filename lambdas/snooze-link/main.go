// Command snooze-link is the curfew-snooze-link Lambda, behind a function URL: the page a
// heads-up's link opens, and the snooze its button applies.
package main

import (
	"os"

	"github.com/curfew/curfew/internal/function"
)

func main() { function.SnoozeLink(os.Getenv) }
