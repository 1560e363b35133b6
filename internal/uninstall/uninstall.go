// Package uninstall prepares curfew's removal: it starts everything curfew stopped
// through the restart function (the one judge of what curfew stopped), checks that no
// mark is left, and only then gives the cdk destroy commands, in the order that never
// leaves a run without its roles.
package uninstall

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/problem"
	"github.com/curfew/curfew/internal/runtable"
	"github.com/curfew/curfew/internal/table"
)

// ErrRefused means something curfew stopped is still stopped or marked: removing curfew
// now would leave it so, with nobody to start it.
var ErrRefused = errors.New("uninstall refused")

// Uninstall is one removal of curfew from the accounts of Map.
type Uninstall struct {
	Map *accounts.Map
	// MapPath is the account map's path, for the cdk commands it prints.
	MapPath string
	// Client invokes the restart function in the home account.
	Client invoke.LambdaAPI
	Out    io.Writer
}

// restart runs the restart function over every swept account.
func (u Uninstall) restart(ctx context.Context, dryRun bool) (fleet.Report, error) {
	rep, _, err := invoke.Call(ctx, u.Client, accounts.RestartFunction, fleet.Payload{Trigger: fleet.Manual, DryRun: dryRun})
	if errors.Is(err, invoke.ErrInterrupted) {
		return rep, problem.WithHint(fmt.Errorf("%w: the run was sent; it continues in AWS (%s in %s/%s); nothing was removed", invoke.ErrInterrupted,
			accounts.RestartFunction, u.Map.HomeAccount().Name, u.Map.HomeRegion),
			"run curfew uninstall again once it is done (usually within a minute): it checks what is left and prints the destroy commands")
	}
	if err != nil {
		return rep, problem.WithHint(problem.Shown(fmt.Sprintf("%s in %s/%s: %s", accounts.RestartFunction, u.Map.HomeAccount().Name, u.Map.HomeRegion, cause.Of(err)), err),
			"curfew-service must still be deployed for uninstall to start what curfew stopped; check that --profile may invoke it, and its logs: aws logs tail /aws/lambda/%s --region %s",
			accounts.RestartFunction, u.Map.HomeRegion)
	}
	return rep, nil
}

// step prints heading, runs the restart function (a dry run or not) and prints its table.
func (u Uninstall) step(ctx context.Context, heading string, dryRun bool) (fleet.Report, error) {
	fmt.Fprintln(u.Out, heading)
	rep, err := u.restart(ctx, dryRun)
	if err != nil {
		return rep, err
	}
	return rep, runtable.Write(u.Out, rep)
}

// DryRun lists what the restart would start and the stacks to destroy; it changes nothing.
func (u Uninstall) DryRun(ctx context.Context) error {
	if _, err := u.step(ctx, "what curfew uninstall would start, in every swept account (the same function, dry run)", true); err != nil {
		return err
	}
	fmt.Fprint(u.Out, "\nOnce all of it is started and unmarked, it would have you destroy curfew's stacks, in this order,\n"+
		"each with the profile you deployed it with:\n\n")
	u.writeDestroyCommands()
	_, err := fmt.Fprintln(u.Out, "\ndry run: nothing was changed; run curfew uninstall without --dry-run to start it")
	return err
}

// Run starts everything curfew stopped, checks with a dry run that no mark is left, and
// prints the destroy commands; with anything left stopped or marked it lists what and
// fails with ErrRefused instead.
func (u Uninstall) Run(ctx context.Context) error {
	started, err := u.step(ctx, "1. start everything curfew stopped, in every swept account", false)
	if err != nil {
		return err
	}
	left := Stranded(started, false)
	if len(left) == 0 {
		check, err := u.step(ctx, "\n2. check that no resource carries curfew's mark any more (the same function, dry run)", true)
		if err != nil {
			return err
		}
		left = Stranded(check, true)
	}
	if len(left) > 0 {
		fmt.Fprintf(u.Out, "\ncurfew's stacks must stay: %d thing(s) curfew stopped are not started and unmarked:\n", len(left))
		for _, l := range left {
			fmt.Fprintln(u.Out, "  - "+l)
		}
		return problem.WithHint(fmt.Errorf("%w: %d resource(s) or account×region pair(s) are still stopped or marked; nothing was removed", ErrRefused, len(left)),
			"fix each cause above (or start it by hand and remove its tags %s and %s, and after setting its capacity back %s on an Auto Scaling group, %s and %s on an ECS service, %s on an EKS node group), then run curfew uninstall again",
			accounts.StoppedAtTag, accounts.StoppedByRunTag, accounts.CapacityTag, accounts.ECSDesiredTag, accounts.ECSMinCapacityTag, accounts.NodegroupScalingTag)
	}
	u.writeDestroySequence()
	return nil
}

// Stranded lists what a restart left stopped or marked: an account×region it could not
// look at, a resource whose start or unmarking failed. The dry run that checks the first
// run (check) reports only resources that carry the mark, so there every resource counts
// (one the first run skipped in a transitional state, a stale mark it could not remove).
func Stranded(rep fleet.Report, check bool) []string {
	var out []string
	for _, res := range rep.Results {
		where := res.Account + " " + res.Region
		if res.Status == fleet.Failed || res.Status == fleet.NotReached {
			out = append(out, fmt.Sprintf("%s: %s: %s", where, res.Status, table.JoinNonEmpty(": ", res.Error, res.Reason)))
		}
		for _, x := range res.Resources {
			if check || x.Action == fleet.ActionFailed || x.Error != "" {
				out = append(out, fmt.Sprintf("%s: %s %s: %s", where, x.Type, x.ID, table.JoinNonEmpty(": ", string(x.Action), x.Error, x.Reason)))
			}
		}
	}
	return out
}
