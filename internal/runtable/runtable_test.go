package runtable_test

import (
	"os"
	"strings"

	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/runtable"
	"github.com/curfew/curfew/internal/sources"
)

// A dry run: an account×region with nothing to do, a skipped resource and a holiday.
func ExampleWrite() {
	rep := fleet.Report{
		RunID: "20261127T190000Z-1b2c3d", Kind: "shutdown", Trigger: "manual", DryRun: true,
		Results: []fleet.Result{
			{Account: "staging", Region: "eu-west-1", Status: fleet.Done, Resources: []fleet.Resource{
				{Type: "ec2-instance", ID: "i-0123456789abcdef0", Size: "t3.micro", Action: fleet.WouldStop},
				{Type: "rds-cluster", ID: "search", Action: fleet.Skipped, Reason: "curfew:skip"},
			}},
			{Account: "sandbox", Region: "eu-west-1", Status: fleet.Done},
			{Account: "madrid", Region: "eu-south-2", Status: fleet.Holiday, Reason: "public holiday in ES"},
		},
		Totals: fleet.Totals{WouldStop: 1, Skipped: 1, Pairs: 3, PairsHoliday: 1},
	}
	if err := runtable.Write(os.Stdout, rep); err != nil {
		panic(err)
	}
	// Output:
	// shutdown run 20261127T190000Z-1b2c3d (manual), dry run: nothing was changed
	//
	// ACCOUNT  REGION      TYPE          RESOURCE             SIZE      ACTION         DETAIL
	// staging  eu-west-1   ec2-instance  i-0123456789abcdef0  t3.micro  would-stop
	// staging  eu-west-1   rds-cluster   search               -         skipped        curfew:skip
	// sandbox  eu-west-1   -             -                    -         nothing to do
	// madrid   eu-south-2  -             -                    -         holiday        public holiday in ES
	//
	// 1 would stop, 1 skipped; 3 account×region pair(s), 1 on holiday
}

// The two outcomes that are neither done nor failed, side by side (in life the first comes
// from a shutdown, the second from a restart): a database caught mid-change, and an
// instance someone started and stopped again after the shutdown.
func ExampleWrite_notStoppedAndLeftStopped() {
	rep := fleet.Report{
		RunID: "20261128T070000Z-9f8e7d", Kind: "restart", Trigger: "schedule",
		Results: []fleet.Result{
			{Account: "staging", Region: "eu-west-1", Status: fleet.Done, Resources: []fleet.Resource{
				{Type: "rds-instance", ID: "orders-db", Size: "db.t3.micro", Action: fleet.NotStopped, Reason: "backing-up; the next run will try again"},
				{Type: "ec2-instance", ID: "i-0123456789abcdef0", Size: "t3.micro", Action: fleet.LeftStopped, Reason: "stopped again by someone else after the shutdown"},
			}},
		},
		Totals: fleet.Totals{NotStopped: 1, LeftStopped: 1, Pairs: 1},
	}
	if err := runtable.Write(os.Stdout, rep); err != nil {
		panic(err)
	}
	// Output:
	// restart run 20261128T070000Z-9f8e7d (schedule)
	//
	// ACCOUNT  REGION     TYPE          RESOURCE             SIZE         ACTION        DETAIL
	// staging  eu-west-1  rds-instance  orders-db            db.t3.micro  not-stopped   backing-up; the next run will try again
	// staging  eu-west-1  ec2-instance  i-0123456789abcdef0  t3.micro     left-stopped  stopped again by someone else after the shutdown
	//
	// 1 not stopped (mid-change; the next run tries again), 1 left stopped (stopped again by someone else); 1 account×region pair(s)
}

