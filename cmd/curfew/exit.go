package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/mfasession"
	"github.com/curfew/curfew/internal/problem"
)

// exitKinds says which errors give which exit status; `curfew --help` lists them
// (exitHelp) and docs/operations.md explains them.
var exitKinds = problem.Kinds{
	{Status: problem.ExitInterrupted, Errs: []error{invoke.ErrInterrupted}},
	{Status: problem.ExitRefused, Errs: []error{invoke.ErrRefused}},
	{Status: problem.ExitUsage, Errs: []error{problem.ErrUsage, ErrInvalidInput, ErrUnknownAccount, ErrProduction, ErrNoMap, ErrNotConfirmed, invoke.ErrUnmatched}},
	{Status: problem.ExitAuth, Errs: []error{ErrMissingProfile, ErrWrongAccount, ErrNoMFACode, mfasession.ErrUnsafeCache, credcause.ErrNoCode, credcause.ErrLogin}},
	{Status: problem.ExitPartial, Errs: []error{invoke.ErrRunFailed, ErrPreflightFailed}},
}

// exitHelp is the end of `curfew --help`.
const exitHelp = `

Exit status:
  0    done
  1    failed (an AWS call, a file); the message says what and what to do next
  2    usage: a wrong flag, argument, account, region, resource id or snooze time; nothing was done
  3    credentials: no profile, no MFA code, or a profile of another account; nothing was done
  4    partly failed: a run or a check finished with failures (the report says which)
  5    refused: another run holds an account's lease; this one changed nothing
  75   curfew credentials only (the profiles' credential_process): no MFA session is open; run curfew login
  130  interrupted (Ctrl-C); a run already sent goes on in AWS
  curfew exec exits with the command's own status.`

// usageErrors makes every error of the command line itself (an unknown flag, a
// missing or extra argument) ErrUsage, with a pointer to the command's help.
func usageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError(c, err) })
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return usageError(cmd, err)
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func usageError(c *cobra.Command, err error) error {
	return withHint(fmt.Errorf("%w: %w", problem.ErrUsage, err), "see `%s --help`", c.CommandPath())
}

// unknownCommand gives cobra's "unknown command" error of the root the same pointer.
func unknownCommand(root *cobra.Command, err error) error {
	if err != nil && strings.HasPrefix(err.Error(), "unknown command") {
		return usageError(root, err)
	}
	return err
}
