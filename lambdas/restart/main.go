// Command restart is the curfew-restart Lambda: in the morning, or on demand, it starts
// again exactly the EC2 instances, RDS instances and Aurora clusters curfew stopped.
package main

import (
	"os"

	"github.com/curfew/curfew/internal/function"
	"github.com/curfew/curfew/internal/history"
)

func main() { function.Fleet(history.Restart, os.Getenv) }
