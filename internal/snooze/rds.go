package snooze

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/problem"
)

// rdsInstance is an RDS DB instance that is no member of an Aurora cluster: curfew
// stops and starts a cluster as a whole.
type rdsInstance struct{}

func (rdsInstance) owns(id string) bool { return !strings.HasPrefix(id, "i-") }

func (rdsInstance) find(ctx context.Context, c Clients, id string) (Resource, bool, error) {
	out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	var none *rdstypes.DBInstanceNotFoundFault
	switch {
	case errors.As(err, &none) || err == nil && len(out.DBInstances) == 0:
		return Resource{}, false, nil
	case err != nil:
		return Resource{}, false, err
	}
	i := out.DBInstances[0]
	if cluster := aws.ToString(i.DBClusterIdentifier); cluster != "" {
		return Resource{}, true, problem.WithHint(fmt.Errorf("%w: %s is a member of Aurora cluster %s: curfew stops and starts the cluster as a whole", problem.ErrInvalidInput, id, cluster),
			"snooze the cluster: curfew snooze ACCOUNT %s --tonight", cluster)
	}
	until, ok := rdsTag(i.TagList, accounts.SnoozeUntilTag)
	by, _ := rdsTag(i.TagList, accounts.SnoozedByTag)
	return Resource{Type: history.RDSInstance, Kind: "RDS instance", ref: aws.ToString(i.DBInstanceArn), Snoozed: ok, Until: until, By: by}, true, nil
}

func (rdsInstance) tag(ctx context.Context, c Clients, arn string, tags []tag) error {
	return tagRDS(ctx, c, arn, tags)
}

func (rdsInstance) untag(ctx context.Context, c Clients, arn string) error {
	return untagRDS(ctx, c, arn)
}

func (rdsInstance) list(ctx context.Context, c Clients) ([]Snoozed, error) {
	var out []Snoozed
	pages := rds.NewDescribeDBInstancesPaginator(c.RDS, &rds.DescribeDBInstancesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, i := range page.DBInstances {
			if v, ok := rdsTag(i.TagList, accounts.SnoozeUntilTag); ok {
				by, _ := rdsTag(i.TagList, accounts.SnoozedByTag)
				out = append(out, Snoozed{Type: history.RDSInstance, Kind: "RDS instance", ID: aws.ToString(i.DBInstanceIdentifier), Until: v, By: by})
			}
		}
	}
	return out, nil
}

// tagRDS sets the snooze tags of an RDS resource (an instance or a cluster) by its ARN.
func tagRDS(ctx context.Context, c Clients, arn string, tags []tag) error {
	in := &rds.AddTagsToResourceInput{ResourceName: aws.String(arn)}
	for _, t := range tags {
		in.Tags = append(in.Tags, rdstypes.Tag{Key: aws.String(t.key), Value: aws.String(t.value)})
	}
	_, err := c.RDS.AddTagsToResource(ctx, in)
	return err
}

// untagRDS removes the snooze tag of an RDS resource by its ARN.
func untagRDS(ctx context.Context, c Clients, arn string) error {
	_, err := c.RDS.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{
		ResourceName: aws.String(arn),
		TagKeys:      []string{accounts.SnoozeUntilTag},
	})
	return err
}

func rdsTag(tags []rdstypes.Tag, key string) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}
