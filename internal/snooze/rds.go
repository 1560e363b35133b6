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
	"github.com/curfew/curfew/internal/paging"
	"github.com/curfew/curfew/internal/problem"
)

// rdsInstance is an RDS DB instance that is no member of an Aurora cluster: curfew
// stops and starts a cluster as a whole.
type rdsInstance struct{ rdsKind }

func (k rdsInstance) find(ctx context.Context, c Clients, id string) (Resource, bool, error) {
	out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	i, found, err := first[*rdstypes.DBInstanceNotFoundFault](err, func() []rdstypes.DBInstance { return out.DBInstances })
	if !found {
		return Resource{}, false, err
	}
	if cluster := aws.ToString(i.DBClusterIdentifier); cluster != "" {
		return Resource{}, true, problem.WithHint(fmt.Errorf("%w: %s is a member of Aurora cluster %s: curfew stops and starts the cluster as a whole", problem.ErrInvalidInput, id, cluster),
			"snooze the cluster: curfew snooze ACCOUNT %s --tonight", cluster)
	}
	return k.resource(aws.ToString(i.DBInstanceArn), i.TagList), true, nil
}

func (k rdsInstance) list(ctx context.Context, c Clients) ([]Snoozed, error) {
	pages := rds.NewDescribeDBInstancesPaginator(c.RDS, &rds.DescribeDBInstancesInput{})
	instances, err := paging.All(ctx, pages, func(page *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return page.DBInstances })
	return snoozedOf(k.rdsKind, instances, err, func(i rdstypes.DBInstance) (*string, []rdstypes.Tag) { return i.DBInstanceIdentifier, i.TagList })
}

// rdsKind is what an RDS instance and an Aurora cluster share: ids that are no EC2
// instance's, snooze tags set and removed by ARN, and tags read from a tag list. Type
// and Kind are the Resource's.
type rdsKind struct{ typ, kind string }

func (rdsKind) owns(id string) bool { return !strings.HasPrefix(id, "i-") }

// tag sets the snooze tags of an RDS resource (an instance or a cluster) by its ARN.
func (rdsKind) tag(ctx context.Context, c Clients, arn string, tags []tag) error {
	in := &rds.AddTagsToResourceInput{ResourceName: aws.String(arn)}
	for _, t := range tags {
		in.Tags = append(in.Tags, rdstypes.Tag{Key: aws.String(t.key), Value: aws.String(t.value)})
	}
	_, err := c.RDS.AddTagsToResource(ctx, in)
	return err
}

// untag removes the snooze tag of an RDS resource by its ARN.
func (rdsKind) untag(ctx context.Context, c Clients, arn string) error {
	_, err := c.RDS.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{
		ResourceName: aws.String(arn),
		TagKeys:      []string{accounts.SnoozeUntilTag},
	})
	return err
}

// resource is the resource with this ARN and these tags.
func (k rdsKind) resource(arn string, tags []rdstypes.Tag) Resource {
	until, ok := rdsTag(tags, accounts.SnoozeUntilTag)
	by, _ := rdsTag(tags, accounts.SnoozedByTag)
	return Resource{Type: k.typ, Kind: k.kind, ref: arn, Snoozed: ok, Until: until, By: by}
}

// first is the first of the items a describe call answered with err, found false when
// it answered none or NotFound, the kind's fault for an id it does not know.
func first[NotFound error, T any](err error, items func() []T) (item T, found bool, _ error) {
	var none NotFound
	switch {
	case errors.As(err, &none):
		return item, false, nil
	case err != nil:
		return item, false, err
	}
	all := items()
	if len(all) == 0 {
		return item, false, nil
	}
	return all[0], true, nil
}

// snoozedOf returns those of items (read with err) that carry the snooze tag; idTags gives
// an item's id and tags.
func snoozedOf[T any](k rdsKind, items []T, err error, idTags func(T) (*string, []rdstypes.Tag)) ([]Snoozed, error) {
	if err != nil {
		return nil, err
	}
	var out []Snoozed
	for _, item := range items {
		id, tags := idTags(item)
		if v, ok := rdsTag(tags, accounts.SnoozeUntilTag); ok {
			by, _ := rdsTag(tags, accounts.SnoozedByTag)
			out = append(out, Snoozed{Type: k.typ, Kind: k.kind, ID: aws.ToString(id), Until: v, By: by})
		}
	}
	return out, nil
}

func rdsTag(tags []rdstypes.Tag, key string) (string, bool) {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}
