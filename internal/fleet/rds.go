package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/paging"
	"github.com/curfew/curfew/internal/table"
)

// RDSAPI is the part of the RDS client the engine uses, for DB instances and Aurora clusters.
type RDSAPI interface {
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
	rds.DescribeEventsAPIClient
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
	// cluster is the Aurora cluster a DB instance is a member of, if any.
	cluster string
	// memberIDs are an Aurora cluster's member DB instances (DBClusterMembers).
	memberIDs []string
}

// dbKind is what the shared stop and start steps need to know of DB instances, or of
// Aurora clusters.
type dbKind struct {
	// source is the kind's source type in RDS events.
	source      types.SourceType
	stop, start func(ctx context.Context, id string, opts ...func(*rds.Options)) error
	// describe describes the pair's databases of the kind, or only the one named id (when
	// not nil).
	describe func(ctx context.Context, id *string) ([]database, error)
}

// instanceKind is how DB instances are stopped, started and described.
func (p *pair) instanceKind() dbKind {
	return dbKind{source: types.SourceTypeDbInstance, describe: p.dbInstances,
		stop:  byID(p.c.RDS.StopDBInstance, func(id *string) *rds.StopDBInstanceInput { return &rds.StopDBInstanceInput{DBInstanceIdentifier: id} }),
		start: byID(p.c.RDS.StartDBInstance, func(id *string) *rds.StartDBInstanceInput { return &rds.StartDBInstanceInput{DBInstanceIdentifier: id} })}
}

// byID is an RDS call on one database, by its identifier, as a kind's stop or start;
// input makes the call's input.
func byID[In, Out any](call func(context.Context, In, ...func(*rds.Options)) (Out, error), input func(id *string) In) func(context.Context, string, ...func(*rds.Options)) error {
	return func(ctx context.Context, id string, opts ...func(*rds.Options)) error {
		_, err := call(ctx, input(aws.String(id)), opts...)
		return err
	}
}

// status describes one database again: its status.
func (k dbKind) status(ctx context.Context, id string) (string, error) {
	dbs, err := k.describe(ctx, aws.String(id))
	if err != nil || len(dbs) != 1 {
		return "", errors.Join(err, errNotOne)
	}
	return dbs[0].status, nil
}

// countAttempts counts into n the attempts the SDK makes of one call, its retries
// included: the middleware sits inside the retry loop.
func countAttempts(n *int) func(*rds.Options) {
	return func(o *rds.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("curfew-attempts",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					*n++
					return next.HandleFinalize(ctx, in)
				}), "Retry", middleware.After)
		})
	}
}

// errNotOne: a describe call by identifier did not answer exactly one database.
var errNotOne = errors.New("not exactly one database in the answer")

// rdsDatabases are the RDS DB instances and Aurora clusters (aurora.go) of an
// account×region: they stop and start.
type rdsDatabases struct{}

// stop stops the DB instances, then the Aurora clusters, that may be stopped. A cluster
// is judged with its member instances (a member tagged to stay up keeps the whole cluster
// up), so no cluster is stopped when the instances cannot be described.
func (rdsDatabases) stop(ctx context.Context, p *pair) error {
	dbs, err := p.dbInstances(ctx, nil)
	if err != nil {
		return fmt.Errorf("%w (so neither DB instances nor Aurora clusters were stopped)", err)
	}
	if err := p.stopDatabases(ctx, dbs, p.instanceKind()); err != nil {
		return err
	}
	clusters, err := p.clusters(ctx, nil)
	if err != nil {
		return err
	}
	for i := range clusters {
		if clusters[i].skip == "" {
			clusters[i].skip = memberSkip(clusters[i].ID, dbs, p.now)
		}
		clusters[i].members = p.memberClasses(ctx, clusters[i], dbs)
	}
	return p.stopDatabases(ctx, clusters, p.clusterKind())
}

// start starts the Aurora clusters, then the DB instances, that curfew stopped.
func (rdsDatabases) start(ctx context.Context, p *pair) error {
	err := p.startDatabases(ctx, p.clusterKind())
	if ctx.Err() != nil {
		return err // the pair's steps end here, and say why
	}
	return errors.Join(err, p.startDatabases(ctx, p.instanceKind()))
}

