package snooze

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
)

// auroraCluster is an Aurora DB cluster, stopped and started as a whole.
type auroraCluster struct{}

func (auroraCluster) owns(id string) bool { return !strings.HasPrefix(id, "i-") }

func (auroraCluster) find(ctx context.Context, c Clients, id string) (Resource, bool, error) {
	out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	var none *rdstypes.DBClusterNotFoundFault
	switch {
	case errors.As(err, &none) || err == nil && len(out.DBClusters) == 0:
		return Resource{}, false, nil
	case err != nil:
		return Resource{}, false, err
	}
	cl := out.DBClusters[0]
	until, ok := rdsTag(cl.TagList, accounts.SnoozeUntilTag)
	by, _ := rdsTag(cl.TagList, accounts.SnoozedByTag)
	return Resource{Type: history.AuroraCluster, Kind: "Aurora cluster", ref: aws.ToString(cl.DBClusterArn), Snoozed: ok, Until: until, By: by}, true, nil
}

func (auroraCluster) tag(ctx context.Context, c Clients, arn string, tags []tag) error {
	return tagRDS(ctx, c, arn, tags)
}

func (auroraCluster) untag(ctx context.Context, c Clients, arn string) error {
	return untagRDS(ctx, c, arn)
}

func (auroraCluster) list(ctx context.Context, c Clients) ([]Snoozed, error) {
	var out []Snoozed
	pages := rds.NewDescribeDBClustersPaginator(c.RDS, &rds.DescribeDBClustersInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, cl := range page.DBClusters {
			if v, ok := rdsTag(cl.TagList, accounts.SnoozeUntilTag); ok {
				by, _ := rdsTag(cl.TagList, accounts.SnoozedByTag)
				out = append(out, Snoozed{Type: history.AuroraCluster, Kind: "Aurora cluster", ID: aws.ToString(cl.DBClusterIdentifier), Until: v, By: by})
			}
		}
	}
	return out, nil
}
