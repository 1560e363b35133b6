package fleet

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/history"
)

// stoppableEngineModes are the Aurora engine modes whose clusters can be stopped;
// serverless (v1), multimaster and global clusters cannot.
var stoppableEngineModes = []string{"", "provisioned", "parallelquery"}

// clusterKind is how Aurora clusters are stopped, started and described; their member
// instances stop and start with them.
func (p *pair) clusterKind() dbKind {
	return dbKind{source: types.SourceTypeDbCluster, describe: p.clusters,
		stop:  byID(p.c.RDS.StopDBCluster, func(id *string) *rds.StopDBClusterInput { return &rds.StopDBClusterInput{DBClusterIdentifier: id} }),
		start: byID(p.c.RDS.StartDBCluster, func(id *string) *rds.StartDBClusterInput { return &rds.StartDBClusterInput{DBClusterIdentifier: id} })}
}

// clusters describes the pair's DB clusters, or only the one named id (when not nil).
func (p *pair) clusters(ctx context.Context, id *string) ([]database, error) {
	pages := rds.NewDescribeDBClustersPaginator(p.c.RDS, &rds.DescribeDBClustersInput{DBClusterIdentifier: id, MaxRecords: aws.Int32(100)})
	return describeDatabases(ctx, p, "DB clusters", pages, func(page *rds.DescribeDBClustersOutput) []types.DBCluster { return page.DBClusters }, clusterDatabase)
}

// clusterDatabase is a cluster as the shared steps see it.
func clusterDatabase(c types.DBCluster) database {
	d := database{
		Resource: Resource{Type: history.AuroraCluster, ID: aws.ToString(c.DBClusterIdentifier)},
		arn:      aws.ToString(c.DBClusterArn),
		status:   aws.ToString(c.Status),
		tags:     rdsTagMap(c.TagList),
	}
	// An Aurora cluster is I/O-Optimized or Standard, whose StorageType
	// DescribeDBClusters may leave out or give as "aurora".
	d.dims = history.Dimensions{Engine: aws.ToString(c.Engine), Storage: history.AuroraStandard}
	if aws.ToString(c.StorageType) == history.AuroraIOOptimized {
		d.dims.Storage = history.AuroraIOOptimized
	}
	for _, m := range c.DBClusterMembers {
		d.memberIDs = append(d.memberIDs, aws.ToString(m.DBInstanceIdentifier))
	}
	d.skip = clusterSkip(c, d.tags)
	return d
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

// memberSkip says why cluster must stay up because of one of its member instances: a
// member tagged curfew:skip=true or snoozed must keep running, and stopping the cluster
// would stop it too.
func memberSkip(cluster string, instances []database, now time.Time) string {
	for _, d := range instances {
		if d.cluster != cluster {
			continue
		}
		skip := skipTagged(d.tags)
		if skip == "" {
			skip, _ = snoozed(d.tags, now)
		}
		if skip != "" {
			return fmt.Sprintf("member %s is %s: the cluster stays up with it", d.ID, skip)
		}
	}
	return ""
}

// memberClasses are the DB instance classes of cluster's members, for the run history:
// Aurora bills a stopped cluster's members, not the cluster. They come from the instances
// the run described; a member that is not among them (created since) costs one describe
// of the cluster's instances. When a member's class cannot be read none are recorded
// (and the describe's failure is logged): the cost report then counts the cluster without
// pricing it rather than price part of it as the whole.
func (p *pair) memberClasses(ctx context.Context, cluster database, instances []database) []string {
	class := map[string]string{}
	for _, d := range instances {
		if d.cluster == cluster.ID {
			class[d.ID] = d.Size
		}
	}
	if slices.ContainsFunc(cluster.memberIDs, func(id string) bool { return class[id] == "" }) {
		out, err := p.c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{
			{Name: aws.String("db-cluster-id"), Values: []string{cluster.ID}},
		}})
		if err != nil {
			p.logger.LogAttrs(ctx, slog.LevelWarn, "member classes unread", slog.String("runId", p.id),
				slog.String("account", p.target.Account.Name), slog.String("region", p.target.Region),
				slog.String("resource", cluster.ID), slog.String("action", "describe-db-instances"),
				slog.String("outcome", "failed"), slog.String("error", err.Error()))
		} else {
			for _, db := range out.DBInstances {
				class[aws.ToString(db.DBInstanceIdentifier)] = aws.ToString(db.DBInstanceClass)
			}
		}
	}
	var classes []string
	for _, id := range cluster.memberIDs {
		if class[id] == "" {
			return nil
		}
		classes = append(classes, class[id])
	}
	return classes
}
