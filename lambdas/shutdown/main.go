// Command shutdown is the curfew-shutdown Lambda: at night it stops the running EC2
// instances, RDS instances and Aurora clusters of every swept account and region.
package main

import (
	"os"

	"github.com/curfew/curfew/internal/function"
	"github.com/curfew/curfew/internal/history"
)

func main() { function.Fleet(history.Shutdown, os.Getenv) }
