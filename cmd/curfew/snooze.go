package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
)

// maxSnooze is how far ahead a snooze may reach: long enough for a demo week, short
// enough that a forgotten tag does not keep a machine up for good.
const maxSnooze = 7 * 24 * time.Hour

// snoozeInput is what `curfew snooze` is asked to do.
type snoozeInput struct {
	account  string
	resource string
	until    string
	tonight  bool
	cancel   bool
	list     bool
	profile  string
	// profileSet says --profile was given; "" then means the SDK's default chain.
	profileSet bool
	region     string
	// regionSet says --region was given: an empty one is then an error, not every region.
	regionSet bool
}

// snoozeEC2API is the part of the EC2 client snooze uses.
type snoozeEC2API interface {
	ec2.DescribeInstancesAPIClient
	CreateTags(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(context.Context, *ec2.DeleteTagsInput, ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

// snoozeRDSAPI is the part of the RDS client snooze uses.
type snoozeRDSAPI interface {
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
	AddTagsToResource(context.Context, *rds.AddTagsToResourceInput, ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(context.Context, *rds.RemoveTagsFromResourceInput, ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
}

var (
	_ snoozeEC2API = (*ec2.Client)(nil)
	_ snoozeRDSAPI = (*rds.Client)(nil)
)

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
	s := m.ScheduleFor(a)
	if in.tonight {
		until, err := tonight(s, now)
		return a, regions, until, err
	}
	until, err := parseUntil(in.until, now, s.Location())
	if err != nil {
		return a, nil, time.Time{}, err
	}
	return a, regions, until, nil
}

// tonight is the end of a --tonight snooze: the morning that ends the night of the next
// stop (or of the stop that has already begun tonight's night), within maxSnooze.
func tonight(s accounts.Schedule, now time.Time) (time.Time, error) {
	_, morning, _, ok := s.Tonight(now)
	switch {
	case !ok:
		return time.Time{}, withHint(fmt.Errorf("%w: the schedule has no stop, so --tonight means nothing", ErrInvalidInput), untilHint)
	case morning.Sub(now) > maxSnooze:
		return time.Time{}, withHint(fmt.Errorf("%w: --tonight would end at %s, more than 7 days ahead (holidays without a start)",
			ErrInvalidInput, localTime(morning, s.Location())), untilHint)
	}
	return morning.UTC(), nil
}

// untilHint is how to write --until.
const untilHint = "pass --tonight, or --until with a time of day in the account's time zone (23:00), a local date and time " +
	"(\"2026-11-30 09:00\"), an RFC 3339 time (2026-11-27T23:00:00+01:00) or a duration (12h, 2d), at most 7 days ahead"

// localLayouts are the forms of a local date and time --until takes, in the account's
// time zone.
var localLayouts = []string{"2006-01-02 15:04", "2006-01-02T15:04"}

// parseUntil reads --until: a time of day (the next one in loc), a local date and time
// in loc, an RFC 3339 time or a duration from now, within maxSnooze.
func parseUntil(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, withHint(fmt.Errorf("%w: --until is missing", ErrInvalidInput), untilHint)
	}
	until, err := parseLocal(s, now, loc)
	if err != nil {
		return time.Time{}, err
	}
	if until.IsZero() {
		if until, err = time.Parse(time.RFC3339, s); err != nil {
			d, derr := parseDuration(s)
			if derr != nil {
				return time.Time{}, withHint(fmt.Errorf("%w: --until %q is neither a time of day, a date and time, an RFC 3339 time nor a duration",
					ErrInvalidInput, s), untilHint)
			}
			until = now.Add(d)
		}
	}
	switch {
	case !until.After(now):
		return time.Time{}, withHint(fmt.Errorf("%w: --until %s is in the past", ErrInvalidInput, s), untilHint)
	case until.Sub(now) > maxSnooze:
		return time.Time{}, withHint(fmt.Errorf("%w: --until %s is more than 7 days ahead", ErrInvalidInput, s), untilHint)
	}
	return until.UTC().Truncate(time.Second), nil
}

// parseLocal reads a time of day (15:04: today in loc, or tomorrow once it has passed)
// or a local date and time in loc; zero time when s is neither. A wall-clock time that
// does not exist in loc (skipped when the clocks go forward) is an error, not a guess.
func parseLocal(s string, now time.Time, loc *time.Location) (time.Time, error) {
	var t time.Time
	wall := "2006-01-02 15:04"
	if clock, err := time.Parse("15:04", s); err == nil && len(s) == 5 {
		today := now.In(loc)
		t = time.Date(today.Year(), today.Month(), today.Day(), clock.Hour(), clock.Minute(), 0, 0, loc)
		if !t.After(now) {
			t = time.Date(today.Year(), today.Month(), today.Day()+1, clock.Hour(), clock.Minute(), 0, 0, loc)
		}
		s = time.Date(t.Year(), t.Month(), t.Day(), clock.Hour(), clock.Minute(), 0, 0, time.UTC).Format(wall)
	} else {
		for _, layout := range localLayouts {
			if v, err := time.ParseInLocation(layout, s, loc); err == nil {
				t, wall = v, layout
				break
			}
		}
	}
	if !t.IsZero() && t.In(loc).Format(wall) != s {
		return time.Time{}, withHint(fmt.Errorf("%w: --until %s does not exist in %s: the clocks go forward then", ErrInvalidInput, s, loc),
			"choose a time an hour later, or pass an RFC 3339 time")
	}
	return t, nil
}

// parseDuration is time.ParseDuration that also takes whole days: 2d.
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
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
	if in.list {
		var found []snoozed
		for _, r := range regions {
			regional := cfg.Copy()
			regional.Region = r
			s, err := listSnoozed(ctx, ec2.NewFromConfig(regional), rds.NewFromConfig(regional))
			if err != nil {
				return fmt.Errorf("list snoozed resources in %s/%s: %w", account.Name, r, err)
			}
			for i := range s {
				s[i].region = r
			}
			found = append(found, s...)
		}
		return printSnoozed(a.stdout, account.Name, found, now, a.m.ScheduleFor(account).Location())
	}
	ec2c, rdsc := ec2.NewFromConfig(cfg), rds.NewFromConfig(cfg)
	res, err := findSnoozable(ctx, ec2c, rdsc, in.resource)
	if err != nil {
		var notFound *notFoundError
		if errors.As(err, &notFound) {
			return withHint(fmt.Errorf("snooze in %s/%s: %w", account.Name, regions[0], err),
				"check the id, pass --region if it lives elsewhere (account regions: %s), or list what is snoozed: curfew snooze %s --list",
				strings.Join(account.Regions, ", "), account.Name)
		}
		return fmt.Errorf("snooze %s in %s/%s: %w", in.resource, account.Name, regions[0], err)
	}
	where := fmt.Sprintf("%s %s in %s/%s", res.kind, in.resource, account.Name, regions[0])
	s := a.m.ScheduleFor(account)
	if in.cancel {
		if !res.snoozed {
			_, err := fmt.Fprintf(a.stdout, "%s is not snoozed: nothing changed\n", where)
			return err
		}
		if err := res.untag(ctx, ec2c, rdsc); err != nil {
			return fmt.Errorf("cancel the snooze of %s: %w", where, err)
		}
		fmt.Fprintf(a.stdout, "cancelled the snooze of %s (it was %s=%s)\n", where, accounts.SnoozeUntilTag, res.until)
		return printNextStop(a.stdout, s, now, "if it is running then, the next stop stops it")
	}
	if err := res.tag(ctx, ec2c, rdsc, until.Format(time.RFC3339)); err != nil {
		return fmt.Errorf("snooze %s: %w", where, err)
	}
	fmt.Fprintf(a.stdout, "snoozed %s until %s (%s), %s from now: the shutdown leaves it running until then\n",
		where, localTime(until, s.Location()), until.Format(time.RFC3339), roughDuration(until.Sub(now)))
	if in.tonight {
		stop, _, scheduled, _ := s.Tonight(now)
		how := "the scheduled start that follows it"
		if !scheduled {
			how = "no morning start in the schedule, so " + accounts.DefaultMorning + " the next morning"
		}
		fmt.Fprintf(a.stdout, "--tonight: through the stop of %s, until %s\n", localTime(stop, s.Location()), how)
	}
	return printNextStop(a.stdout, s, until, "unless snoozed again, it runs until the next stop after that")
}

// printNextStop says when the first scheduled stop after t runs, in the schedule's time
// zone and UTC: on a Friday, that is the next working day's.
func printNextStop(w io.Writer, s accounts.Schedule, t time.Time, what string) error {
	stop, ok := s.NextStop(t)
	if !ok {
		_, err := fmt.Fprintf(w, "%s: the schedule has no stop\n", what)
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %s (%s); times in %s\n", what, localTime(stop, s.Location()), stop.UTC().Format(time.RFC3339), s.TimeZone)
	return err
}

// localTime writes t as an operator reads it in loc: Monday 30 Nov 2026 20:00 CET.
func localTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Monday 2 Jan 2006 15:04 MST")
}

// notFoundError says no resource of any snoozable kind has the id.
type notFoundError struct{ id string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("no EC2 instance, RDS instance or Aurora cluster %q", e.id)
}

// snoozable is one resource that can carry the snooze tag.
type snoozable struct {
	kind string
	// id is the EC2 instance id; arn the RDS instance's or Aurora cluster's ARN.
	id, arn string
	// snoozed says it carries the tag now, with the value until.
	snoozed bool
	until   string
}

// findSnoozable looks the resource up and returns its kind and its snooze tag. Ids
// starting with i- are EC2 instances; anything else is looked up as an RDS instance, then
// as an Aurora cluster.
func findSnoozable(ctx context.Context, ec2c snoozeEC2API, rdsc snoozeRDSAPI, id string) (snoozable, error) {
	if strings.HasPrefix(id, "i-") {
		out, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if apiErrorCode(err) == "InvalidInstanceID.NotFound" || apiErrorCode(err) == "InvalidInstanceID.Malformed" ||
			err == nil && (len(out.Reservations) == 0 || len(out.Reservations[0].Instances) == 0) {
			return snoozable{}, &notFoundError{id: id}
		}
		if err != nil {
			return snoozable{}, err
		}
		r := snoozable{kind: "EC2 instance", id: id}
		for _, t := range out.Reservations[0].Instances[0].Tags {
			if aws.ToString(t.Key) == accounts.SnoozeUntilTag {
				r.snoozed, r.until = true, aws.ToString(t.Value)
			}
		}
		return r, nil
	}
	db, err := rdsc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	var noInstance *rdstypes.DBInstanceNotFoundFault
	switch {
	case err == nil && len(db.DBInstances) > 0:
		i := db.DBInstances[0]
		if c := aws.ToString(i.DBClusterIdentifier); c != "" {
			return snoozable{}, withHint(fmt.Errorf("%s is a member of Aurora cluster %s: curfew stops and starts the cluster as a whole", id, c),
				"snooze the cluster: curfew snooze ACCOUNT %s --tonight", c)
		}
		until, ok := rdsTag(i.TagList)
		return snoozable{kind: "RDS instance", arn: aws.ToString(i.DBInstanceArn), snoozed: ok, until: until}, nil
	case err != nil && !errors.As(err, &noInstance):
		return snoozable{}, err
	}
	cl, err := rdsc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	var noCluster *rdstypes.DBClusterNotFoundFault
	switch {
	case errors.As(err, &noCluster) || err == nil && len(cl.DBClusters) == 0:
		return snoozable{}, &notFoundError{id: id}
	case err != nil:
		return snoozable{}, err
	}
	until, ok := rdsTag(cl.DBClusters[0].TagList)
	return snoozable{kind: "Aurora cluster", arn: aws.ToString(cl.DBClusters[0].DBClusterArn), snoozed: ok, until: until}, nil
}

// tag sets the snooze tag to value.
func (r snoozable) tag(ctx context.Context, ec2c snoozeEC2API, rdsc snoozeRDSAPI, value string) error {
	if r.id != "" {
		_, err := ec2c.CreateTags(ctx, &ec2.CreateTagsInput{
			Resources: []string{r.id},
			Tags:      []ec2types.Tag{{Key: aws.String(accounts.SnoozeUntilTag), Value: aws.String(value)}},
		})
		return err
	}
	_, err := rdsc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{
		ResourceName: aws.String(r.arn),
		Tags:         []rdstypes.Tag{{Key: aws.String(accounts.SnoozeUntilTag), Value: aws.String(value)}},
	})
	return err
}

// untag removes the snooze tag, whatever its value, and no other.
func (r snoozable) untag(ctx context.Context, ec2c snoozeEC2API, rdsc snoozeRDSAPI) error {
	if r.id != "" {
		_, err := ec2c.DeleteTags(ctx, &ec2.DeleteTagsInput{
			Resources: []string{r.id},
			Tags:      []ec2types.Tag{{Key: aws.String(accounts.SnoozeUntilTag)}},
		})
		return err
	}
	_, err := rdsc.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{
		ResourceName: aws.String(r.arn),
		TagKeys:      []string{accounts.SnoozeUntilTag},
	})
	return err
}

