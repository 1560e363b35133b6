// Package preflight checks an AWS account before curfew's first deploy there: what
// `cdk deploy` of curfew's stacks would fail on (a missing bootstrap, a quota, a name
// someone else holds) and what curfew needs afterwards (Cost Explorer), each with how to
// fix it. Each check is one file, behind Check; Run runs them against one account with
// the operator's credentials for it.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
)

// Status is what one finding of a check says.
type Status string

// The statuses of a finding.
const (
	// OK: nothing here stops the deploy or curfew.
	OK Status = "ok"
	// Problem: the deploy (or curfew afterwards) would fail; Fix says what to do.
	Problem Status = "problem"
	// NotApplicable: the check does not concern this account or this map.
	NotApplicable Status = "n/a"
	// Warning: what would be a problem, accepted by the map by name (an override); it
	// stops nothing, and is printed so that nobody forgets it.
	Warning Status = "warning"
)

// Finding is one thing a check found.
type Finding struct {
	Status Status `json:"status"`
	// Detail says what was found.
	Detail string `json:"detail"`
	// Fix says how to fix a problem; empty otherwise.
	Fix string `json:"fix,omitempty"`
}

// Result is what one check found in the account.
type Result struct {
	Check    string    `json:"check"`
	Findings []Finding `json:"findings"`
}

// Target is the account to check and how to reach it.
type Target struct {
	Map     *accounts.Map
	Account accounts.Account
	// Config carries credentials of the account (the operator's, before curfew's roles
	// exist); each check sets the region of its calls.
	Config aws.Config
	// Profile is the AWS profile behind Config, for the commands in fixes.
	Profile string
}

// Check is one thing preflight looks at. Checks call AWS with real SDK clients built
// from the target's Config; they are tested against the emulator, where the real client
// is what is being proven.
type Check interface {
	// Name is the check's short name, the first column of the report.
	Name() string
	// Run checks the target. An AWS call that fails is a Problem finding naming what the
	// profile could not read: an unchecked account is never reported as ready.
	Run(ctx context.Context, t Target) []Finding
}

// Checks returns every check, in the order they are reported.
func Checks() []Check {
	return []Check{bootstrap{}, cdkExecution{}, concurrency{}, iamQuotas{}, oidcProvider{}, fixedNames{}, groupTags{}, costExplorer{}, stackSets{}}
}

// Run runs the checks against the target, one after another (each makes a few calls).
func Run(ctx context.Context, t Target, checks []Check) []Result {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		out = append(out, Result{Check: c.Name(), Findings: c.Run(ctx, t)})
	}
	return out
}

// Problems counts the problem findings.
func Problems(results []Result) int { return count(results, Problem) }

// Warnings counts the warning findings.
func Warnings(results []Result) int { return count(results, Warning) }

func count(results []Result, s Status) int {
	n := 0
	for _, r := range results {
		for _, f := range r.Findings {
			if f.Status == s {
				n++
			}
		}
	}
	return n
}

func ok(format string, args ...any) Finding {
	return Finding{Status: OK, Detail: fmt.Sprintf(format, args...)}
}

func notApplicable(format string, args ...any) Finding {
	return Finding{Status: NotApplicable, Detail: fmt.Sprintf(format, args...)}
}

func problem(detail, fix string) Finding {
	return Finding{Status: Problem, Detail: detail, Fix: fix}
}

// unchecked is the finding of a check whose call failed.
func unchecked(what string, err error, actions ...string) Finding {
	return problem(fmt.Sprintf("could not %s: %v", what, err),
		fmt.Sprintf("run preflight with a profile that may call %s in this account (the one you deploy with)", strings.Join(actions, ", ")))
}

// errorCode is the AWS error code of err, "" when it is no AWS API error.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// profileArg is the --profile argument of the commands in fixes.
func (t Target) profileArg() string {
	if t.Profile == "" {
		return ""
	}
	return " --profile " + t.Profile
}
