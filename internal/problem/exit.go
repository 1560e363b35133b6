package problem

import "errors"

// Exit statuses of curfew, as `curfew --help` and docs/operations.md list them.
const (
	ExitOK = 0
	// ExitFailed: anything else went wrong (an AWS call failed, a file could not be written).
	ExitFailed = 1
	// ExitUsage: the command line or the input named something wrong; nothing was done.
	ExitUsage = 2
	// ExitAuth: no credentials, or credentials of another account; nothing was done.
	ExitAuth = 3
	// ExitPartial: the command ran, and some of what it did failed (a run, a check).
	ExitPartial = 4
	// ExitRefused: another run holds the lease of an account; this one changed nothing.
	ExitRefused = 5
	// ExitLogin: `curfew credentials` only, run by an SDK or the AWS CLI as a
	// credential_process: no MFA session is open; curfew login opens it. A calling curfew
	// reads this status, as the SDK keeps nothing else of the process (EX_TEMPFAIL).
	ExitLogin = 75
	// ExitInterrupted: Ctrl-C; what was sent to AWS goes on there.
	ExitInterrupted = 130
)

// Kinds maps each exit status but ExitFailed to the errors that give it; the first
// status with a match wins, so a refused run (also a failed one) exits ExitRefused.
type Kinds []struct {
	Status int
	Errs   []error
}

// Exit returns the exit status of err: ExitOK for nil, the first status of kinds that
// has an error err wraps, ExitFailed otherwise.
func (k Kinds) Exit(err error) int {
	if err == nil {
		return ExitOK
	}
	for _, kind := range k {
		for _, e := range kind.Errs {
			if errors.Is(err, e) {
				return kind.Status
			}
		}
	}
	return ExitFailed
}
