package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/snooze"
)

// snoozeInput is what `curfew snooze` is asked to do.
type snoozeInput struct {
	account  string
	resource string
	until    string
	tonight  bool
	cancel   bool
	list     bool
	json     bool
	profile  string
	// profileSet says --profile was given; "" then means the SDK's default chain.
	profileSet bool
	region     string
	// regionSet says --region was given: an empty one is then an error, not every region.
	regionSet bool
}

// validate checks the input against the map and the clock before any AWS call, and
// returns the account, the regions to visit and the end of the snooze (zero for --list
// and --cancel).
func (in snoozeInput) validate(m *accounts.Map, now time.Time) (accounts.Account, []string, time.Time, error) {
	a, err := sweptAccount(m, in.account)
	if err != nil {
		return a, nil, time.Time{}, err
	}
	if in.regionSet && strings.TrimSpace(in.region) == "" {
		return a, nil, time.Time{}, withHint(fmt.Errorf("%w: --region is empty", ErrInvalidInput),
			"name a region of account %s (%s), or leave the flag out", a.Name, strings.Join(a.Regions, ", "))
	}
	regions := a.Regions
	if in.region != "" {
		if err := checkRegion(a, in.region); err != nil {
			return a, nil, time.Time{}, err
		}
		regions = []string{in.region}
	}
	if len(regions) == 0 {
		regions = []string{m.HomeRegion}
	}
	switch {
	case in.json && !in.list:
		return a, nil, time.Time{}, withHint(fmt.Errorf("%w: --json goes with --list", ErrInvalidInput),
			"run `curfew snooze %s --list --json`", in.account)
	case in.list:
		if in.resource != "" || in.until != "" || in.tonight || in.cancel {
			return a, nil, time.Time{}, withHint(fmt.Errorf("%w: --list takes only the account", ErrInvalidInput),
				"run `curfew snooze %s --list`", in.account)
		}
		return a, regions, time.Time{}, nil
	case in.resource == "":
		return a, nil, time.Time{}, withHint(fmt.Errorf("%w: no resource to snooze", ErrInvalidInput),
			"run `curfew snooze %s RESOURCE-ID --tonight` (an EC2 instance i-..., an RDS instance or an Aurora cluster), or --list", in.account)
	case in.cancel:
		if in.until != "" || in.tonight {
			return a, nil, time.Time{}, withHint(fmt.Errorf("%w: --cancel takes no --until or --tonight", ErrInvalidInput),
				"run `curfew snooze --cancel %s %s`", in.account, in.resource)
		}
		return a, regions, time.Time{}, nil
	case in.tonight && in.until != "":
		return a, nil, time.Time{}, withHint(fmt.Errorf("%w: --tonight and --until both say when the snooze ends", ErrInvalidInput),
			"pass one of them")
	}
	until, err := snooze.End(m.ScheduleFor(a), now, in.until, in.tonight)
	if err != nil {
		return a, nil, time.Time{}, err
	}
	return a, regions, until, nil
}

