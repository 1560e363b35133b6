package demo

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// member is one resource of the demo fleet.
type member struct {
	Name    string
	Account string
	Region  string
	Type    string // history.EC2Instance, history.RDSInstance, history.AuroraCluster, fleet.AutoScalingGroup or fleet.ECSService
	Size    string
	// Capacity is a group's min/desired/max, a service's "desired min/max" (its scalable
	// target's).
	Capacity string
	// Tags are put on it at creation.
	Tags map[string]string
	// StoppedByPerson: an instance someone stopped by hand before the night.
	StoppedByPerson bool
	// Cluster names the Aurora cluster of a member instance.
	Cluster string
	// Stops says whether the night stops it (and the morning starts it again).
	Stops bool
	// Why says what the demo shows with it.
	Why string
}

// demoFleet is the fleet of the account map's staging, sandbox and production accounts.
var demoFleet = []member{
	{Name: "web", Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, Size: "t3.small", Stops: true, Why: "stopped at night"},
	{Name: "build-agent", Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, Size: "t3.medium", Tags: map[string]string{accounts.SkipTag: "true"}, Why: "tagged curfew:skip=true: stays up"},
	{Name: "alice-dev", Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, Size: "t3.micro", StoppedByPerson: true, Why: "stopped by a person: the morning leaves it stopped"},
	{Name: "orders-db", Account: "staging", Region: "eu-west-1", Type: history.RDSInstance, Size: "db.t3.micro", Stops: true, Why: "RDS instance, stopped at night"},
	{Name: "web-asg", Account: "staging", Region: "eu-west-1", Type: fleet.AutoScalingGroup, Size: "t3.small", Capacity: "1/2/4", Stops: true, Why: "Auto Scaling group: scaled to 0/0/4 at night, back to 1/2/4"},
	{Name: "api", Account: "staging", Region: "eu-west-1", Type: fleet.ECSService, Size: "FARGATE", Capacity: "3 2/6", Stops: true, Why: "ECS service: 3 tasks (min 2) to 0 at night, back to 3 (min 2)"},
	{Name: "worker", Account: "staging", Region: "eu-central-1", Type: history.EC2Instance, Size: "t3.small", Stops: true, Why: "second region, stopped at night"},
	{Name: "experiment", Account: "sandbox", Region: "eu-west-1", Type: history.EC2Instance, Size: "t3.large", Stops: true, Why: "stopped at night"},
	{Name: "analytics", Account: "sandbox", Region: "eu-west-1", Type: history.AuroraCluster, Stops: true, Why: "Aurora cluster, stopped at night"},
	{Name: "analytics-1", Account: "sandbox", Region: "eu-west-1", Type: history.RDSInstance, Size: "db.r6g.large", Cluster: "analytics", Why: "Aurora member: curfew stops its cluster instead"},
	{Name: "prod-web", Account: "production", Region: "eu-west-1", Type: history.EC2Instance, Size: "m6i.large", Why: "production: never touched"},
	{Name: "prod-db", Account: "production", Region: "eu-west-1", Type: history.RDSInstance, Size: "db.m6g.large", Why: "production: never touched"},
	{Name: "prod-api", Account: "production", Region: "eu-central-1", Type: history.EC2Instance, Size: "m6i.large", Why: "production: never touched"},
}

// demoResources is the demo fleet as created: resource ids by name.
type demoResources struct {
	members []member
	ids     map[string]string
}

// Observed is one resource of the fleet as the demo reads it from AWS.
type Observed struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	// State is the EC2 state or the RDS status; a group or service is running while its
	// desired capacity is above zero, else stopped.
	State string `json:"state"`
	// Capacity is a group's or service's, as in member.
	Capacity string `json:"capacity,omitempty"`
	// Marked: it carries curfew's mark (curfew:stopped-at, curfew:stopped-by).
	Marked bool `json:"marked"`
}

// Running reports whether the resource is up.
func (o Observed) Running() bool { return o.State == "running" || o.State == "available" }

func (d *Demo) createFleet(ctx context.Context, w io.Writer) error {
	f := &demoResources{members: demoFleet, ids: map[string]string{}}
	for _, m := range f.members {
		if _, ok := d.m.Account(m.Account); !ok {
			return fmt.Errorf("the demo fleet needs account %q in %s", m.Account, d.rel(d.mapPath))
		}
	}
	for _, m := range f.members {
		if err := d.create(ctx, f, m); err != nil {
			return fmt.Errorf("create %s %s in %s/%s: %w", m.Type, m.Name, m.Account, m.Region, err)
		}
	}
	d.fleet = f
	before, err := d.observe(ctx)
	if err != nil {
		return err
	}
	d.state.Before = before
	for _, m := range f.members {
		if m.Stops {
			d.state.Stops = append(d.state.Stops, m.Name)
		}
		if m.StoppedByPerson {
			d.state.StoppedByPerson = append(d.state.StoppedByPerson, m.Name)
		}
	}
	t := newTable(w)
	t.row("ACCOUNT", "REGION", "TYPE", "NAME", "ID", "SIZE", "STATE", "WHY")
	for _, m := range f.members {
		o := before[m.Name]
		t.row(m.Account, m.Region, m.Type, m.Name, o.ID, orDash(strings.TrimSpace(m.Size+" "+o.Capacity)), o.State, m.Why)
	}
	return t.flush()
}

