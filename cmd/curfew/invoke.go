package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/runtable"
)

// ErrRunFailed means the function ran but some of its actions failed, or it failed.
var ErrRunFailed = errors.New("run failed")

// ErrRunInProgress means the function refused to run because another run holds the lease
// of an account it would visit (internal/lease: the function's errorType is HeldError); it
// changed nothing.
var ErrRunInProgress = errors.New("refused by a lease")

// invokeTimeout is above the functions' own 10-minute timeout, so the CLI waits for
// their answer instead of giving up first.
const invokeTimeout = 11 * time.Minute

// invokeKind is one of the commands that run curfew's Lambdas on demand.
type invokeKind struct {
	use, short, long string
	function         string
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
	}
	startCommand = invokeKind{
		use:   "start",
		short: "Start again what curfew stopped (the on-demand restart)",
		long: `Invoke ` + accounts.RestartFunction + ` in the home account now: it starts exactly what curfew's
shutdown stopped, in every non-production account or only those you name. Use it when a
team needs its environment before the morning start, or on a holiday.`,
		function: accounts.RestartFunction,
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
	accounts  []string
	regions   []string
	resources []string
	// empty holds a problem for every filter value that names nothing (filterFlag).
	empty  []error
	dryRun bool
	json   bool
	// yes skips the question asked before a change over every account.
	yes     bool
	profile string
	// profileSet says --profile was given; "" then means the SDK's default chain, for
	// credentials in the environment (aws-vault exec, a pipeline's role).
	profileSet bool
}

// lambdaAPI is the part of the Lambda client the commands use.
type lambdaAPI interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var _ lambdaAPI = (*lambda.Client)(nil)

// validate checks the accounts, regions and resources against the map before any AWS
// call and returns the payload; it reports every problem, not only the first.
func (in invokeInput) validate(m *accounts.Map, k invokeKind) (fleet.Payload, error) {
	var errs []error
	var selected []accounts.Account
	for _, name := range in.accounts {
		a, err := sweptAccount(m, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		selected = append(selected, a)
	}
	if len(in.accounts) == 0 {
		selected = m.Swept()
	}
	var known []string
	for _, a := range selected {
		for _, r := range a.Regions {
			if !slices.Contains(known, r) {
				known = append(known, r)
			}
		}
	}
	for _, r := range in.regions {
		if len(selected) > 0 && !slices.Contains(known, r) {
			errs = append(errs, withHint(fmt.Errorf("%w: region %q is not swept in %s", ErrInvalidInput, r, accountList(selected)),
				"use one of %s, or add the region to the account in the account map", strings.Join(known, ", ")))
		}
	}
	for _, id := range in.resources {
		// Blank ids and commas never get here (filterFlag).
		if strings.ContainsFunc(id, unicode.IsSpace) {
			errs = append(errs, withHint(fmt.Errorf("%w: --resource %q is not one resource id", ErrInvalidInput, id),
				"pass one id per --resource: an EC2 instance i-..., an RDS instance or an Aurora cluster identifier"))
		}
	}
	if len(errs) > 0 {
		return fleet.Payload{}, joinProblems(errs)
	}
	return fleet.Payload{
		Trigger:   fleet.Manual,
		Accounts:  in.accounts,
		Regions:   in.regions,
		Resources: in.resources,
		DryRun:    in.dryRun || k.dryRun,
	}, nil
}

// filterFlag is a filter of stop, start and plan, repeated or comma-separated (--account
// a,b --account c). A value that names nothing ("", " ", "a,") is a problem kept in
// empty, never a missing filter: pflag's string slices drop an empty value, and
// `curfew stop --account staging --resource "$ID"` with ID unset then acted on every
// resource of staging.
type filterFlag struct {
	flag, what string
	items      *[]string
	empty      *[]error
}

func (f filterFlag) Set(v string) error {
	items := strings.Split(v, ",")
	if !slices.ContainsFunc(items, func(s string) bool { return strings.TrimSpace(s) == "" }) {
		*f.items = append(*f.items, items...)
		return nil
	}
	err := fmt.Errorf("%w: %s %q has an empty item", ErrInvalidInput, f.flag, v)
	if strings.TrimSpace(v) == "" {
		err = fmt.Errorf("%w: %s is empty", ErrInvalidInput, f.flag)
	}
	*f.empty = append(*f.empty, withHint(err, "name %s, or leave the flag out (an empty value never means every one)", f.what))
	return nil
}

func (f filterFlag) String() string {
	if f.items == nil || len(*f.items) == 0 {
		return ""
	}
	return "[" + strings.Join(*f.items, ",") + "]"
}

func (f filterFlag) Type() string { return "strings" }

func accountList(as []accounts.Account) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return strings.Join(names, ", ")
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
	f.Var(filterFlag{"--account", "an account", &in.accounts, &in.empty}, "account", "only this account (repeat or comma-separate; default: every non-production account)")
	f.Var(filterFlag{"--region", "a region", &in.regions, &in.empty}, "region", "only this region (repeat or comma-separate; default: each account's regions)")
	f.Var(filterFlag{"--resource", "a resource id", &in.resources, &in.empty}, "resource", "only this resource id (repeat or comma-separate)")
	if !k.dryRun {
		f.BoolVar(&in.dryRun, "dry-run", false, "report what would be done and change nothing")
		f.BoolVar(&in.yes, "yes", false, "without --account, go ahead without asking (needed when stdin is not a terminal)")
	}
	f.BoolVar(&in.json, "json", false, "print the report as JSON")
	f.StringVar(&in.profile, "profile", "", "AWS profile for the home account (default: --prefix and the home account's name, as curfew profiles writes it; \"\": the SDK's default chain, e.g. environment keys)")
	return cmd
}

