package fleet_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/sources"
)

// An account created in the non-production unit is swept at the next run with no edit of
// the map; once moved to the production unit, it is never touched again and the report
// says why. Against moto, with real AssumeRoles into the management account (Organizations)
// and the new account (EC2).
func TestAccountFoundByUnitUntilMovedToProduction(t *testing.T) {
	t.Parallel()
	s := emulator.Shared(t)
	ctx := t.Context()
	mgmt := emulator.NewAccountID()
	org := organizations.NewFromConfig(s.Account(t, mgmt, ""))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	unit := func(name string) string {
		out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.OrganizationalUnit.Id)
	}
	nonProd, prod := unit("non-production"), unit("production")
	move := func(id, from, to string) {
		if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)}); err != nil {
			t.Fatal(err)
		}
	}

	// The map lists a production account only (a map needs one target listed): every
	// account swept is found.
	identity := emulator.NewAccountID()
	m, err := accounts.Parse(fmt.Appendf(nil, `identity: people
home: people
homeRegion: %[1]s
externalId: curfew-test
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: UTC, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: people, id: "%[2]s", environment: production}
  - {name: shop, id: "%[6]s", environment: production, regions: [%[1]s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
organization:
  managementAccount: "%[3]s"
  ous:
    - {id: %[4]s, environment: non-production, regions: [%[1]s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
    - {id: %[5]s, environment: production, regions: [%[1]s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
`, west, identity, mgmt, nonProd, prod, emulator.NewAccountID()))
	if err != nil {
		t.Fatal(err)
	}

	// The new account, created after the map was written: nobody edits the map.
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("feature-x"), Email: aws.String("feature-x@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	newID := aws.ToString(created.CreateAccountStatus.AccountId)
	move(newID, root, nonProd)
	client := ec2.NewFromConfig(s.Account(t, newID, west))
	launched, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro})
	if err != nil {
		t.Fatal(err)
	}
	instance := aws.ToString(launched.Instances[0].InstanceId)
	state := func() (ec2types.InstanceStateName, map[string]string) {
		out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{instance}})
		if err != nil {
			t.Fatal(err)
		}
		i := out.Reservations[0].Instances[0]
		tags := map[string]string{}
		for _, tg := range i.Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return i.State.Name, tags
	}

	base := s.BaseConfig(west)
	metrics := &syncBuffer{}
	h := fleet.Handler{
		Kind: history.Shutdown, Map: m, Connect: fleet.AssumeRoles(base, m.ExternalID), Metrics: metrics,
		Sources: func(runID string) []sources.Source { return sources.ForRun(base, m, runID) },
	}

	rep := runHandler(t, h, `{"trigger":"schedule"}`)
	if len(rep.Results) != 1 || rep.Results[0].Account != newID || rep.Failed() {
		t.Fatalf("first run: %+v", rep)
	}
	if got, tags := state(); got != ec2types.InstanceStateNameStopped || tags[accounts.StoppedByRunTag] != rep.RunID {
		t.Fatalf("after the first run the instance is %s with tags %v, want stopped and marked by %s", got, tags, rep.RunID)
	}

	move(newID, nonProd, prod)
	if _, err := client.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{instance}}); err != nil {
		t.Fatal(err)
	}
	_, before := state()
	rep = runHandler(t, h, `{"trigger":"schedule"}`)
	if len(rep.Results) != 0 {
		t.Errorf("second run visited %+v, want nothing", rep.Results)
	}
	if got, tags := state(); got != ec2types.InstanceStateNameRunning || tags[accounts.StoppedByRunTag] != before[accounts.StoppedByRunTag] {
		t.Errorf("after the move the instance is %s with tags %v, want running and untouched", got, tags)
	}
	i := slices.IndexFunc(rep.Accounts, func(n sources.Note) bool { return n.Account == newID })
	if i < 0 {
		t.Fatalf("the report does not say why %s was left alone: %+v", newID, rep.Accounts)
	}
	if n := rep.Accounts[i]; n.Outcome != sources.Skipped || !strings.Contains(n.From, prod) || !strings.Contains(n.Reason, "production: never swept") {
		t.Errorf("note %+v, want skipped as production, from %s", n, prod)
	}
	if rep.Totals.AccountsSkipped != 1 || rep.Failed() {
		t.Errorf("totals %+v", rep.Totals)
	}
	// The second run's metrics line counts the account left alone.
	if lines := metrics.lines(t); len(lines) != 2 || lines[1]["AccountsSkipped"] != 1.0 || lines[1]["AccountErrors"] != 0.0 {
		t.Errorf("metrics %v, want the second run's AccountsSkipped 1", lines)
	}
}
