package emulator_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// Two accounts reached through AssumeRole each see only their own instances.
func TestAccountsAreIsolated(t *testing.T) {
	s := emulator.Shared(t)
	accountA, accountB := emulator.NewAccountID(), emulator.NewAccountID()
	launched := map[string][]string{}
	for _, account := range []string{accountA, accountB} {
		cfg := s.Account(t, account, "eu-west-1")
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(id.Account); got != account {
			t.Fatalf("caller account = %s, want %s", got, account)
		}
		count := int32(1)
		if account == accountB {
			count = 2
		}
		out, err := ec2.NewFromConfig(cfg).RunInstances(t.Context(), &ec2.RunInstancesInput{
			ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(count), MaxCount: aws.Int32(count),
			InstanceType: types.InstanceTypeT3Micro,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range out.Instances {
			launched[account] = append(launched[account], aws.ToString(i.InstanceId))
		}
	}
	for _, account := range []string{accountA, accountB} {
		cfg := s.Account(t, account, "eu-west-1")
		seen := describeInstanceIDs(t, ec2.NewFromConfig(cfg))
		if !slices.Equal(seen, sorted(launched[account])) {
			t.Errorf("account %s sees %v, want only its own %v", account, seen, launched[account])
		}
	}
	// Another region of the same account is empty.
	if seen := describeInstanceIDs(t, ec2.NewFromConfig(s.Account(t, accountA, "eu-central-1"))); len(seen) != 0 {
		t.Errorf("eu-central-1 of %s sees %v, want none", accountA, seen)
	}
}

// A Server from Connect reaches a moto started by someone else, and its Close leaves that
// moto running; Close on a Server that started nothing does not panic.
func TestConnectLeavesMotoRunning(t *testing.T) {
	s := emulator.Shared(t)
	c := emulator.Connect(s.URL)
	account := emulator.NewAccountID()
	cfg, err := c.AccountConfig(t.Context(), account, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c.Close()
	(&emulator.Server{}).Close()
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("moto after the connected Server's Close: %v", err)
	}
	if got := aws.ToString(id.Account); got != account {
		t.Errorf("caller account = %s, want %s", got, account)
	}
}

func TestNewAccountIDIsTwelveDigits(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := emulator.NewAccountID()
		if len(id) != 12 || id[0] != '9' {
			t.Fatalf("NewAccountID() = %q", id)
		}
		seen[id] = true
	}
	if len(seen) < 100 {
		t.Errorf("%d distinct ids of 100", len(seen))
	}
}

func describeInstanceIDs(t *testing.T, client *ec2.Client) []string {
	t.Helper()
	var ids []string
	p := ec2.NewDescribeInstancesPaginator(client, &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				ids = append(ids, aws.ToString(i.InstanceId))
			}
		}
	}
	return sorted(ids)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// moto stamps dates with curfew's clock: in a run as of another date (make test-as-of)
// it runs under libfaketime with the same offset, so a launch time agrees with clock.Now
// as AWS's would, whatever date the suite runs as.
func TestMotoDatesAgreeWithCurfewsClock(t *testing.T) {
	s := emulator.Shared(t)
	before := clock.Now().Add(-time.Minute)
	out, err := ec2.NewFromConfig(s.Account(t, emulator.NewAccountID(), "eu-west-1")).RunInstances(t.Context(), &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType: types.InstanceTypeT3Micro,
	})
	if err != nil {
		t.Fatal(err)
	}
	after := clock.Now().Add(time.Minute)
	if launched := aws.ToTime(out.Instances[0].LaunchTime); launched.Before(before) || launched.After(after) {
		t.Errorf("moto launched the instance at %s, curfew's clock reads %s (offset %s)", launched, clock.Now(), clock.Offset())
	}
}
