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
	list     bool
	profile  string
	// profileSet says --profile was given; "" then means the SDK's default chain.
	profileSet bool
	region     string
}

// snoozeEC2API is the part of the EC2 client snooze uses.
type snoozeEC2API interface {
	ec2.DescribeInstancesAPIClient
	CreateTags(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
}

// snoozeRDSAPI is the part of the RDS client snooze uses.
type snoozeRDSAPI interface {
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
	AddTagsToResource(context.Context, *rds.AddTagsToResourceInput, ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
}

var (
	_ snoozeEC2API = (*ec2.Client)(nil)
	_ snoozeRDSAPI = (*rds.Client)(nil)
)

// validate checks the input against the map and the clock before any AWS call, and
// returns the account, the regions to visit and the end of the snooze.
func (in snoozeInput) validate(m *accounts.Map, now time.Time) (accounts.Account, []string, time.Time, error) {
	a, err := sweptAccount(m, in.account)
	if err != nil {
		return a, nil, time.Time{}, err
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
	if in.list {
		if in.resource != "" || in.until != "" {
			return a, nil, time.Time{}, withHint(fmt.Errorf("%w: --list takes only the account", ErrInvalidInput),
				"run `curfew snooze %s --list`", in.account)
		}
		return a, regions, time.Time{}, nil
	}
	if in.resource == "" {
		return a, nil, time.Time{}, withHint(fmt.Errorf("%w: no resource to snooze", ErrInvalidInput),
			"run `curfew snooze %s RESOURCE-ID --until 12h` (an EC2 instance i-..., an RDS instance or an Aurora cluster), or --list", in.account)
	}
	until, err := parseUntil(in.until, now)
	if err != nil {
		return a, nil, time.Time{}, err
	}
	return a, regions, until, nil
}

// untilHint is how to write --until.
const untilHint = "pass --until with a time like 2026-11-27T23:00:00+01:00, or a duration like 12h or 2d, at most 7 days ahead"

// parseUntil reads --until: an RFC 3339 time or a duration from now, within maxSnooze.
func parseUntil(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, withHint(fmt.Errorf("%w: --until is missing", ErrInvalidInput), untilHint)
	}
	until, err := time.Parse(time.RFC3339, s)
	if err != nil {
		d, derr := parseDuration(s)
		if derr != nil {
			return time.Time{}, withHint(fmt.Errorf("%w: --until %q is neither an RFC 3339 time nor a duration", ErrInvalidInput, s), untilHint)
		}
		until = now.Add(d)
	}
	switch {
	case !until.After(now):
		return time.Time{}, withHint(fmt.Errorf("%w: --until %s is in the past", ErrInvalidInput, s), untilHint)
	case until.Sub(now) > maxSnooze:
		return time.Time{}, withHint(fmt.Errorf("%w: --until %s is more than 7 days ahead", ErrInvalidInput, s), untilHint)
	}
	return until.UTC().Truncate(time.Second), nil
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
		Use:   "snooze ACCOUNT RESOURCE-ID --until TIME | snooze ACCOUNT --list",
		Short: "Keep one EC2 instance, RDS instance or Aurora cluster up past tonight's shutdown",
		Long: `Tag one resource with ` + accounts.SnoozeUntilTag + `=<time>: the night shutdown leaves it running
until then, and stops it again on the first run after the time has passed. The tag is written
with your own profile for the account (DeveloperAccess, with MFA), so CloudTrail shows who did
it; a profile that reaches another account than the map's is refused before any change.
Production is never snoozed: curfew never touches it anyway.`,
		Example: `  curfew snooze staging i-0123456789abcdef0 --until 12h
  curfew snooze staging orders-db --until 2026-11-28T09:00:00+01:00 --region eu-central-1
  curfew snooze staging --list
  curfew snooze staging i-0123456789abcdef0 --until 12h --prefix acme-   # profiles written with --prefix acme-`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.account = args[0]
			in.profileSet = cmd.Flags().Changed("profile")
			if len(args) == 2 {
				in.resource = args[1]
			}
			return runSnooze(cmd.Context(), a, in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.until, "until", "", "when the snooze ends: RFC 3339 time or a duration from now (12h), at most 7 days")
	f.BoolVar(&in.list, "list", false, "list the account's snoozed resources instead")
	f.StringVar(&in.profile, "profile", "", "AWS profile for the account (default: --prefix and the account's name, as curfew profiles writes it; \"\": the SDK's default chain)")
	f.StringVar(&in.region, "region", "", "region of the resource (default: the account's first region; --list: all its regions)")
	return cmd
}

func runSnooze(ctx context.Context, a *app, in snoozeInput) error {
	now := a.now()
	account, regions, until, err := in.validate(a.m, now)
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
		return printSnoozed(a.stdout, account.Name, found, now)
	}
	kind, err := tagSnooze(ctx, ec2.NewFromConfig(cfg), rds.NewFromConfig(cfg), in.resource, until)
	if err != nil {
		var notFound *notFoundError
		if errors.As(err, &notFound) {
			return withHint(fmt.Errorf("snooze in %s/%s: %w", account.Name, regions[0], err),
				"check the id, pass --region if it lives elsewhere (account regions: %s), or list what is snoozed: curfew snooze %s --list",
				strings.Join(account.Regions, ", "), account.Name)
		}
		return fmt.Errorf("snooze %s in %s/%s: %w", in.resource, account.Name, regions[0], err)
	}
	fmt.Fprintf(a.stdout, "snoozed %s %s in %s/%s until %s (%s from now): the shutdown leaves it running until then\n",
		kind, in.resource, account.Name, regions[0], until.Format(time.RFC3339), roughDuration(until.Sub(now)))
	return nil
}

// notFoundError says no resource of any snoozable kind has the id.
type notFoundError struct{ id string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("no EC2 instance, RDS instance or Aurora cluster %q", e.id)
}

// tagSnooze tags the resource with the snooze time and returns its kind. Ids starting
// with i- are EC2 instances; anything else is looked up as an RDS instance, then as an
// Aurora cluster.
func tagSnooze(ctx context.Context, ec2c snoozeEC2API, rdsc snoozeRDSAPI, id string, until time.Time) (string, error) {
	value := until.Format(time.RFC3339)
	if strings.HasPrefix(id, "i-") {
		out, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		if apiErrorCode(err) == "InvalidInstanceID.NotFound" || apiErrorCode(err) == "InvalidInstanceID.Malformed" ||
			err == nil && (len(out.Reservations) == 0 || len(out.Reservations[0].Instances) == 0) {
			return "", &notFoundError{id: id}
		}
		if err != nil {
			return "", err
		}
		_, err = ec2c.CreateTags(ctx, &ec2.CreateTagsInput{
			Resources: []string{id},
			Tags:      []ec2types.Tag{{Key: aws.String(accounts.SnoozeUntilTag), Value: aws.String(value)}},
		})
		return "EC2 instance", err
	}
	db, err := rdsc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	var noInstance *rdstypes.DBInstanceNotFoundFault
	switch {
	case err == nil && len(db.DBInstances) > 0:
		i := db.DBInstances[0]
		if c := aws.ToString(i.DBClusterIdentifier); c != "" {
			return "", withHint(fmt.Errorf("%s is a member of Aurora cluster %s: curfew stops and starts the cluster as a whole", id, c),
				"snooze the cluster: curfew snooze ACCOUNT %s --until ...", c)
		}
		return "RDS instance", addRDSTag(ctx, rdsc, aws.ToString(i.DBInstanceArn), value)
	case err != nil && !errors.As(err, &noInstance):
		return "", err
	}
	cl, err := rdsc.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	var noCluster *rdstypes.DBClusterNotFoundFault
	switch {
	case errors.As(err, &noCluster) || err == nil && len(cl.DBClusters) == 0:
		return "", &notFoundError{id: id}
	case err != nil:
		return "", err
	}
	return "Aurora cluster", addRDSTag(ctx, rdsc, aws.ToString(cl.DBClusters[0].DBClusterArn), value)
}

func addRDSTag(ctx context.Context, rdsc snoozeRDSAPI, arn, value string) error {
	_, err := rdsc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{
		ResourceName: aws.String(arn),
		Tags:         []rdstypes.Tag{{Key: aws.String(accounts.SnoozeUntilTag), Value: aws.String(value)}},
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

func printSnoozed(w io.Writer, account string, found []snoozed, now time.Time) error {
	if len(found) == 0 {
		_, err := fmt.Fprintf(w, "nothing in %s is snoozed\n", account)
		return err
	}
	tw := newTable(w)
	tw.Row("REGION", "KIND", "RESOURCE", "SNOOZED UNTIL", "STATUS")
	for _, s := range found {
		status := "not an RFC 3339 time"
		if t, err := time.Parse(time.RFC3339, s.until); err == nil {
			if t.After(now) {
				status = roughDuration(t.Sub(now)) + " left"
			} else {
				status = "expired: stopped again by the next shutdown"
			}
		}
		tw.Row(s.region, s.kind, s.id, s.until, status)
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