// snoozed is one resource carrying the snooze tag.
type snoozed struct {
	region, kind, id, until string
}

// listSnoozed returns the resources of one region that carry the snooze tag.
func listSnoozed(ctx context.Context, ec2c snoozeEC2API, rdsc snoozeRDSAPI) ([]snoozed, error) {
	var out []snoozed
	instances := ec2.NewDescribeInstancesPaginator(ec2c, &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{accounts.SnoozeUntilTag}}},
	})
	for instances.HasMorePages() {
		page, err := instances.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				for _, t := range i.Tags {
					if aws.ToString(t.Key) == accounts.SnoozeUntilTag {
						out = append(out, snoozed{kind: "EC2 instance", id: aws.ToString(i.InstanceId), until: aws.ToString(t.Value)})
					}
				}
			}
		}
	}
	dbs := rds.NewDescribeDBInstancesPaginator(rdsc, &rds.DescribeDBInstancesInput{})
	for dbs.HasMorePages() {
		page, err := dbs.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, i := range page.DBInstances {
			if v, ok := rdsTag(i.TagList); ok {
				out = append(out, snoozed{kind: "RDS instance", id: aws.ToString(i.DBInstanceIdentifier), until: v})
			}
		}
	}
	clusters := rds.NewDescribeDBClustersPaginator(rdsc, &rds.DescribeDBClustersInput{})
	for clusters.HasMorePages() {
		page, err := clusters.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range page.DBClusters {
			if v, ok := rdsTag(c.TagList); ok {
				out = append(out, snoozed{kind: "Aurora cluster", id: aws.ToString(c.DBClusterIdentifier), until: v})
			}
		}
	}
	return out, nil
}