func (d *Demo) create(ctx context.Context, f *demoResources, m member) error {
	a, _ := d.m.Account(m.Account)
	cfg, err := d.moto.AccountConfig(ctx, a.ID, m.Region)
	if err != nil {
		return err
	}
	tags := maps.Clone(m.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags["Name"] = m.Name
	switch m.Type {
	case history.EC2Instance:
		c := ec2.NewFromConfig(cfg)
		var ec2Tags []ec2types.Tag
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			ec2Tags = append(ec2Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
		out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceType:      ec2types.InstanceType(m.Size),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags}},
		})
		if err != nil {
			return err
		}
		id := aws.ToString(out.Instances[0].InstanceId)
		f.ids[m.Name] = id
		if m.StoppedByPerson {
			_, err = c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
		}
		return err
	case history.RDSInstance:
		in := &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(m.Name), DBInstanceClass: aws.String(m.Size),
			Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
			MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-secret-1"),
			Tags: rdsTags(tags),
		}
		if m.Cluster != "" {
			in = &rds.CreateDBInstanceInput{
				DBInstanceIdentifier: aws.String(m.Name), DBInstanceClass: aws.String(m.Size),
				Engine: aws.String("aurora-postgresql"), DBClusterIdentifier: aws.String(m.Cluster),
				Tags: rdsTags(tags),
			}
		}
		_, err := rds.NewFromConfig(cfg).CreateDBInstance(ctx, in)
		f.ids[m.Name] = m.Name
		return err
	case history.AuroraCluster:
		_, err := rds.NewFromConfig(cfg).CreateDBCluster(ctx, &rds.CreateDBClusterInput{
			DBClusterIdentifier: aws.String(m.Name), Engine: aws.String("aurora-postgresql"),
			MasterUsername: aws.String("app"), MasterUserPassword: aws.String("not-a-secret-1"),
			Tags: rdsTags(tags),
		})
		f.ids[m.Name] = m.Name
		return err
	case fleet.AutoScalingGroup:
		id, err := createASG(ctx, cfg, m, tags)
		f.ids[m.Name] = id
		return err
	case fleet.ECSService:
		id, err := createECSService(ctx, cfg, m, tags)
		f.ids[m.Name] = id
		return err
	}
	return fmt.Errorf("unknown type %s", m.Type)
}

func rdsTags(tags map[string]string) []rdstypes.Tag {
	var out []rdstypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, rdstypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// observe reads every resource of the fleet from AWS: its state and whether it carries
// curfew's mark.
func (d *Demo) observe(ctx context.Context) (map[string]Observed, error) {
	out := map[string]Observed{}
	for _, m := range d.fleet.members {
		a, _ := d.m.Account(m.Account)
		cfg, err := d.moto.AccountConfig(ctx, a.ID, m.Region)
		if err != nil {
			return nil, err
		}
		o := Observed{Name: m.Name, Account: m.Account, Region: m.Region, Type: m.Type, ID: d.fleet.ids[m.Name]}
		var tags map[string]string
		switch m.Type {
		case history.EC2Instance:
			r, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{o.ID}})
			if err != nil {
				return nil, fmt.Errorf("describe %s: %w", m.Name, err)
			}
			i := r.Reservations[0].Instances[0]
			o.State = string(i.State.Name)
			tags = map[string]string{}
			for _, t := range i.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		case history.RDSInstance:
			r, err := rds.NewFromConfig(cfg).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(o.ID)})
			if err != nil {
				return nil, fmt.Errorf("describe %s: %w", m.Name, err)
			}
			o.State = aws.ToString(r.DBInstances[0].DBInstanceStatus)
			tags = rdsTagMap(r.DBInstances[0].TagList)
		case history.AuroraCluster:
			r, err := rds.NewFromConfig(cfg).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(o.ID)})
			if err != nil {
				return nil, fmt.Errorf("describe %s: %w", m.Name, err)
			}
			o.State = aws.ToString(r.DBClusters[0].Status)
			tags = rdsTagMap(r.DBClusters[0].TagList)
		case fleet.AutoScalingGroup:
			if tags, err = observeGroup(ctx, cfg, &o); err != nil {
				return nil, err
			}
		case fleet.ECSService:
			if tags, err = observeService(ctx, cfg, &o); err != nil {
				return nil, err
			}
		}
		_, at := tags[accounts.StoppedAtTag]
		_, by := tags[accounts.StoppedByRunTag]
		o.Marked = at || by
		out[m.Name] = o
	}
	return out, nil
}

func rdsTagMap(tags []rdstypes.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// inAccount lists the observed resources of one account, by name.
func inAccount(obs map[string]Observed, account string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(obs)) {
		if obs[name].Account == account {
			out = append(out, name)
		}
	}
	return out
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
