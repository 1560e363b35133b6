// Command heads-up is the curfew-heads-up Lambda: some time before each stop it plans the
// stop (the shutdown's dry run) and tells each owner what it will stop, with one link per
// account that keeps it up tonight.
package main

import (
	"os"

	"github.com/curfew/curfew/internal/function"
)

func main() { function.HeadsUp(os.Getenv) }
