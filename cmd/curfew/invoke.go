package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/invoke"
)

// The errors of a run, for errors.Is (package invoke).
var (
	ErrRunFailed     = invoke.ErrRunFailed
	ErrRunInProgress = invoke.ErrRefused
)

// invokeTimeout is above the functions' own 10-minute timeout, so the CLI waits for
// their answer instead of giving up first.
const invokeTimeout = 11 * time.Minute

// invokeKind is one of the commands that run curfew's Lambdas on demand.
type invokeKind struct {
	use, short, long string
	function         string
	// doing is what the progress line says the run does: "stopping" ... accounts.
	doing string
	// dryRun forces a dry run: plan is a shutdown that changes nothing.
	dryRun bool
}

var (
	stopCommand = invokeKind{
		use:   "stop",
		short: "Run the night shutdown now",
		long: `Invoke ` + accounts.ShutdownFunction + ` in the home account now: it stops running EC2 instances,
RDS instances and Aurora clusters of the non-production accounts (or only those you name),
marks what it stopped, and leaves snoozed and skipped resources alone.`,
		function: accounts.ShutdownFunction,
		doing:    "stopping",
	}
	startCommand = invokeKind{
		use:   "start",
		short: "Start again what curfew stopped (the on-demand restart)",
		long: `Invoke ` + accounts.RestartFunction + ` in the home account now: it starts exactly what curfew's
shutdown stopped, in every non-production account or only those you name. Use it when a
team needs its environment before the morning start, or on a holiday.`,
		function: accounts.RestartFunction,
		doing:    "starting",
	}
	planCommand = invokeKind{
		use:   "plan",
		short: "Show what the shutdown would stop, changing nothing",
		long: `Invoke ` + accounts.ShutdownFunction + ` as a dry run: it reports what it would stop and what
it would leave running (and why), and changes nothing. It ends with the next holiday of
each account, and the calendar or date of the map it comes from.`,
		function: accounts.ShutdownFunction,
		dryRun:   true,
	}
)

// invokeInput is what stop, start and plan are asked to do.
type invokeInput struct {
	invoke.Request
	json bool
	// yes skips the question asked before a change over every account.
	yes     bool
	profile string
	// profileSet says --profile was given; "" then means the SDK's default chain, for
	// credentials in the environment (aws-vault exec, a pipeline's role).
	profileSet bool
}

func newInvokeCommand(a *app, k invokeKind) *cobra.Command {
	var in invokeInput
	long := k.long
	if !k.dryRun {
		long += `

Without --account it acts on every non-production account at once, so it asks first
on a terminal; --yes skips the question, and without a terminal (a script, a pipeline)
it refuses unless --yes is given.`
	}
	cmd := &cobra.Command{
		Use:   k.use + " [--account A] [--region R] [--resource ID]",
		Short: k.short,
		Long: long + `

The function runs in the home account and region of the account map, invoked with your
--profile (it needs lambda:InvokeFunction there); a profile that reaches another account
is refused before the invocation. The run's report is printed as a table, or
as JSON with --json; the command exits non-zero when anything failed.`,
		Example: fmt.Sprintf(`  curfew %[1]s --account staging
  curfew %[1]s --account staging --region eu-central-1 --resource i-0123456789abcdef0
  curfew %[1]s --profile operator --json
  aws-vault exec ops -- curfew %[1]s --profile ""   # credentials from the environment`, k.use),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.profileSet = cmd.Flags().Changed("profile")
			return runInvoke(cmd.Context(), a, k, in)
		},
	}
	f := cmd.Flags()
	f.Var(invoke.Filter{Flag: "--account", What: "an account", Items: &in.Accounts, Empty: &in.Empty}, "account", "only this account (repeat or comma-separate; default: every non-production account)")
	f.Var(invoke.Filter{Flag: "--region", What: "a region", Items: &in.Regions, Empty: &in.Empty}, "region", "only this region (repeat or comma-separate; default: each account's regions)")
	f.Var(invoke.Filter{Flag: "--resource", What: "a resource id", Items: &in.Resources, Empty: &in.Empty}, "resource", "only this resource id (repeat or comma-separate)")
	if !k.dryRun {
		f.BoolVar(&in.DryRun, "dry-run", false, "report what would be done and change nothing")
		f.BoolVar(&in.yes, "yes", false, "without --account, go ahead without asking (needed when stdin is not a terminal)")
	}
	f.BoolVar(&in.json, "json", false, "print the report as JSON")
	f.StringVar(&in.profile, "profile", "", "AWS profile for the home account (default: --prefix and the home account's name, as curfew profiles writes it; \"\": the SDK's default chain, e.g. environment keys)")
	return cmd
}
