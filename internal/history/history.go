// Package history keeps the summaries of curfew's shutdown and restart runs in S3, where
// the cost report reads them to work out how long each resource was stopped by curfew.
package history

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/s3json"
)

// Kind is what a run did.
type Kind string

// The kinds of run.
const (
	Shutdown Kind = "shutdown"
	Restart  Kind = "restart"
)

// Resource types as recorded in a run.
const (
	EC2Instance   = "ec2-instance"
	RDSInstance   = "rds-instance"
	AuroraCluster = "rds-cluster"
	// A group, node group or service scales to zero: Size is its instance type (empty
	// for a service or mixed instance types) and Count how many ran.
	AutoScalingGroup = "autoscaling-group"
	EKSNodegroup     = "eks-nodegroup"
	ECSService       = "ecs-service"
)

// Run is the summary of one run: what curfew stopped or started, what else it saw, and
// where it looked: the evidence the cost report pairs each stop with what ended it.
type Run struct {
	ID      string    `json:"id"`
	Kind    Kind      `json:"kind"`
	Started time.Time `json:"started"`
	// Trigger is "schedule" or "manual"; empty in runs written before it was recorded.
	Trigger string `json:"trigger,omitempty"`
	// Filtered is set when the run was asked for some resources only: a resource it did
	// not mention may still be there.
	Filtered bool `json:"filtered,omitempty"`
	// Changes lists every resource the run stopped (shutdown) or started (restart), and
	// every other resource it reported on: skipped, left stopped, stale marks, failures.
	Changes []Change `json:"changes"`
	// Visits are the account×region pairs the run visited, with how far it got; nil in
	// runs written before they were recorded.
	Visits []Visit `json:"visits,omitempty"`
	// Swept are the account×region pairs the account map swept when the run began (every
	// one, not only those the run was asked for); nil when the run could not settle its
	// accounts, or in runs written before it was recorded.
	Swept []Pair `json:"swept,omitempty"`
}

// Pair is one account×region.
type Pair struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

// Visit is how far a run got in one account×region.
type Visit struct {
	Pair
	// Status is "done" when every resource of the pair was looked at, otherwise "failed",
	// "not-reached" or "holiday".
	Status string `json:"status"`
}

// VisitDone is the Status of a visit that looked at every resource of its pair.
const VisitDone = "done"

// The actions a Change records. Runs written before Action was recorded have only
// stopped (shutdown) or started (restart) changes, with Action empty.
const (
	Stopped     = "stopped"
	Started     = "started"
	Skipped     = "skipped"
	LeftStopped = "left-stopped"
)

// Change is one resource a run stopped, started or reported on.
type Change struct {
	Account string `json:"account"` // account name in the account map
	Region  string `json:"region"`
	Type    string `json:"type"` // EC2Instance, RDSInstance or AuroraCluster
	ID      string `json:"id"`
	// Size is the instance type or DB instance class, for pricing; empty for a cluster.
	Size string `json:"size,omitempty"`
	// Count is how many instances of Size a group or node group ran when it was scaled
	// to zero; 0 for a single resource.
	Count int `json:"count,omitempty"`
	// Members are the DB instance classes of an Aurora cluster's member instances, one
	// per member, when the shutdown stopped it: the cluster is billed as its members.
	// Empty in runs written before they were recorded, and for other resources.
	Members []string  `json:"members,omitempty"`
	At      time.Time `json:"at"`
	// Action is what the run did: Stopped, Started, Skipped, LeftStopped, or another of the
	// run's actions ("not-stopped", "failed"). Use Did, which reads old runs too.
	Action string `json:"action,omitempty"`
	// Reason is the run's reason for a skip or a resource left stopped.
	Reason string `json:"reason,omitempty"`
	// Up is set when the run found the resource running again while it carried curfew's
	// mark (the restart removed a stale mark).
	Up bool `json:"up,omitempty"`
	// Launched is when the resource was last started as far as AWS said (an EC2
	// instance's LaunchTime, the date of an RDS start event after curfew's mark); zero
	// when unknown.
	Launched time.Time `json:"launched,omitzero"`
	Dimensions
}

