package fleet_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

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
	org := s.NewOrg(t, "")
	mgmt := org.Management
	nonProd, prod := org.Unit(org.Root, "non-production"), org.Unit(org.Root, "production")

	// The map lists a production account only (a map needs one target listed): every
	// account swept is found.
	identity := emulator.NewAccountID()
	m, err := accounts.Parse(emulator.OrgMap{Region: west, ExternalID: "curfew-test",
		People: identity, Shop: emulator.NewAccountID(), Management: mgmt, NonProduction: nonProd, Production: prod}.YAML())
	if err != nil {
		t.Fatal(err)
	}

	// The new account, created after the map was written: nobody edits the map.
	newID := org.Account("feature-x", nonProd)
	client := ec2.NewFromConfig(s.Account(t, newID, west))
	instance := emulator.RunInstance(t, client)
	state := func() (ec2types.InstanceStateName, map[string]string) {
		return emulator.InstanceState(t, client, instance)
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

	org.Move(newID, nonProd, prod)
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
