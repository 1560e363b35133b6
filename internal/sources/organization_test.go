package sources_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/accounts/accountstest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/sources"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// testOrg is an organisation in moto: its management account, a non-production and a
// production unit.
type testOrg struct {
	*emulator.Org
	nonProd, prodOU string
}

// newTestOrg creates an organisation whose management account is a new account of its own.
func newTestOrg(t *testing.T) *testOrg {
	t.Helper()
	o := &testOrg{Org: emulator.Shared(t).NewOrg(t, "")}
	o.nonProd = o.Unit(o.Root, "non-production")
	o.prodOU = o.Unit(o.Root, "production")
	return o
}

// mapFor is a valid map of the organisation: identity and sandbox listed (sandbox
// non-production), the units of o, and extra units as given.
func mapFor(t *testing.T, o *testOrg, sandbox string, extraOUs ...string) *accounts.Map {
	t.Helper()
	ous := fmt.Sprintf(`
    - {id: %s, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
    - {id: %s, environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}`, o.nonProd, o.prodOU)
	for _, u := range extraOUs {
		ous += fmt.Sprintf("\n    - {id: %s, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}", u)
	}
	m, err := accounts.Parse([]byte(accountstest.Head(emulator.NewAccountID()) + fmt.Sprintf(`  - {name: sandbox, id: "%s", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
organization:
  managementAccount: "%s"
  ous:%s
`, sandbox, o.Management, ous)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ids(as []accounts.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// noteFor returns the note about account id, or fails.
func noteFor(t *testing.T, r sources.Resolved, id string) sources.Note {
	t.Helper()
	i := slices.IndexFunc(r.Notes, func(n sources.Note) bool { return n.Account == id })
	if i < 0 {
		t.Fatalf("no note about %s in %+v", id, r.Notes)
	}
	return r.Notes[i]
}

// Against moto, through a real AssumeRole into the management account: the accounts of the
// non-production unit are swept with the listed ones; those of the production unit are
// not, each with its reason; a unit id the organisation does not have is an error and
// contributes nothing; an account moved into the production unit is not swept from the
// next resolution on.
func TestOrganizationInMoto(t *testing.T) {
	t.Parallel()
	o := newTestOrg(t)
	dev := o.Account("dev", o.nonProd)
	prod := o.Account("prod", o.prodOU)
	sandbox := emulator.NewAccountID()
	missing := "ou-" + strings.Split(o.Root, "-")[1] + "-zzzzzzzz"
	m := mapFor(t, o, sandbox, missing)
	base := emulator.Shared(t).BaseConfig("")

	r := sources.Resolve(t.Context(), m, sources.ForRun(base, m, "run-1")...)
	if got, want := ids(r.Swept), []string{sandbox, dev}; !slices.Equal(got, want) {
		t.Errorf("swept %v, want %v (sandbox listed, dev found)", got, want)
	}
	if n := noteFor(t, r, prod); n.Outcome != sources.Skipped || !strings.Contains(n.Reason, "production: never swept") || !strings.Contains(n.From, o.prodOU) {
		t.Errorf("note about the production account: %+v", n)
	}
	i := slices.IndexFunc(r.Notes, func(n sources.Note) bool { return n.From == "organization.ous[2].id" })
	if i < 0 || r.Notes[i].Outcome != sources.Error || !strings.Contains(r.Notes[i].Reason, "has no unit "+missing) {
		t.Errorf("no error about the missing unit in %+v", r.Notes)
	}
	if found := r.Swept[1]; found.Name != dev || !slices.Equal(found.Regions, []string{"eu-west-1"}) || found.Environment != accounts.NonProduction {
		t.Errorf("found account %+v, want the unit's description", found)
	}

	o.Move(dev, o.nonProd, o.prodOU)
	r = sources.Resolve(t.Context(), m, sources.ForRun(base, m, "run-2")...)
	if got, want := ids(r.Swept), []string{sandbox}; !slices.Equal(got, want) {
		t.Errorf("after the move, swept %v, want %v", got, want)
	}
	if n := noteFor(t, r, dev); n.Outcome != sources.Skipped || !strings.Contains(n.Reason, "production") || !strings.Contains(n.From, o.prodOU) {
		t.Errorf("after the move, note about dev: %+v", n)
	}
}
