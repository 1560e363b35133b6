package cost_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/sources"
)

// organisation is an organisation in moto with a non-production unit holding one new
// account and a production unit holding another, and a map that lists identity and
// staging, describes both units, and names identity as the management account when
// grouped. The organisation is read in its management account, as CurfewOrganizationReader
// does.
type organisation struct {
	m                 *accounts.Map
	client            *organizations.Client
	nonProd, prodUnit string
	found, foundProd  string // the accounts found in each unit
}

func newOrganisation(t *testing.T, grouped bool) *organisation {
	t.Helper()
	org := emulator.Shared(t).NewOrg(t, "")
	mgmt := org.Management
	o := &organisation{client: org.Client()}
	o.nonProd, o.prodUnit = org.Unit(org.Root, "non-production"), org.Unit(org.Root, "production")
	o.found, o.foundProd = org.Account("new-team", o.nonProd), org.Account("shop-eu", o.prodUnit)
	management := ""
	if grouped {
		management = "identity"
	}
	m, err := accounts.Parse(fmt.Appendf([]byte(mapHead(management, "MON-FRI")), `organization:
  managementAccount: %q
  ous:
    - {id: %s, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
    - {id: %s, environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
`, mgmt, o.nonProd, o.prodUnit))
	if err != nil {
		t.Fatal(err)
	}
	o.m = m
	return o
}

func (o *organisation) sources() []sources.Source {
	return []sources.Source{sources.Listed{Map: o.m}, sources.Organization{Map: o.m, Client: o.client}}
}

// The accounts found in the map's units are in the report, with the environment and the
// unit they were found in; spend of accounts the map does not know is one row of its own.
func TestGroupedReportCoversFoundAccounts(t *testing.T) {
	s := emulator.Shared(t)
	o := newOrganisation(t, true)
	p := cost.PeriodsAt(reportTime)
	identity, staging := account(t, o.m, "identity"), account(t, o.m, "staging")
	perDay := map[string]float64{identity.ID: 1, staging.ID: 2, o.found: 3, o.foundProd: 4, "999999999991": 5, "999999999992": 6}
	s.QueueCosts(t, identity.ID,
		groupedResult(p.Daily(), nextDay, func(time.Time) []map[string]any {
			var g []map[string]any
			for id, v := range perDay {
				g = append(g, group(v, "USD", id))
			}
			return g
		}),
		groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
			return []map[string]any{group(78, "USD", o.found, "Amazon Elastic Compute Cloud - Compute")}
		}))
	base := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	client, _ := clients(base, o.m, map[string]any{identity.ID: 1.0, staging.ID: 2.0, o.found: 3.0, o.foundProd: 4.0})

	r := cost.Reader{Map: o.m, Client: client, Sources: o.sources()}.Read(t.Context(), reportTime)

	if r.Mode != cost.Grouped || len(r.Notes) != 0 {
		t.Fatalf("mode %s, notes %q; want grouped, none", r.Mode, r.Notes)
	}
	want := []struct {
		name, env, ou string
		perDay        float64
	}{{"identity", "production", "", 1}, {"staging", "non-production", "", 2}, {o.found, "non-production", o.nonProd, 3}, {o.foundProd, "production", o.prodUnit, 4}}
	if len(r.Accounts) != len(want) {
		t.Fatalf("accounts = %d, want %d: the listed ones, then those found", len(r.Accounts), len(want))
	}
	for i, w := range want {
		a := r.Accounts[i]
		if a.Name != w.name || a.Environment() != w.env || a.OU != w.ou || a.Err != nil {
			t.Errorf("accounts[%d] = %s %s in %q (%v), want %s %s in %q", i, a.Name, a.Environment(), a.OU, a.Err, w.name, w.env, w.ou)
		}
		checkMoney(t, a.Name+" month to date", a.MonthToDate, 26*w.perDay)
	}
	if got := serviceNames(find(t, r, o.found).TopServices); len(got) != 1 {
		t.Errorf("the found account's top services = %q, want EC2", got)
	}
	if r.Other == nil || r.OtherAccounts != 2 || !near(r.Other.MonthToDate.Amount, 26*11) {
		t.Errorf("other accounts = %+v (%d), want the two accounts nobody described, 286 this month", r.Other, r.OtherAccounts)
	}
	if tt := r.Totals(); len(tt) != 1 || !near(tt[0].MonthToDate, 26*10) {
		t.Errorf("totals = %+v, want the four accounts of the map, 260", tt)
	}
	if r.Requests != 4 {
		t.Errorf("requests = %d, want 4: two grouped queries, a forecast per environment", r.Requests)
	}
}

// Without a management account a found account is read through its own CurfewCostReader;
// a unit that does not exist is said in the report, and the others still report.
func TestPerAccountReportCoversFoundAccounts(t *testing.T) {
	s := emulator.Shared(t)
	o := newOrganisation(t, false)
	o.m.Organization.OUs = append(o.m.Organization.OUs, accounts.OU{ID: "ou-zz99-missing1", Environment: accounts.NonProduction})
	p := cost.PeriodsAt(reportTime)
	for id, v := range map[string]float64{account(t, o.m, "identity").ID: 1, account(t, o.m, "staging").ID: 2, o.found: 3, o.foundProd: 4} {
		s.QueueCosts(t, id, dailyResult(p.Daily(), "USD", func(time.Time) float64 { return v }),
			groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any { return nil }))
	}
	faults := &faultyAssumeRole{}
	base := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	base.APIOptions = append(base.APIOptions, faults.option)
	client, _ := clients(base, o.m, map[string]any{account(t, o.m, "identity").ID: 1.0, account(t, o.m, "staging").ID: 2.0, o.found: 3.0, o.foundProd: 4.0})

	r := cost.Reader{Map: o.m, Client: client, Sources: o.sources()}.Read(t.Context(), reportTime)

	if r.Mode != cost.PerAccount || len(r.Accounts) != 4 || len(r.Failed()) != 0 {
		t.Fatalf("mode %s, %d accounts, %d failed; want per-account, 4, none", r.Mode, len(r.Accounts), len(r.Failed()))
	}
	if a := find(t, r, o.found); a.OU != o.nonProd || a.Production || !near(a.MonthToDate.Amount, 26*3) {
		t.Errorf("found account = %+v, want non-production in %s, 78 this month", a, o.nonProd)
	}
	roles := map[string]bool{}
	for _, in := range faults.seen {
		roles[aws.ToString(in.RoleArn)] = true
	}
	if !roles[accounts.Account{ID: o.found}.RoleARN(accounts.CostReaderRole)] || !roles[accounts.Account{ID: o.foundProd}.RoleARN(accounts.CostReaderRole)] {
		t.Errorf("assumed %v; want CurfewCostReader in both found accounts", roles)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "organization.ous[2].id") || !strings.Contains(r.Notes[0], "ou-zz99-missing1") {
		t.Errorf("notes = %q, want the unit that does not exist", r.Notes)
	}
}