// A shutdown over an organisation: an account found in a production unit, left alone, and
// a unit the organisation does not have, an error of the run.
func ExampleWrite_accountsNotVisited() {
	rep := fleet.Report{
		RunID: "20261128T190000Z-4d5e6f", Kind: "shutdown", Trigger: "schedule",
		Results: []fleet.Result{{Account: "sandbox", Region: "eu-west-1", Status: fleet.Done}},
		Accounts: []sources.Note{
			{Account: "555555555555", From: "organization.ous[1] (ou-ab12-cd34ef56)", Outcome: sources.Skipped, Reason: "production: never swept"},
			{From: "organization.ous[2].id", Outcome: sources.Error, Reason: "the organisation has no unit ou-ab12-zzzzzzzz (ParentNotFoundException): nothing is swept there; correct the id"},
		},
		Totals: fleet.Totals{Pairs: 1, AccountsSkipped: 1, AccountErrors: 1},
	}
	if err := runtable.Write(os.Stdout, rep); err != nil {
		panic(err)
	}
	// Output:
	// shutdown run 20261128T190000Z-4d5e6f (schedule)
	//
	// ACCOUNT  REGION     TYPE  RESOURCE  SIZE  ACTION         DETAIL
	// sandbox  eu-west-1  -     -         -     nothing to do
	//
	// accounts not visited:
	// ACCOUNT       FROM                                    OUTCOME  REASON
	// 555555555555  organization.ous[1] (ou-ab12-cd34ef56)  skipped  production: never swept
	// -             organization.ous[2].id                  error    the organisation has no unit ou-ab12-zzzzzzzz (ParentNotFoundException): nothing is swept there; correct the id
	//
	// no resource matched; 1 account×region pair(s); 2 account(s) not visited (1 error(s))
}

// Issue 28, item 5: an account whose role could not be assumed reads as one line for
// all its regions, with the engine's reason; a region where every call was denied reads
// as one line naming the error code once, without the SDK's request ids and status
// lines; and the summary does not say "no resource matched".
func ExampleWrite_failures() {
	unreachable := "cannot assume CurfewScheduler in 222222222222: AccessDenied; is its stack curfew-staging deployed there? Nothing was done in this account"
	denied := func(what, service, op string) string {
		return what + " in sandbox/eu-west-1: operation error " + service + ": " + op +
			", https response error StatusCode: 403, RequestID: 0f3c8a1e-6b1d-4f0e-9d55-2a9c7d1e8b40, api error AccessDeniedException: User: arn:aws:sts::333333333333:assumed-role/CurfewScheduler/run is not authorized to perform: " + op
	}
	rep := fleet.Report{
		RunID: "20261127T190000Z-4f2a9e", Kind: "shutdown", Trigger: "manual",
		Results: []fleet.Result{
			{Account: "staging", Region: "eu-west-1", Status: fleet.Failed, Reason: unreachable, Error: "AccessDenied"},
			{Account: "staging", Region: "eu-central-1", Status: fleet.Failed, Reason: unreachable, Error: "AccessDenied"},
			{Account: "sandbox", Region: "eu-west-1", Status: fleet.Failed, Error: strings.Join([]string{
				denied("list ECS clusters", "ECS", "ListClusters"),
				denied("describe EC2 instances", "EC2", "DescribeInstances"),
				denied("describe Auto Scaling groups", "Auto Scaling", "DescribeAutoScalingGroups"),
				denied("list EKS clusters", "EKS", "ListClusters"),
				denied("describe DB clusters", "RDS", "DescribeDBClusters"),
			}, "\n")},
		},
		Totals: fleet.Totals{Pairs: 3, PairsFailed: 3},
	}
	if err := runtable.Write(os.Stdout, rep); err != nil {
		panic(err)
	}
	// Output:
	// shutdown run 20261127T190000Z-4f2a9e (manual)
	//
	// ACCOUNT  REGION                   TYPE  RESOURCE  SIZE  ACTION  DETAIL
	// staging  eu-west-1, eu-central-1  -     -         -     failed  cannot assume CurfewScheduler in 222222222222: AccessDenied; is its stack curfew-staging deployed there? Nothing was done in this account
	// sandbox  eu-west-1                -     -         -     failed  AccessDeniedException (list ECS clusters, describe EC2 instances and 3 more calls)
	//
	// nothing done; 3 account×region pair(s), 3 failed
}
