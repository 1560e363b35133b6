package fleet

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
)

var now = time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)

// checkVerdict fails when the skip and note a kind's verdict (fn) gave do not start with
// the wanted ones, or are not empty where the wanted one is.
func checkVerdict(t *testing.T, fn, skip, note, wantSkip, wantNote string) {
	t.Helper()
	if !strings.HasPrefix(skip, wantSkip) || wantSkip == "" && skip != "" || !strings.HasPrefix(note, wantNote) || wantNote == "" && note != "" {
		t.Errorf("%s = %q, %q; want %q, %q", fn, skip, note, wantSkip, wantNote)
	}
}

func ec2Instance(tags map[string]string, edit func(*ec2types.Instance)) ec2types.Instance {
	in := ec2types.Instance{InstanceId: aws.String("i-1"), RootDeviceType: ec2types.DeviceTypeEbs}
	for k, v := range tags {
		in.Tags = append(in.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if edit != nil {
		edit(&in)
	}
	return in
}

func TestEC2Verdict(t *testing.T) {
	spot := func(in *ec2types.Instance) { in.InstanceLifecycle = ec2types.InstanceLifecycleTypeSpot }
	tests := []struct {
		name       string
		in         ec2types.Instance
		skip, note string
	}{
		{"plain", ec2Instance(nil, nil), "", ""},
		{"skip tag", ec2Instance(map[string]string{accounts.SkipTag: "TRUE"}, spot), "tagged curfew:skip=true", ""},
		{"skip tag false", ec2Instance(map[string]string{accounts.SkipTag: "false"}, nil), "", ""},
		{"spot", ec2Instance(nil, spot), "spot instance", ""},
		{"instance store", ec2Instance(nil, func(in *ec2types.Instance) { in.RootDeviceType = ec2types.DeviceTypeInstanceStore }), "instance-store root device", ""},
		{"snoozed", ec2Instance(map[string]string{accounts.SnoozeUntilTag: "2026-11-28T09:00:00+01:00"}, nil), "snoozed until 2026-11-28T09:00:00+01:00", ""},
		{"snooze expired", ec2Instance(map[string]string{accounts.SnoozeUntilTag: "2026-11-27T18:59:59Z"}, nil), "", "snooze expired at 2026-11-27T18:59:59Z, ignored"},
		{"snooze unreadable", ec2Instance(map[string]string{accounts.SnoozeUntilTag: "2026-11-28"}, nil), "", `unreadable curfew:snooze-until="2026-11-28" ignored`},
		{"marked and running", ec2Instance(map[string]string{accounts.StoppedByRunTag: "r1", accounts.StoppedAtTag: "t"}, nil), "", "marked by run r1 at t, running again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			skip, note := ec2Verdict(tc.in, now)
			checkVerdict(t, "ec2Verdict", skip, note, tc.skip, tc.note)
		})
	}
}

func TestDBInstanceSkip(t *testing.T) {
	tests := []struct {
		name string
		db   rdstypes.DBInstance
		tags map[string]string
		want string
	}{
		{"plain", rdstypes.DBInstance{Engine: aws.String("postgres")}, nil, ""},
		{"skip tag", rdstypes.DBInstance{}, map[string]string{accounts.SkipTag: "true"}, "tagged curfew:skip=true"},
		{"aurora member", rdstypes.DBInstance{DBClusterIdentifier: aws.String("c1")}, nil, "member of cluster c1: curfew stops and starts the cluster as a whole"},
		{"read replica", rdstypes.DBInstance{ReadReplicaSourceDBInstanceIdentifier: aws.String("p")}, nil, "read replica: RDS cannot stop read replicas"},
		{"has replicas", rdstypes.DBInstance{ReadReplicaDBInstanceIdentifiers: []string{"r1", "r2"}}, nil, "has read replicas (r1, r2): RDS cannot stop it"},
		{"multi-AZ SQL Server", rdstypes.DBInstance{Engine: aws.String("sqlserver-se"), MultiAZ: aws.Bool(true)}, nil, "Multi-AZ SQL Server: RDS cannot stop it"},
		{"single-AZ SQL Server", rdstypes.DBInstance{Engine: aws.String("sqlserver-se"), MultiAZ: aws.Bool(false)}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dbInstanceSkip(tc.db, tc.tags); got != tc.want {
				t.Errorf("dbInstanceSkip = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClusterSkip(t *testing.T) {
	aurora := func(mode string) rdstypes.DBCluster {
		return rdstypes.DBCluster{Engine: aws.String("aurora-mysql"), EngineMode: aws.String(mode)}
	}
	tests := []struct {
		name string
		c    rdstypes.DBCluster
		want string
	}{
		{"provisioned", aurora("provisioned"), ""},
		{"serverless v2 (provisioned mode)", aurora("provisioned"), ""},
		{"serverless v1", aurora("serverless"), "engine mode serverless: Aurora cannot stop it"},
		{"multimaster", aurora("multimaster"), "engine mode multimaster: Aurora cannot stop it"},
		{"global", aurora("global"), "engine mode global: Aurora cannot stop it"},
		{"not Aurora", rdstypes.DBCluster{Engine: aws.String("neptune")}, "engine neptune: curfew stops Aurora clusters only"},
		{"replica cluster", rdstypes.DBCluster{Engine: aws.String("aurora-postgresql"), ReplicationSourceIdentifier: aws.String("arn")}, "read replica of another cluster: Aurora cannot stop it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clusterSkip(tc.c, nil); got != tc.want {
				t.Errorf("clusterSkip = %q, want %q", got, tc.want)
			}
		})
	}
}

// A mark curfew could not remove after a refused stop is named whole, with the kind's own
// tags (a group's and a service's record their capacity too), so that a person removes
// all of it.
func TestStopErrorNamesEveryTagOfTheMark(t *testing.T) {
	refused, unmark := errors.New("refused"), errors.New("throttled")
	for _, keys := range [][]string{markKeys, groupMarkKeys, serviceMarkKeys, nodegroupMarkKeys} {
		msg := stopError(refused, false, unmark, keys)
		for _, k := range keys {
			if !strings.Contains(msg, k) {
				t.Errorf("%q does not name %s", msg, k)
			}
		}
	}
}
