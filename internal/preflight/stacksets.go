package preflight

import "context"

// stackSets would check Organizations' trusted access for CloudFormation StackSets, which
// an organisation mode deploying curfew's roles by StackSet needs. The account map has no
// such mode: every stack is deployed with cdk deploy, one per account.
type stackSets struct{}

func (stackSets) Name() string { return "stacksets access" }

func (stackSets) Run(context.Context, Target) []Finding {
	return []Finding{notApplicable("the account map has no organisation mode: curfew's stacks are deployed one per account with cdk deploy, not by StackSets")}
}
