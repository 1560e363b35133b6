// Package clock is curfew's one reading of the wall clock. Every "now" in curfew's code
// comes from Now, or from a seam (a func() time.Time) that defaults to it, so that a test
// can fix the time; and in a test build the whole suite can run as of another date
// (make test-as-of), which moves Now by one offset in every process of the run.
package clock

import "time"

// Now returns the current time: the wall clock, moved by Offset.
func Now() time.Time { return time.Now().Add(offset) }

// Or reads seam, a component's own clock (a test's fixed instant), else Now.
func Or(seam func() time.Time) time.Time {
	if seam != nil {
		return seam()
	}
	return Now()
}

// Offset is how far this process's clock is moved from the wall clock: zero in every
// build but a test build with the curfewclock tag run with OffsetEnv set.
func Offset() time.Duration { return offset }

// OffsetEnv names the variable that moves the clock of a build with the curfewclock tag,
// as a Go duration ("8760h"). The tests pass it on to every process they start that
// reads the clock: the functions under the emulator, and moto through libfaketime.
const OffsetEnv = "CURFEW_CLOCK_OFFSET"

// Tag is the build tag under which OffsetEnv is read; builds without it (every deployed
// function, the released CLI) cannot be moved.
const Tag = "curfewclock"

// BuildTag is the build tag a program that a test builds (a function for the emulator,
// the CLI) needs to share this process's clock: Tag when the clock is moved, "" otherwise.
func BuildTag() string {
	if offset == 0 {
		return ""
	}
	return Tag
}

// Env is the environment entry that moves a child's clock as this process's is moved:
// nil when it is not moved.
func Env() []string {
	if offset == 0 {
		return nil
	}
	return []string{OffsetEnv + "=" + Offset().String()}
}