// dbInstances describes the pair's DB instances, or only the one named id (when not nil).
func (p *pair) dbInstances(ctx context.Context, id *string) ([]database, error) {
	pages := rds.NewDescribeDBInstancesPaginator(p.c.RDS, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: id, MaxRecords: aws.Int32(100)})
	return describeDatabases(ctx, p, "DB instances", pages, func(page *rds.DescribeDBInstancesOutput) []types.DBInstance { return page.DBInstances }, instanceDatabase)
}

// instanceDatabase is a DB instance as the shared steps see it.
func instanceDatabase(db types.DBInstance) database {
	d := database{
		Resource: Resource{Type: history.RDSInstance, ID: aws.ToString(db.DBInstanceIdentifier), Size: aws.ToString(db.DBInstanceClass)},
		arn:      aws.ToString(db.DBInstanceArn),
		status:   aws.ToString(db.DBInstanceStatus),
		tags:     rdsTagMap(db.TagList),
		cluster:  aws.ToString(db.DBClusterIdentifier),
	}
	d.dims = history.Dimensions{Engine: aws.ToString(db.Engine), MultiAZ: aws.ToBool(db.MultiAZ)}
	d.skip = dbInstanceSkip(db, d.tags)
	return d
}

// describeDatabases reads every page of a describe of DB instances or clusters (what),
// each item as a database.
func describeDatabases[Page, Item, Options any](ctx context.Context, p *pair, what string, pages paging.Pager[Page, Options], items func(Page) []Item, db func(Item) database) ([]database, error) {
	out, err := paging.All(ctx, pages, func(page Page) []database {
		dbs := make([]database, 0, len(items(page)))
		for _, item := range items(page) {
			dbs = append(dbs, db(item))
		}
		return dbs
	})
	if err != nil {
		return nil, fmt.Errorf("describe %s in %s: %w", what, p.where(), err)
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

// downStatuses are the statuses of databases that are down or going away (stopped,
// stopping, deleted): the shutdown leaves them out of its report, as there is nothing to
// stop. Every other status but available is reported as not stopped: the database is up,
// or on its way up (backing-up, modifying, starting, creating, upgrading, ...), or in
// trouble (failed, storage-full, ...), and RDS refuses to stop it until it is available
// again. A status RDS adds later is reported too, never silently passed over.
var downStatuses = []string{"stopped", "stopping", "deleting", "delete-precheck"}

// stopDatabases stops the available databases that may be stopped, one call each (RDS has
// no batch calls). Like EC2 instances, each is marked before it is stopped and unmarked
// again when AWS refuses the stop. An available database that still carries a mark was started
// by RDS after seven days stopped; it is stopped again.
func (p *pair) stopDatabases(ctx context.Context, dbs []database, k dbKind) error {
	for _, d := range dbs {
		if slices.Contains(downStatuses, d.status) || !p.payload.wants(d.ID) {
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
		if marked(d.tags) && skip == "" && d.status == "available" {
			note = table.Cell(note, markNote(d.tags)+", available again (RDS starts a database after seven days stopped)")
		}
		r.Reason = note
		switch {
		case skip != "":
			r.Action, r.Reason = Skipped, skip
		case d.status != "available":
			r.Action, r.Reason = NotStopped, notStoppedReason(d.status)
		case p.payload.DryRun:
			r.Action = WouldStop
		default:
			p.stopDatabase(ctx, &r, d.arn, k)
		}
		p.add(ctx, r)
	}
	return nil
}

func (p *pair) stopDatabase(ctx context.Context, r *Resource, arn string, k dbKind) {
	if _, err := p.c.RDS.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: tagList(markTags(p.id, p.now), func(k, v *string) types.Tag { return types.Tag{Key: k, Value: v} })}); err != nil {
		markFirstFailed(r, "not stopped", err)
		return
	}
	attempts := 0
	err := k.stop(ctx, r.ID, countAttempts(&attempts))
	if err == nil {
		r.Action = Stopped
		return
	}
	// RDS refuses a stop when the database is not available. When that refusal answers a
	// retry, an earlier attempt may have been carried out with its answer lost (a reset
	// connection, a timeout): the database is then stopping because of curfew's own call.
	// Looking again tells that apart from a real refusal; the mark stays either way.
	if attempts > 1 && refusedForState(err) {
		if status, serr := k.status(ctx, r.ID); serr == nil && (status == "stopping" || status == "stopped") {
			r.Action = Stopped
			r.Reason = table.Cell(r.Reason, fmt.Sprintf("the answer to the stop was lost and its retry found the database %s", status))
			return
		}
	}
	// A refusal of the call's only attempt changed nothing, whatever its code: keeping the
	// mark then would let the restart start a database someone else stopped meanwhile.
	kept := mayHaveStopped(err) && (attempts > 1 || !refusedForState(err))
	r.Action, r.Error = ActionFailed, failedStop(err, kept, func() error { return p.unmarkDB(ctx, arn) }, markKeys)
}

// startDatabases starts the stopped databases of the kind that carry curfew's mark, then
// removes it. A marked database that is available again has its stale mark removed.
func (p *pair) startDatabases(ctx context.Context, k dbKind) error {
	dbs, err := k.describe(ctx, nil)
	if err != nil {
		return err
	}
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
			// When it was started is evidence for the cost report only: a failed look-up
			// leaves it unknown and changes nothing here.
			if at, _, err := p.dbStartedAgain(ctx, d, k.source); err == nil {
				r.launched = at
			}
			staleMarkRemoved(&r, "already available", p.unmarkDB(ctx, d.arn))
		case d.status != "stopped":
			r.Action, r.Reason = Skipped, fmt.Sprintf("status %s: left to the next run", d.status)
		default:
			p.startDatabase(ctx, &r, d, k)
		}
		p.add(ctx, r)
	}
	return nil
}

