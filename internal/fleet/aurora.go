package fleet

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/history"
)

// stoppableEngineModes are the Aurora engine modes whose clusters can be stopped;
// serverless (v1), multimaster and global clusters cannot.
var stoppableEngineModes = []string{"", "provisioned", "parallelquery"}

// stopClusters stops the available Aurora clusters that may be stopped; their member
// instances stop with them.
func (p *pair) stopClusters(ctx context.Context) error {
	clusters, err := p.clusters(ctx)
	if err != nil {
		return err
	}
	return p.stopDatabases(ctx, clusters, func(ctx context.Context, id string) error {
		_, err := p.c.RDS.StopDBCluster(ctx, &rds.StopDBClusterInput{DBClusterIdentifier: aws.String(id)})
		return err
	})
}

// startClusters starts the Aurora clusters curfew stopped.
func (p *pair) startClusters(ctx context.Context) error {
	clusters, err := p.clusters(ctx)
	if err != nil {
		return err
	}
	return p.startDatabases(ctx, clusters, func(ctx context.Context, id string) error {
		_, err := p.c.RDS.StartDBCluster(ctx, &rds.StartDBClusterInput{DBClusterIdentifier: aws.String(id)})
		return err
	})
}

func (p *pair) clusters(ctx context.Context) ([]database, error) {
	var out []database
	pages := rds.NewDescribeDBClustersPaginator(p.c.RDS, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe DB clusters in %s: %w", p.where(), err)
		}
		for _, c := range page.DBClusters {
			d := database{
				Resource: Resource{Type: history.AuroraCluster, ID: aws.ToString(c.DBClusterIdentifier)},
				arn:      aws.ToString(c.DBClusterArn),
				status:   aws.ToString(c.Status),
				tags:     rdsTagMap(c.TagList),
			}
			d.skip = clusterSkip(c, d.tags)
			out = append(out, d)
		}
	}
	return out, nil
}

// clusterSkip says why a cluster cannot or must not be stopped, apart from snoozes.
func clusterSkip(c types.DBCluster, tags map[string]string) string {
	if s := skipTagged(tags); s != "" {
		return s
	}
	engine, mode := aws.ToString(c.Engine), aws.ToString(c.EngineMode)
	switch {
	case !strings.HasPrefix(engine, "aurora"):
		return fmt.Sprintf("engine %s: curfew stops Aurora clusters only", engine)
	case !slices.Contains(stoppableEngineModes, mode):
		return fmt.Sprintf("engine mode %s: Aurora cannot stop it", mode)
	case c.ReplicationSourceIdentifier != nil:
		return "read replica of another cluster: Aurora cannot stop it"
	}
	return ""
}