func newSnoozeCommand(a *app) *cobra.Command {
	var in snoozeInput
	cmd := &cobra.Command{
		Use:   "snooze ACCOUNT RESOURCE-ID --tonight | --until TIME | snooze --cancel ACCOUNT RESOURCE-ID | snooze ACCOUNT --list",
		Short: "Keep one EC2 instance, RDS instance or Aurora cluster up past tonight's shutdown",
		Long: `Tag one resource with ` + accounts.SnoozeUntilTag + `=<time>: the night shutdown leaves it running
until then, and stops it again on the first run after the time has passed. Times are in the
account's time zone (its schedule's, or the organisation's): --tonight keeps it up until the
scheduled morning start after tonight's stop (a holiday has no start: the next working day's;
without a morning start in the schedule, until ` + accounts.DefaultMorning + ` the next morning), and
--until 23:00 means 23:00 there. The answer says when the snooze ends and when the next stop
after it runs: on a Friday, that is the next working day's stop. --cancel removes the snooze
tag and nothing else.
The tag is written with your own profile for the account (DeveloperAccess, with MFA), so
CloudTrail shows who did it; a profile that reaches another account than the map's is
refused before any change. Production is never snoozed: curfew never touches it anyway.`,
		Example: `  curfew snooze staging i-0123456789abcdef0 --tonight
  curfew snooze staging i-0123456789abcdef0 --until 23:00
  curfew snooze staging orders-db --until "2026-11-30 09:00" --region eu-central-1
  curfew snooze staging i-0123456789abcdef0 --until 12h
  curfew snooze --cancel staging i-0123456789abcdef0
  curfew snooze staging --list
  curfew snooze staging i-0123456789abcdef0 --tonight --prefix acme-   # profiles written with --prefix acme-`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.account = args[0]
			in.profileSet = cmd.Flags().Changed("profile")
			in.regionSet = cmd.Flags().Changed("region")
			if len(args) == 2 {
				in.resource = args[1]
			}
			return runSnooze(cmd.Context(), a, in)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&in.tonight, "tonight", false, "until the scheduled start after tonight's stop (or "+accounts.DefaultMorning+" the next morning without one), in the account's time zone")
	f.StringVar(&in.until, "until", "", "when the snooze ends: a time of day (23:00) or a date and time (\"2026-11-30 09:00\") in the account's time zone, RFC 3339, or a duration from now (12h); at most 7 days")
	f.BoolVar(&in.cancel, "cancel", false, "remove the resource's snooze: the next stop stops it")
	f.BoolVar(&in.list, "list", false, "list the account's snoozed resources instead")
	f.StringVar(&in.profile, "profile", "", "AWS profile for the account (default: --prefix and the account's name, as curfew profiles writes it; \"\": the SDK's default chain)")
	f.BoolVar(&in.json, "json", false, "with --list: print the snoozed resources as JSON")
	f.StringVar(&in.region, "region", "", "region of the resource (default: the account's first region; --list: all its regions)")
	return cmd
}

func runSnooze(ctx context.Context, a *app, in snoozeInput) error {
	now := a.now()
	m, name, err := a.forSnooze(ctx, in.account)
	if err != nil {
		return err
	}
	in.account = name
	account, regions, until, err := in.validate(m, now)
	if err != nil {
		return err
	}
	profile := in.profile
	if !in.profileSet {
		profile = a.prefix + account.Name
	}
	cfg, err := a.connect(ctx, profile, regions[0], account, "curfew snooze acts in account")
	if err != nil {
		return err
	}
	clients := func(region string) snooze.Clients {
		regional := cfg.Copy()
		regional.Region = region
		return snooze.Clients{EC2: ec2.NewFromConfig(regional), RDS: rds.NewFromConfig(regional)}
	}
	s := a.m.ScheduleFor(account)
	if in.list {
		found, err := snooze.ListRegions(ctx, regions, clients)
		if err != nil {
			return a.awsFailure("list snoozed resources in "+account.Name, err)
		}
		if in.json {
			return snooze.WriteJSON(a.stdout, account.Name, found, now)
		}
		return snooze.Write(a.stdout, account.Name, found, now, s.Location())
	}
	c := clients(regions[0])
	res, err := snooze.Find(ctx, c, in.resource)
	switch {
	case errors.Is(err, snooze.ErrNotFound):
		return withHint(fmt.Errorf("%w: snooze in %s/%s: %w", ErrInvalidInput, account.Name, regions[0], err),
			"check the id, pass --region if it lives elsewhere (account regions: %s), or list what is snoozed: curfew snooze %s --list",
			strings.Join(account.Regions, ", "), account.Name)
	case err != nil:
		return a.awsFailure(fmt.Sprintf("look up %s in %s/%s", in.resource, account.Name, regions[0]), err)
	}
	where := fmt.Sprintf("%s %s in %s/%s", res.Kind, in.resource, account.Name, regions[0])
	if in.cancel {
		return a.awsFailure("cancel the snooze of "+where, snooze.Cancel(ctx, a.stdout, c, res, where, s, now))
	}
	return a.awsFailure("snooze "+where, snooze.Set(ctx, a.stdout, c, res, where, s, now, until, in.tonight))
}
