package snooze

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/paging"
)

// auroraCluster is an Aurora DB cluster, stopped and started as a whole.
type auroraCluster struct{ rdsKind }

func (k auroraCluster) find(ctx context.Context, c Clients, id string) (Resource, bool, error) {
	out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	cl, found, err := first[*rdstypes.DBClusterNotFoundFault](err, func() []rdstypes.DBCluster { return out.DBClusters })
	if !found {
		return Resource{}, false, err
	}
	return k.resource(aws.ToString(cl.DBClusterArn), cl.TagList), true, nil
}

func (k auroraCluster) list(ctx context.Context, c Clients) ([]Snoozed, error) {
	pages := rds.NewDescribeDBClustersPaginator(c.RDS, &rds.DescribeDBClustersInput{})
	clusters, err := paging.All(ctx, pages, func(page *rds.DescribeDBClustersOutput) []rdstypes.DBCluster { return page.DBClusters })
	return snoozedOf(k.rdsKind, clusters, err, func(cl rdstypes.DBCluster) (*string, []rdstypes.Tag) { return cl.DBClusterIdentifier, cl.TagList })
}
