package uninstall

import (
	"fmt"
	"strings"

	"github.com/curfew/curfew/internal/accountlist"
)

// Stacks are curfew's stacks in the order they are destroyed: the service stack (its
// schedules) first, then every target account's stack, then the identity stack.
func (u Uninstall) Stacks() []string {
	stacks := []string{"curfew-service"}
	// The roles Identity Center made in the accounts carry each account's CurfewGuardrails:
	// IAM refuses to delete a policy still attached, so the permission sets go first.
	if u.Map.UsesIdentityCenter() {
		stacks = append(stacks, "curfew-identity-center")
	}
	// The StackSets delete the roles of every account found in the units: after the
	// service, so that no run looks for them, and before the listed accounts, as any order
	// of those would do.
	if u.Map.Organization != nil {
		stacks = append(stacks, "curfew-organization")
	}
	for _, t := range u.Map.Targets() {
		stacks = append(stacks, "curfew-"+t.Name)
	}
	return append(stacks, "curfew-identity")
}

// writeDestroyCommands prints the cdk destroy commands of Stacks. curfew does not know the
// profile each stack was deployed with (the profiles it writes are the developers', which
// the guardrails keep from curfew's stacks), so each command says which one to put in,
// where a shell would refuse to run it as it is.
func (u Uninstall) writeDestroyCommands() {
	for _, stack := range u.Stacks() {
		fmt.Fprintf(u.Out, "  cdk destroy %s --profile <the profile you deployed %s with> -c accountMap=%s\n", stack, stack, u.MapPath)
	}
}

// writeDestroySequence prints the cdk destroy commands and what CloudFormation keeps.
func (u Uninstall) writeDestroySequence() {
	s := u.Map.ScheduleFor(u.Map.HomeAccount())
	fmt.Fprint(u.Out, "\nnothing curfew stopped is stopped or marked any more: its stacks may go.\n"+
		"Destroy them in this order, each with the profile you deployed it with (curfew does not know it;\n"+
		"the profiles curfew profiles writes may not touch curfew's stacks):\n\n")
	u.writeDestroyCommands()
	fmt.Fprintf(u.Out, `
Destroy curfew-service before the next scheduled stop (%s %s, %s): until then the
night shutdown still runs, and anything it stops then stays stopped once curfew is gone
(run curfew uninstall again if a stop ran in between).
CloudFormation keeps curfew's log groups (/aws/lambda/curfew-*), its bucket of run
history and reports, and its KMS keys: the log groups are the audit trail; delete them
before deploying curfew again into the home account.
`, s.Stop.At, strings.Join(s.Stop.Days, ","), s.TimeZone)
	if u.Map.Organization != nil {
		fmt.Fprintf(u.Out, "It also keeps the bucket of the published account list, %s, whose name is fixed:\ndelete it before deploying curfew again.\n", accountlist.Bucket(u.Map))
	}
}