func rdsTag(tags []rdstypes.Tag) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == accounts.SnoozeUntilTag {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}

// printSnoozed lists the snoozed resources with the end of each snooze in the account's
// own time zone (loc), as the snooze itself was set, and the tag's value as written.
func printSnoozed(w io.Writer, account string, found []snoozed, now time.Time, loc *time.Location) error {
	if len(found) == 0 {
		_, err := fmt.Fprintf(w, "nothing in %s is snoozed\n", account)
		return err
	}
	tw := newTable(w)
	tw.Row("REGION", "KIND", "RESOURCE", "SNOOZED UNTIL", "TAG VALUE", "STATUS")
	for _, s := range found {
		until, status := "?", "not an RFC 3339 time"
		if t, err := time.Parse(time.RFC3339, s.until); err == nil {
			until = localTime(t, loc)
			if t.After(now) {
				status = roughDuration(t.Sub(now)) + " left"
			} else {
				status = "expired: stopped again by the next shutdown"
			}
		}
		tw.Row(s.region, s.kind, s.id, until, s.until, status)
	}
	return tw.Flush()
}

// roughDuration prints d to the minute without zero units: 12h, 13h30m, 45m.
func roughDuration(d time.Duration) string {
	if d < time.Minute {
		return "<1m"
	}
	s := d.Round(time.Minute).String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(strings.Replace(s, "h0m", "h", 1), "h0m")
}