// Dimensions are what AWS's price of a resource depends on besides its region and size,
// as far as the run saw them; empty in runs written before they were recorded.
type Dimensions struct {
	// Platform is an EC2 instance's PlatformDetails ("Linux/UNIX", "Windows", "Red Hat
	// Enterprise Linux") and Tenancy its placement's ("default", "dedicated", "host").
	Platform string `json:"platform,omitempty"`
	Tenancy  string `json:"tenancy,omitempty"`
	// Engine is a DB instance's engine ("mysql", "postgres") and MultiAZ its deployment.
	Engine  string `json:"engine,omitempty"`
	MultiAZ bool   `json:"multiAZ,omitempty"`
	// Storage is an Aurora cluster's storage type: "aurora" (Standard) or "aurora-iopt1"
	// (I/O-Optimized, whose instances AWS lists as another, dearer product). Empty in
	// runs written before it was recorded, and for other resources.
	Storage string `json:"storage,omitempty"`
	// Capacity is how a group's, node group's or service's capacity is bought: OnDemand,
	// Spot, or MixedCapacity (a share of each). Empty in runs written before it was
	// recorded, and for single resources (a Spot instance is never stopped).
	Capacity string `json:"capacity,omitempty"`
	// Architecture is a Fargate service's tasks' CPU architecture ("X86_64", "ARM64");
	// an EC2 instance's is told by its type. Empty in runs written before it was recorded.
	Architecture string `json:"architecture,omitempty"`
}

// How capacity is bought (Dimensions.Capacity).
const (
	OnDemand      = "on-demand"
	Spot          = "spot"
	MixedCapacity = "mixed"
)

// An Aurora cluster's storage types (Dimensions.Storage), as RDS names them.
const (
	AuroraStandard    = "aurora"
	AuroraIOOptimized = "aurora-iopt1"
)

// Did returns what the run did to the resource; a change of a run written before Action
// was recorded is a stop in a shutdown and a start in a restart.
func (c Change) Did(k Kind) string {
	switch {
	case c.Action != "":
		return c.Action
	case k == Restart:
		return Started
	}
	return Stopped
}

// FargateSize is the Size of a service of Fargate tasks of cpu units and memory MiB.
func FargateSize(cpu, memory string) string { return "fargate " + cpu + "/" + memory }

// S3API is the part of the S3 client the store uses.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	s3.ListObjectsV2APIClient
}

var _ S3API = (*s3.Client)(nil)

// Store reads and writes run summaries under runs/ in one bucket.
type Store struct {
	Client S3API
	Bucket string
}

// key sorts by time: runs/YYYY/MM/DD/<RFC3339 UTC>-<kind>-<id>.json.
func key(r Run) string {
	t := r.Started.UTC()
	return fmt.Sprintf("runs/%s/%s-%s-%s.json", t.Format("2006/01/02"), t.Format("20060102T150405Z"), r.Kind, r.ID)
}

// Put writes one run summary.
func (s Store) Put(ctx context.Context, r Run) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode run %s: %w", r.ID, err)
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.Bucket),
		Key:         aws.String(key(r)),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("put run %s in s3://%s: %w", r.ID, s.Bucket, err)
	}
	return nil
}

// Scan is what Read read: the runs, and the objects it skipped.
type Scan struct {
	// Runs started at or after the time asked, oldest first.
	Runs []Run
	// Unreadable are the objects that could not be read or decoded: one bad object costs
	// its own run, not the whole history.
	Unreadable []Unreadable
}

// Unreadable is an object of the history that could not be read, and why.
type Unreadable struct {
	Key string
	Err error
}

// Since returns the runs started at or after since, oldest first; an object it cannot
// read is an error. Read skips such objects instead.
func (s Store) Since(ctx context.Context, since time.Time) ([]Run, error) {
	scan, err := s.Read(ctx, since)
	if err != nil {
		return nil, err
	}
	if len(scan.Unreadable) > 0 {
		return nil, scan.Unreadable[0].Err
	}
	return scan.Runs, nil
}

// Read returns the runs started at or after since, oldest first, skipping (and naming)
// objects it cannot read. It fails only when the history cannot be listed.
func (s Store) Read(ctx context.Context, since time.Time) (Scan, error) {
	var scan Scan
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{
		Bucket:     aws.String(s.Bucket),
		Prefix:     aws.String("runs/"),
		StartAfter: aws.String(fmt.Sprintf("runs/%s/", since.UTC().Format("2006/01/02"))),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Scan{}, fmt.Errorf("list runs in s3://%s: %w", s.Bucket, err)
		}
		for _, obj := range page.Contents {
			r, err := s.get(ctx, aws.ToString(obj.Key))
			if err != nil {
				if ctx.Err() != nil {
					return Scan{}, err
				}
				scan.Unreadable = append(scan.Unreadable, Unreadable{Key: aws.ToString(obj.Key), Err: err})
				continue
			}
			if !r.Started.Before(since) {
				scan.Runs = append(scan.Runs, r)
			}
		}
	}
	slices.SortStableFunc(scan.Runs, func(a, b Run) int { return a.Started.Compare(b.Started) })
	return scan, nil
}

func (s Store) get(ctx context.Context, k string) (Run, error) {
	var r Run
	if err := s3json.Get(ctx, s.Client, s.Bucket, k, nil, &r); err != nil {
		return Run{}, err
	}
	return r, nil
}