// startDatabase starts a stopped database that carries curfew's mark, unless someone else
// stopped it again after the shutdown.
func (p *pair) startDatabase(ctx context.Context, r *Resource, d database, k dbKind) {
	again, detail, err := p.dbStartedAgain(ctx, d, k.source)
	switch {
	case err != nil:
		r.Action, r.Error = ActionFailed, cannotTell(err)
		return
	case !again.IsZero():
		r.launched = again
		p.leaveStopped(r, detail, func() error { return p.unmarkDB(ctx, d.arn) })
		return
	case p.payload.DryRun:
		r.Action = WouldStart
		return
	}
	if err := k.start(ctx, d.ID); err != nil {
		startFailed(r, err)
		return
	}
	startedUnmarked(r, p.unmarkDB(ctx, d.arn))
}

// dbStartedAgain tells when a database that carries curfew's mark was started after the
// mark (zero if it was not, an error if it cannot tell), and so, if it is stopped now,
// was stopped again by someone else after the shutdown. RDS has no "last started" field; it records a notification event each time a
// database starts (started by a person, or by RDS itself after seven days stopped) and
// keeps its events for 14 days. A database curfew stopped again after RDS started it
// carries a new mark, later than that start.
//
// RDS documents its events as best effort: a lost start event would let the restart wake a
// database a person stopped, as before this check. A mark older than RDS's 14 days of
// events is judged on what is left of them.
func (p *pair) dbStartedAgain(ctx context.Context, d database, source types.SourceType) (time.Time, string, error) {
	mark, err := markTime(d.tags)
	if err != nil {
		return time.Time{}, "", err
	}
	// Both ends are given: with one only, RDS answers a window of Duration (an hour by
	// default).
	from := mark
	if oldest := p.now.Add(-eventRetention); from.Before(oldest) {
		from = oldest
	}
	pages := rds.NewDescribeEventsPaginator(p.c.RDS, &rds.DescribeEventsInput{
		SourceType: source, SourceIdentifier: aws.String(d.ID), StartTime: aws.Time(from), EndTime: aws.Time(p.now),
		EventCategories: []string{"notification"}, MaxRecords: aws.Int32(100),
	})
	events, err := paging.All(ctx, pages, func(page *rds.DescribeEventsOutput) []types.Event { return page.Events })
	if err != nil {
		return time.Time{}, "", fmt.Errorf("describe the RDS events of %s: %w", d.ID, err)
	}
	return startedAfter(mark, events)
}

