package fleet

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/history"
)

// RDSAPI is the part of the RDS client the engine uses, for DB instances and Aurora clusters.
type RDSAPI interface {
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
	AddTagsToResource(context.Context, *rds.AddTagsToResourceInput, ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(context.Context, *rds.RemoveTagsFromResourceInput, ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
	StopDBInstance(context.Context, *rds.StopDBInstanceInput, ...func(*rds.Options)) (*rds.StopDBInstanceOutput, error)
	StartDBInstance(context.Context, *rds.StartDBInstanceInput, ...func(*rds.Options)) (*rds.StartDBInstanceOutput, error)
	StopDBCluster(context.Context, *rds.StopDBClusterInput, ...func(*rds.Options)) (*rds.StopDBClusterOutput, error)
	StartDBCluster(context.Context, *rds.StartDBClusterInput, ...func(*rds.Options)) (*rds.StartDBClusterOutput, error)
}

var _ RDSAPI = (*rds.Client)(nil)

// database is a DB instance or an Aurora cluster, as the shared stop and start steps see it.
type database struct {
	Resource
	arn    string
	status string
	tags   map[string]string
	// skip, when set, is why the database stays up tonight.
	skip string
}

// stopDBInstances stops the available DB instances that may be stopped.
func (p *pair) stopDBInstances(ctx context.Context) error {
	dbs, err := p.dbInstances(ctx)
	if err != nil {
		return err
	}
	return p.stopDatabases(ctx, dbs, func(ctx context.Context, id string) error {
		_, err := p.c.RDS.StopDBInstance(ctx, &rds.StopDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
		return err
	})
}

// startDBInstances starts the DB instances curfew stopped.
func (p *pair) startDBInstances(ctx context.Context) error {
	dbs, err := p.dbInstances(ctx)
	if err != nil {
		return err
	}
	return p.startDatabases(ctx, dbs, func(ctx context.Context, id string) error {
		_, err := p.c.RDS.StartDBInstance(ctx, &rds.StartDBInstanceInput{DBInstanceIdentifier: aws.String(id)})
		return err
	})
}

func (p *pair) dbInstances(ctx context.Context) ([]database, error) {
	var out []database
	pages := rds.NewDescribeDBInstancesPaginator(p.c.RDS, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe DB instances in %s: %w", p.where(), err)
		}
		for _, db := range page.DBInstances {
			d := database{
				Resource: Resource{Type: history.RDSInstance, ID: aws.ToString(db.DBInstanceIdentifier), Size: aws.ToString(db.DBInstanceClass)},
				arn:      aws.ToString(db.DBInstanceArn),
				status:   aws.ToString(db.DBInstanceStatus),
				tags:     rdsTagMap(db.TagList),
			}
			d.skip = dbInstanceSkip(db, d.tags)
			out = append(out, d)
		}
	}
	return out, nil
}

// dbInstanceSkip says why a DB instance cannot or must not be stopped, apart from snoozes.
func dbInstanceSkip(db types.DBInstance, tags map[string]string) string {
	if s := skipTagged(tags); s != "" {
		return s
	}
	switch {
	case db.DBClusterIdentifier != nil:
		return fmt.Sprintf("member of cluster %s: curfew stops and starts the cluster as a whole", aws.ToString(db.DBClusterIdentifier))
	case db.ReadReplicaSourceDBInstanceIdentifier != nil || db.ReadReplicaSourceDBClusterIdentifier != nil:
		return "read replica: RDS cannot stop read replicas"
	case len(db.ReadReplicaDBInstanceIdentifiers) > 0 || len(db.ReadReplicaDBClusterIdentifiers) > 0:
		return fmt.Sprintf("has read replicas (%s): RDS cannot stop it", strings.Join(append(db.ReadReplicaDBInstanceIdentifiers, db.ReadReplicaDBClusterIdentifiers...), ", "))
	case aws.ToBool(db.MultiAZ) && strings.HasPrefix(aws.ToString(db.Engine), "sqlserver"):
		return "Multi-AZ SQL Server: RDS cannot stop it"
	}
	return ""
}

// stopDatabases stops the available databases that may be stopped, one call each (RDS has
// no batch calls). Like EC2 instances, each is marked before it is stopped and unmarked
// again when AWS refuses the stop. An available database that still carries a mark was started
// by RDS after seven days stopped; it is stopped again.
func (p *pair) stopDatabases(ctx context.Context, dbs []database, stop func(context.Context, string) error) error {
	for _, d := range dbs {
		if d.status != "available" || !p.payload.wants(d.ID) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		r := d.Resource
		skip, note := d.skip, ""
		if skip == "" {
			skip, note = snoozed(d.tags, p.now)
		}
		if marked(d.tags) && skip == "" {
			note = joinNotes(note, markNote(d.tags)+", available again (RDS starts a database after seven days stopped)")
		}
		r.Reason = note
		switch {
		case skip != "":
			r.Action, r.Reason = Skipped, skip
		case p.payload.DryRun:
			r.Action = WouldStop
		default:
			p.stopDatabase(ctx, &r, d.arn, stop)
		}
		p.add(ctx, r)
	}
	return nil
}

func (p *pair) stopDatabase(ctx context.Context, r *Resource, arn string, stop func(context.Context, string) error) {
	if _, err := p.c.RDS.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: rdsTags(markTags(p.id, p.now))}); err != nil {
		r.Action, r.Error = ActionFailed, fmt.Sprintf("not stopped: mark it first: %v", err)
		return
	}
	if err := stop(ctx, r.ID); err != nil {
		var unmarkErr error
		if !mayHaveStopped(err) {
			unmarkErr = p.unmarkDB(ctx, arn)
		}
		r.Action, r.Error = ActionFailed, stopError(err, unmarkErr)
		return
	}
	r.Action = Stopped
}

// startDatabases starts the stopped databases that carry curfew's mark, then removes it.
// A marked database that is available again has its stale mark removed.
func (p *pair) startDatabases(ctx context.Context, dbs []database, start func(context.Context, string) error) error {
	for _, d := range dbs {
		if !marked(d.tags) || !p.payload.wants(d.ID) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		r := d.Resource
		switch {
		case d.status == "available" && p.payload.DryRun:
			r.Action, r.Reason = Skipped, "already available: its stale mark would be removed"
		case d.status == "available":
			r.Action, r.Reason = Skipped, "already available: stale mark removed"
			if err := p.unmarkDB(ctx, d.arn); err != nil {
				r.Reason, r.Error = "already available", fmt.Sprintf("its stale mark could not be removed: %v", err)
			}
		case d.status != "stopped":
			r.Action, r.Reason = Skipped, fmt.Sprintf("status %s: left to the next run", d.status)
		case p.payload.DryRun:
			r.Action = WouldStart
		default:
			if err := start(ctx, d.ID); err != nil {
				r.Action, r.Error = ActionFailed, fmt.Sprintf("start: %v (it stays stopped and marked)", err)
				break
			}
			r.Action = Started
			if err := p.unmarkDB(ctx, d.arn); err != nil {
				r.Error = fmt.Sprintf("started, but its mark could not be removed: %v", err)
			}
		}
		p.add(ctx, r)
	}
	return nil
}

func (p *pair) unmarkDB(ctx context.Context, arn string) error {
	_, err := p.c.RDS.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: markKeys})
	return err
}

func rdsTagMap(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func rdsTags(m map[string]string) []types.Tag {
	var tags []types.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return tags
}