func runInvoke(ctx context.Context, a *app, k invokeKind, in invokeInput) error {
	// Before anything else, reading the list of found accounts included: the rest of the
	// request would cover what the empty value was meant to narrow.
	if err := joinProblems(in.empty); err != nil {
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
	found, err := a.forInvoke(ctx, &in.accounts, connect)
	if err != nil {
		return err
	}
	req, err := in.validate(found.m, k)
	if err != nil {
		return err
	}
	req.Accounts = found.ids(a.m, req.Accounts)
	// One forgotten --account stops or starts every non-production account at once: ask
	// before any AWS call, so a refusal also costs no MFA code.
	if len(in.accounts) == 0 && !req.DryRun {
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
	rep, raw, err := invoke(ctx, lambda.NewFromConfig(cfg), k.function, req)
	if errors.Is(err, ErrRunInProgress) {
		return withHint(fmt.Errorf("%s in %s/%s: %w", k.function, home.Name, a.m.HomeRegion, err),
			"wait for that run to finish (usually seconds; its logs: aws logs tail /aws/lambda/%s --region %s --profile ...), then run the same command again",
			k.function, a.m.HomeRegion)
	}
	if err != nil {
		return withHint(fmt.Errorf("%s in %s/%s: %w", k.function, home.Name, a.m.HomeRegion, err),
			"check that curfew-service is deployed there (make deploy STACK=curfew-service PROFILE=...) and that --profile may invoke it; its logs: aws logs tail /aws/lambda/%s --region %s --profile ...",
			k.function, a.m.HomeRegion)
	}
	if in.json {
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
	} else if k.dryRun {
		if err := printNextHolidays(a.stdout, found.m, in.accounts, a.now()); err != nil {
			return err
		}
	}
	if rep.HistoryError != "" {
		fmt.Fprintf(a.stderr, "warning: the run's summary was not written to the history bucket: %s\n", rep.HistoryError)
	}
	if rep.AccountListError != "" {
		fmt.Fprintf(a.stderr, "warning: the run did not publish the accounts it knew (curfew profiles and console read them): %s\n", rep.AccountListError)
	}
	if rep.Failed() {
		return withHint(fmt.Errorf("%w: %s: %s", ErrRunFailed, k.function, failures(rep.Totals)),
			"read the errors above; once fixed, run again with --account/--region/--resource for what failed")
	}
	return nil
}

// invoke runs the function synchronously and decodes its report; a function error
// (the handler returned an error or crashed) is an error naming its type and message.
func invoke(ctx context.Context, client lambdaAPI, function string, req fleet.Payload) (fleet.Report, []byte, error) {
	var rep fleet.Report
	payload, err := json.Marshal(req)
	if err != nil {
		return rep, nil, err
	}
	out, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(function),
		InvocationType: lambdatypes.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return rep, nil, err
	}
	if fe := aws.ToString(out.FunctionError); fe != "" {
		var e struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &e)
		if e.Message == "" {
			e.Message = string(out.Payload)
		}
		if e.Type == "HeldError" {
			return rep, nil, fmt.Errorf("%w: %w: %s", ErrRunFailed, ErrRunInProgress, e.Message)
		}
		return rep, nil, fmt.Errorf("%w: the function returned an error (%s): %s: %s", ErrRunFailed, fe, e.Type, e.Message)
	}
	if err := json.Unmarshal(out.Payload, &rep); err != nil {
		return rep, nil, fmt.Errorf("decode the report %q: %w", truncate(out.Payload, 200), err)
	}
	return rep, out.Payload, nil
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// failures says what failed, for the exit error of a report that Failed().
func failures(t fleet.Totals) string {
	var parts []string
	if t.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d resource(s) failed", t.Failed))
	}
	if t.PairsFailed > 0 {
		parts = append(parts, fmt.Sprintf("%d account×region pair(s) failed", t.PairsFailed))
	}
	if t.PairsNotReached > 0 {
		parts = append(parts, fmt.Sprintf("%d account×region pair(s) not reached before the deadline", t.PairsNotReached))
	}
	if t.AccountErrors > 0 {
		parts = append(parts, fmt.Sprintf("%d account(s) or unit(s) of the map could not be settled (see accounts not visited)", t.AccountErrors))
	}
	return strings.Join(parts, ", ")
}
