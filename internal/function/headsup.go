package function

import (
	"log"
)

// HeadsUp serves the heads-up function (issue 30). It does not return.
func HeadsUp(env Env) {
	log.Fatal("curfew-heads-up: not built yet")
}
