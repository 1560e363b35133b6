package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/runtable"
)

// ErrUninstallRefused means something curfew stopped is still stopped or marked: removing
// curfew now would leave it so, with nobody to start it.
var ErrUninstallRefused = errors.New("uninstall refused")

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
	client := lambda.NewFromConfig(cfg)
	// The restart engine is the one judge of what curfew stopped: uninstall runs it, never
	// a list of its own.
	run := func(dryRun bool) (fleet.Report, error) {
		rep, _, err := invoke.Call(ctx, client, accounts.RestartFunction, fleet.Payload{Trigger: fleet.Manual, DryRun: dryRun})
		if err != nil {
			return rep, withHint(fmt.Errorf("%s in %s/%s: %w", accounts.RestartFunction, home.Name, a.m.HomeRegion, err),
				"curfew-service must still be deployed for uninstall to start what curfew stopped; check that --profile may invoke it, and its logs: aws logs tail /aws/lambda/%s --region %s",
				accounts.RestartFunction, a.m.HomeRegion)
		}
		return rep, nil
	}
	if in.dryRun {
		fmt.Fprintln(a.stdout, "what curfew uninstall would start, in every swept account (the same function, dry run)")
		plan, err := run(true)
		if err != nil {
			return err
		}
		if err := runtable.Write(a.stdout, plan); err != nil {
			return err
		}
		fmt.Fprint(a.stdout, "\nOnce all of it is started and unmarked, it would have you destroy curfew's stacks, in this order,\n"+
			"each with the profile you deployed it with:\n\n")
		writeDestroyCommands(a)
		fmt.Fprintln(a.stdout, "\ndry run: nothing was changed; run curfew uninstall without --dry-run to start it")
		return nil
	}
	fmt.Fprintln(a.stdout, "1. start everything curfew stopped, in every swept account")
	started, err := run(false)
	if err != nil {
		return err
	}
	if err := runtable.Write(a.stdout, started); err != nil {
		return err
	}
	left := stranded(started, false)
	if len(left) == 0 {
		fmt.Fprintln(a.stdout, "\n2. check that no resource carries curfew's mark any more (the same function, dry run)")
		check, err := run(true)
		if err != nil {
			return err
		}
		if err := runtable.Write(a.stdout, check); err != nil {
			return err
		}
		left = stranded(check, true)
	}
	if len(left) > 0 {
		fmt.Fprintf(a.stdout, "\ncurfew's stacks must stay: %d thing(s) curfew stopped are not started and unmarked:\n", len(left))
		for _, l := range left {
			fmt.Fprintln(a.stdout, "  - "+l)
		}
		return withHint(fmt.Errorf("%w: %d resource(s) or account×region pair(s) are still stopped or marked; nothing was removed", ErrUninstallRefused, len(left)),
			"fix each cause above (or start it by hand and remove its tags %s and %s, and after setting its capacity back %s on an Auto Scaling group, %s and %s on an ECS service, %s on an EKS node group), then run curfew uninstall again",
			accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.CapacityTag, accounts.ECSDesiredTag, accounts.ECSMinCapacityTag, accounts.NodegroupScalingTag)
	}
	writeDestroySequence(a, home)
	return nil
}

// stranded lists what a restart left stopped or marked: an account×region it could not
// look at, a resource whose start or unmarking failed. The dry run that checks the first
// run reports only resources that carry the mark, so there every resource counts (one
// the first run skipped in a transitional state, a stale mark it could not remove).
func stranded(rep fleet.Report, check bool) []string {
	var out []string
	for _, res := range rep.Results {
		where := res.Account + " " + res.Region
		if res.Status == fleet.Failed || res.Status == fleet.NotReached {
			out = append(out, fmt.Sprintf("%s: %s: %s", where, res.Status, joinNonEmpty(res.Error, res.Reason)))
		}
		for _, x := range res.Resources {
			if check || x.Action == fleet.ActionFailed || x.Error != "" {
				out = append(out, fmt.Sprintf("%s: %s %s: %s", where, x.Type, x.ID, joinNonEmpty(string(x.Action), x.Error, x.Reason)))
			}
		}
	}
	return out
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ": ")
}

// writeDestroySequence prints the cdk destroy commands in the order that never leaves
// a run without its roles, and what CloudFormation keeps.
func writeDestroySequence(a *app, home accounts.Account) {
	s := a.m.ScheduleFor(home)
	fmt.Fprint(a.stdout, "\nnothing curfew stopped is stopped or marked any more: its stacks may go.\n"+
		"Destroy them in this order, each with the profile you deployed it with (curfew does not know it;\n"+
		"the profiles curfew profiles writes may not touch curfew's stacks):\n\n")
	writeDestroyCommands(a)
	fmt.Fprintf(a.stdout, `
Destroy curfew-service before the next scheduled stop (%s %s, %s): until then the
night shutdown still runs, and anything it stops then stays stopped once curfew is gone
(run curfew uninstall again if a stop ran in between).
CloudFormation keeps curfew's log groups (/aws/lambda/curfew-*), its bucket of run
history and reports, and its KMS keys: the log groups are the audit trail; delete them
before deploying curfew again into the home account.
`, s.Stop.At, strings.Join(s.Stop.Days, ","), s.TimeZone)
	if a.m.Organization != nil {
		fmt.Fprintf(a.stdout, "It also keeps the bucket of the published account list, %s, whose name is fixed:\ndelete it before deploying curfew again.\n", accountlist.Bucket(a.m))
	}
}

// writeDestroyCommands prints the cdk destroy commands: the service stack (its schedules)
// first, then every target account's stack, then the identity stack. curfew does not know
// the profile each stack was deployed with (the profiles it writes are the developers',
// which the guardrails keep from curfew's stacks), so each command says which one to put
// in, where a shell would refuse to run it as it is.
func writeDestroyCommands(a *app) {
	stacks := []string{"curfew-service"}
	// The roles Identity Center made in the accounts carry each account's CurfewGuardrails:
	// IAM refuses to delete a policy still attached, so the permission sets go first.
	if a.m.UsesIdentityCenter() {
		stacks = append(stacks, "curfew-identity-center")
	}
	// The StackSets delete the roles of every account found in the units: after the
	// service, so that no run looks for them, and before the listed accounts, as any order
	// of those would do.
	if a.m.Organization != nil {
		stacks = append(stacks, "curfew-organization")
	}
	for _, t := range a.m.Targets() {
		stacks = append(stacks, "curfew-"+t.Name)
	}
	stacks = append(stacks, "curfew-identity")
	for _, stack := range stacks {
		fmt.Fprintf(a.stdout, "  cdk destroy %s --profile <the profile you deployed %s with> -c accountMap=%s\n", stack, stack, a.mapPath)
	}
}
