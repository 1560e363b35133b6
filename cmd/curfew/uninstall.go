package main

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/uninstall"
)

// ErrUninstallRefused means something curfew stopped is still stopped or marked
// (package uninstall).
var ErrUninstallRefused = uninstall.ErrRefused

// uninstallInput is what `curfew uninstall` is given.
type uninstallInput struct {
	profile string
	// profileSet says --profile was given; "" then means the SDK's default chain.
	profileSet bool
	// dryRun reports what would be started and destroyed, and changes nothing.
	dryRun bool
	// yes skips the question asked before starting everything curfew stopped.
	yes bool
}

func newUninstallCommand(a *app) *cobra.Command {
	var in uninstallInput
	cmd := &cobra.Command{
		Use:   "uninstall [--profile PROFILE]",
		Short: "Start everything curfew stopped, then print how to destroy its stacks",
		Long: `Prepare curfew's removal: deleting its stacks while resources are stopped and marked
would leave them stopped with nobody to start them.

uninstall invokes ` + accounts.RestartFunction + ` in the home account, as curfew start does, over every
swept account: it starts everything curfew stopped and removes each mark as it starts the
resource. A dry run of the same function then confirms that no marked resource is left.
Only then does it print the cdk destroy commands, in order (the service stack first, so
that no schedule runs again, then each account's stack, then the identity stack), each
to be run with the profile its stack was deployed with. If anything could not be
started, it lists what and exits non-zero without printing them: fix the cause and run
it again.

It asks before starting anything; --yes skips the question, and without a terminal (a
script, a pipeline) it refuses unless --yes is given. --dry-run lists what it would
start and the commands it would print, and changes nothing.`,
		Example: `  curfew uninstall --profile operator --dry-run
  curfew uninstall --profile operator
  aws-vault exec ops -- curfew uninstall --profile "" --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.profileSet = cmd.Flags().Changed("profile")
			return runUninstall(cmd.Context(), a, in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.profile, "profile", "", "AWS profile for the home account (default: --prefix and the home account's name; \"\": the SDK's default chain)")
	f.BoolVar(&in.dryRun, "dry-run", false, "list what it would start and the stacks it would have you destroy, and change nothing")
	f.BoolVar(&in.yes, "yes", false, "start everything curfew stopped without asking (needed when stdin is not a terminal)")
	return cmd
}

func runUninstall(ctx context.Context, a *app, in uninstallInput) error {
	home := a.m.HomeAccount()
	profile := in.profile
	if !in.profileSet {
		profile = a.prefix + home.Name
	}
	// Starting everything curfew stopped, everywhere, is the widest change the CLI makes:
	// ask before any AWS call, so a refusal also costs no MFA code.
	if !in.dryRun {
		what := "curfew uninstall starts everything curfew stopped in every swept account: " + strings.Join(sweptNames(a.m), ", ")
		if a.m.Organization != nil {
			what += " and the accounts of organization.ous"
		}
		if err := a.confirm(what, in.yes, "--dry-run to see what it would do"); err != nil {
			return err
		}
	}
	cfg, err := a.connect(ctx, profile, a.m.HomeRegion, home, "curfew uninstall invokes "+accounts.RestartFunction+" in the home account")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	u := uninstall.Uninstall{Map: a.m, MapPath: a.mapPath, Client: lambda.NewFromConfig(cfg), Out: a.stdout}
	if in.dryRun {
		return u.DryRun(ctx)
	}
	return u.Run(ctx)
}
