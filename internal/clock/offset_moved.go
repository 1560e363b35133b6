//go:build curfewclock

package clock

import (
	"fmt"
	"os"
	"time"
)

// tagged says whether this build reads OffsetEnv.
const tagged = true

// offset is read once, at start, so that every reading of one process agrees.
var offset = readOffset()

func readOffset() time.Duration {
	v := os.Getenv(OffsetEnv)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		panic(fmt.Sprintf("clock: %s=%q is not a Go duration (e.g. 8760h): %v", OffsetEnv, v, err))
	}
	return d
}
