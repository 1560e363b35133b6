package snooze

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
)

// EC2API is the part of the EC2 client snooze uses.
type EC2API interface {
	ec2.DescribeInstancesAPIClient
	CreateTags(context.Context, *ec2.CreateTagsInput, ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(context.Context, *ec2.DeleteTagsInput, ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

// RDSAPI is the part of the RDS client snooze uses.
type RDSAPI interface {
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
	AddTagsToResource(context.Context, *rds.AddTagsToResourceInput, ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(context.Context, *rds.RemoveTagsFromResourceInput, ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
}

var (
	_ EC2API = (*ec2.Client)(nil)
	_ RDSAPI = (*rds.Client)(nil)
)

// Clients are the clients of one account×region.
type Clients struct {
	EC2 EC2API
	RDS RDSAPI
}

// kind is one kind of resource that can carry the snooze tag.
type kind interface {
	// owns says whether id can name a resource of this kind.
	owns(id string) bool
	// find looks id up among resources of this kind; found is false when none has it.
	find(ctx context.Context, c Clients, id string) (r Resource, found bool, err error)
	// tag sets tags on the resource named ref (an id or ARN).
	tag(ctx context.Context, c Clients, ref string, tags []tag) error
	// untag removes the snooze tag, whatever its value, and no other.
	untag(ctx context.Context, c Clients, ref string) error
	// list returns the resources of this kind that carry the snooze tag.
	list(ctx context.Context, c Clients) ([]Snoozed, error)
}

// kinds are looked up in this order: ids starting with i- are EC2 instances only;
// anything else is looked up as an RDS instance, then as an Aurora cluster.
var kinds = []kind{
	ec2Instance{},
	rdsInstance{rdsKind{history.RDSInstance, "RDS instance"}},
	auroraCluster{rdsKind{history.AuroraCluster, "Aurora cluster"}},
}

// tag is one tag to write.
type tag struct{ key, value string }

// Resource is one resource that can carry the snooze tag.
type Resource struct {
	// Type is the engine's name of the kind (history.EC2Instance, ...); Kind says what it
	// is, as a person reads it: EC2 instance, RDS instance, Aurora cluster.
	Type string
	Kind string
	// Snoozed says it carries the tag now, with the value Until; By is its
	// accounts.SnoozedByTag, where the snooze came from, when it has one.
	Snoozed bool
	Until   string
	By      string

	ref string
	of  kind
}

// ErrNotFound means no resource of any kind snooze knows has the id.
var ErrNotFound = errors.New("not found")

// Find looks the resource up and returns its kind and its snooze tag.
func Find(ctx context.Context, c Clients, id string) (Resource, error) {
	for _, k := range kinds {
		if !k.owns(id) {
			continue
		}
		r, found, err := k.find(ctx, c, id)
		if err != nil || found {
			r.of = k
			return r, err
		}
	}
	return Resource{}, fmt.Errorf("%w: no EC2 instance, RDS instance or Aurora cluster %q", ErrNotFound, id)
}

// Tag sets the snooze tag to value.
func (r Resource) Tag(ctx context.Context, c Clients, value string) error {
	return r.of.tag(ctx, c, r.ref, []tag{{accounts.SnoozeUntilTag, value}})
}

// TagBy sets the snooze tag to until (RFC 3339) and accounts.SnoozedByTag to "<origin>
// until <until>", in one call: the shutdown names the origin while the two agree.
func (r Resource) TagBy(ctx context.Context, c Clients, until, origin string) error {
	return r.of.tag(ctx, c, r.ref, []tag{{accounts.SnoozeUntilTag, until}, {accounts.SnoozedByTag, By(origin, until)}})
}

// By is the value of accounts.SnoozedByTag for a snooze from origin until until.
func By(origin, until string) string { return origin + " until " + until }

// Origin is where the snooze until until came from, read from the value by of
// accounts.SnoozedByTag: "" when by is empty or names another snooze's end.
func Origin(by, until string) string {
	origin, ok := strings.CutSuffix(by, " until "+until)
	if !ok || until == "" {
		return ""
	}
	return origin
}

// Untag removes the snooze tag, whatever its value, and no other.
func (r Resource) Untag(ctx context.Context, c Clients) error {
	return r.of.untag(ctx, c, r.ref)
}

// List returns the resources of one region that carry the snooze tag, kind by kind.
func List(ctx context.Context, c Clients) ([]Snoozed, error) {
	var out []Snoozed
	for _, k := range kinds {
		s, err := k.list(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}