// eventRetention is how long RDS keeps its events.
const eventRetention = 14 * 24 * time.Hour

// startedAfter reads a database's notifications for the first start after the mark: its
// time and a detail for the report. A notification after the mark that speaks of a start
// in words curfew does not know is an error: whether the database was started cannot be
// told, and the restart leaves it as it is rather than guess either way.
//
// The mark has whole seconds and event dates milliseconds: they are compared in whole
// seconds, and an event in the mark's second is taken for one before the mark. Nothing
// can start a database in that second after curfew's stop: RDS refuses to start one that
// is stopping, and records a start once it is done, minutes later. A start recorded in
// that second was done before curfew found the database available.
func startedAfter(mark time.Time, events []types.Event) (time.Time, string, error) {
	mark = mark.Truncate(time.Second)
	var unclear *types.Event
	for _, e := range events {
		at := aws.ToTime(e.Date).UTC()
		if !at.Truncate(time.Second).After(mark) {
			continue
		}
		switch readStart(e) {
		case saysStarted:
			return at, fmt.Sprintf("RDS event at %s: %q", at.Format(time.RFC3339), aws.ToString(e.Message)), nil
		case mentionsStart:
			if unclear == nil {
				unclear = &e
			}
		}
	}
	if unclear != nil {
		return time.Time{}, "", fmt.Errorf("an RDS notification at %s speaks of a start in words curfew does not know: %q",
			aws.ToTime(unclear.Date).UTC().Format(time.RFC3339), aws.ToString(unclear.Message))
	}
	return time.Time{}, "", nil
}

// startSaid is what an RDS notification says about a start.
type startSaid int

const (
	saysNoStart   startSaid = iota
	saysStarted             // its message is one of startMessages
	mentionsStart           // it speaks of a start in other words
)

// startMessages are the messages of the events that mean a database started, as RDS
// documents them ("Amazon RDS event categories and event messages", RDS and Aurora user
// guides) and as RDS was seen to send them. DescribeEvents answers no event id, so the
// message is all there is to read; each is matched whole, in any case, with or without
// its final period (normalMessage). RDS starting a database after seven days
// stopped (0154, 0153) is a start like a person's: either way, a database stopped now
// was stopped again after it, and not by curfew, whose next shutdown writes a new mark.
var startMessages = normalMessages(
	// RDS-EVENT-0088: documented; answered.
	"The DB instance has been started.", "DB instance started",
	// RDS-EVENT-0154: documented; as RDS sends it (without "The").
	"The DB instance is being started due to it exceeding the maximum allowed time being stopped.",
	"DB instance is being started due to it exceeding the maximum allowed time being stopped.",
	// RDS-EVENT-0151: documented, in two wordings; answered.
	"The DB cluster has been started.", "The DB cluster started.", "DB cluster started",
	// RDS-EVENT-0153: documented; without "The", as 0154 is sent.
	"The DB cluster is being started due to it exceeding the maximum allowed time being stopped.",
	"DB cluster is being started due to it exceeding the maximum allowed time being stopped.",
)

// readStart tells a notification that means a start from one that speaks of a start in
// other words (RDS-EVENT-0044, "Operator-issued notification", is free text; a message
// RDS rewords is another) and from the rest.
func readStart(e types.Event) startSaid {
	if !slices.Contains(e.EventCategories, "notification") {
		return saysNoStart
	}
	m := normalMessage(aws.ToString(e.Message))
	switch {
	case slices.Contains(startMessages, m):
		return saysStarted
	case strings.Contains(m, "start"):
		return mentionsStart
	}
	return saysNoStart
}

// normalMessage is an event message as startMessages holds it: trimmed, lower case,
// without a final period.
func normalMessage(m string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(m)), ".")
}

func normalMessages(ms ...string) []string {
	for i, m := range ms {
		ms[i] = normalMessage(m)
	}
	return ms
}

func (p *pair) unmarkDB(ctx context.Context, arn string) error {
	_, err := p.c.RDS.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: markKeys})
	return err
}

// rdsTagMap reads a database's tags.
func rdsTagMap(tags []types.Tag) map[string]string {
	return tagMap(tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
}
