//go:build !curfewclock

package clock

// offset is zero: only a test build (the curfewclock tag) can move the clock.
const offset = 0

// tagged says whether this build reads OffsetEnv.
const tagged = false
