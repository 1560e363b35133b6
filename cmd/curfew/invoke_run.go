package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/invoke"
	"github.com/curfew/curfew/internal/problem"
	"github.com/curfew/curfew/internal/runtable"
)

func runInvoke(ctx context.Context, a *app, k invokeKind, in invokeInput) error {
	// Before anything else, reading the list of found accounts included: the rest of the
	// request would cover what the empty value was meant to narrow.
	if err := joinProblems(in.Empty); err != nil {
		return err
	}
	home := a.m.HomeAccount()
	profile := in.profile
	if !in.profileSet {
		profile = a.prefix + home.Name
	}
	connect := func() (aws.Config, error) {
		return a.connect(ctx, profile, a.m.HomeRegion, home, "curfew "+k.use+" invokes "+k.function+" in the home account")
	}
	found, err := a.forInvoke(ctx, &in.Accounts, connect)
	if err != nil {
		return err
	}
	in.DryRun = in.DryRun || k.dryRun
	req, err := in.Payload(found.m, func(name string) (accounts.Account, error) { return sweptAccount(found.m, name) })
	if err != nil {
		return err
	}
	req.Accounts = found.ids(a.m, req.Accounts)
	// One forgotten --account stops or starts every non-production account at once: ask
	// before any AWS call, so a refusal also costs no MFA code.
	if len(in.Accounts) == 0 && !req.DryRun {
		what := fmt.Sprintf("curfew %s runs %s in every non-production account: %s", k.use, k.function, strings.Join(sweptNames(a.m), ", "))
		if err := a.confirm(what, in.yes, "--account NAME for one account"); err != nil {
			return err
		}
	}
	cfg, err := found.connection(connect)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, invokeTimeout)
	defer cancel()
	a.log.Debug("invoke", "function", k.function, "account", home.Name, "region", a.m.HomeRegion, "request", req)
	done := func() {}
	if a.progress != nil && !a.debug { // --debug's log lines would break the one line
		doing := k.doing
		if req.DryRun {
			doing = "a dry run over"
		}
		done = a.progress(invoke.Describe(k.function, home.Name+"/"+a.m.HomeRegion, doing, in.Accounts))
	}
	rep, raw, err := invoke.Call(ctx, lambda.NewFromConfig(cfg), k.function, req)
	done()
	if err != nil {
		return a.invokeError(k, err)
	}
	if err := a.printReport(k, rep, raw, in.json); err != nil {
		return err
	}
	if k.dryRun && !in.json {
		if err := printNextHolidays(a.stdout, found.m, in.Accounts, a.now()); err != nil {
			return err
		}
	}
	if rep.Failed() {
		return withHint(fmt.Errorf("%w: %s: %s", ErrRunFailed, k.function, invoke.Failures(rep.Totals)),
			"read the failures above; once fixed, run again with --account/--region/--resource for what failed")
	}
	if ids := invoke.Unmatched(rep, req.Resources); len(ids) > 0 {
		return withHint(fmt.Errorf("%w: --resource %s matched nothing %s could act on in the accounts and regions it visited",
			invoke.ErrUnmatched, strings.Join(ids, ", "), k.function),
			"check the id and pass --account/--region where it lives; an instance already stopped (or, for start, not stopped by curfew) is not listed")
	}
	return nil
}

// invokeError says what a failed invocation means for the person who ran it.
func (a *app) invokeError(k invokeKind, err error) error {
	where := fmt.Sprintf("%s in %s/%s", k.function, a.m.HomeAccount().Name, a.m.HomeRegion)
	logs := fmt.Sprintf("aws logs tail /aws/lambda/%s --region %s --profile ...", k.function, a.m.HomeRegion)
	switch {
	case errors.Is(err, invoke.ErrInterrupted):
		shows := "curfew plan shows what is still running"
		if k.dryRun {
			shows = "it changes nothing; run curfew plan again for its report"
		}
		return withHint(fmt.Errorf("%w: the run was sent; it continues in AWS (%s)", invoke.ErrInterrupted, where),
			"%s once it is done (usually within a minute); its logs: %s", shows, logs)
	case errors.Is(err, invoke.ErrRefused):
		return withHint(fmt.Errorf("%s: %w", where, err),
			"wait for that run to finish (usually seconds; its logs: %s), then run the same command again", logs)
	}
	a.log.Debug("invoke failed", "function", k.function, "error", err)
	return withHint(problem.Shown(where+": "+cause.Of(err), err),
		"check that curfew-service is deployed there (make deploy STACK=curfew-service PROFILE=...) and that --profile may invoke it; its logs: %s", logs)
}

// printReport prints the run's report as a table, or as the function's JSON.
func (a *app) printReport(k invokeKind, rep fleet.Report, raw []byte, asJSON bool) error {
	if asJSON {
		var out bytes.Buffer
		if err := json.Indent(&out, raw, "", "  "); err != nil {
			return fmt.Errorf("%s answered something that is not JSON: %w", k.function, err)
		}
		out.WriteByte('\n')
		if _, err := out.WriteTo(a.stdout); err != nil {
			return err
		}
	} else if err := runtable.Write(a.stdout, rep); err != nil {
		return err
	}
	if rep.HistoryError != "" {
		fmt.Fprintf(a.stderr, "warning: the run's summary was not written to the history bucket: %s\n", rep.HistoryError)
	}
	if rep.AccountListError != "" {
		fmt.Fprintf(a.stderr, "warning: the run did not publish the accounts it knew (curfew profiles and console read them): %s\n", rep.AccountListError)
	}
	return nil
}
