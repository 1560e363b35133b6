package sources_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/accounts/accountstest"
	"github.com/curfew/curfew/internal/sources"
)

// fakeOrg answers ListAccountsForParent from units of accounts, one account per page so
// that every answer is paginated; fail, when set, is the error of the call after `after`
// successful ones (an injected fault).
type fakeOrg struct {
	units map[string][]types.Account
	// children are the units under each unit.
	children map[string][]types.OrganizationalUnit
	calls    int
	after    int
	fail     error
}

func (f *fakeOrg) ListOrganizationalUnitsForParent(_ context.Context, in *organizations.ListOrganizationalUnitsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	return &organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: f.children[aws.ToString(in.ParentId)]}, nil
}

func (f *fakeOrg) ListAccountsForParent(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	f.calls++
	if f.fail != nil && f.calls > f.after {
		return nil, f.fail
	}
	unit, ok := f.units[aws.ToString(in.ParentId)]
	if !ok {
		return nil, &types.ParentNotFoundException{Message: aws.String("not found")}
	}
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	out := &organizations.ListAccountsForParentOutput{}
	if i < len(unit) {
		out.Accounts = unit[i : i+1]
	}
	if i+1 < len(unit) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func active(id string) types.Account {
	return types.Account{Id: aws.String(id), Name: aws.String("a" + id), Status: types.AccountStatusActive}
}

const (
	nonProdOU = "ou-ab12-nonprod1"
	prodOU    = "ou-ab12-producti"
	otherOU   = "ou-ab12-nonprod2"
	identity  = "000000000001"
	sandbox   = "000000000002"
	mgmt      = "000000000009"
	listedPrd = "000000000003"
)

// fakeMap lists identity, sandbox (non-production) and a production account, and has a
// non-production, a production and a second non-production unit; mgmt runs it.
func fakeMap(t *testing.T) *accounts.Map {
	t.Helper()
	m, err := accounts.Parse([]byte(accountstest.Head(identity) + `  - {name: sandbox, id: "` + sandbox + `", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
  - {name: shop, id: "` + listedPrd + `", environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
organization:
  managementAccount: "` + mgmt + `"
  ous:
    - {id: ` + nonProdOU + `, environment: non-production, regions: [eu-west-1, eu-central-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
    - {id: ` + prodOU + `, environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
    - {id: ` + otherOU + `, environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The safety rules of a run, each on a fake organisation (pure logic): what is swept, and
// the note of every account found but not swept.
func TestResolveSafetyRules(t *testing.T) {
	tests := []struct {
		name    string
		units   map[string][]types.Account
		after   int
		fail    error
		swept   []string
		account string // the account the note is about; "" for a note of a unit or source
		from    string
		outcome string
		reason  string
	}{
		{name: "paginated units merged with the listed accounts",
			units: map[string][]types.Account{nonProdOU: {active("100000000001"), active("100000000002"), active("100000000003")}, prodOU: {}, otherOU: {active("100000000004")}},
			swept: []string{sandbox, "100000000001", "100000000002", "100000000003", "100000000004"}},
		{name: "production unit never swept",
			units: map[string][]types.Account{nonProdOU: {}, prodOU: {active("100000000001")}, otherOU: {}},
			swept: []string{sandbox}, account: "100000000001", from: "organization.ous[1] (" + prodOU + ")", outcome: sources.Skipped, reason: "production: never swept"},
		{name: "suspended account skipped with a reason",
			units: map[string][]types.Account{nonProdOU: {{Id: aws.String("100000000001"), Name: aws.String("old"), Status: types.AccountStatusSuspended}}, prodOU: {}, otherOU: {}},
			swept: []string{sandbox}, account: "100000000001", outcome: sources.Skipped, reason: `"old" is SUSPENDED: skipped`},
		{name: "state wins over the deprecated status",
			units: map[string][]types.Account{nonProdOU: {{Id: aws.String("100000000001"), Name: aws.String("closing"), Status: types.AccountStatusActive, State: types.AccountStatePendingClosure}}, prodOU: {}, otherOU: {}},
			swept: []string{sandbox}, account: "100000000001", outcome: sources.Skipped, reason: "PENDING_CLOSURE"},
		{name: "found in units of different environments: production, an error",
			units: map[string][]types.Account{nonProdOU: {active("100000000001")}, prodOU: {active("100000000001")}, otherOU: {}},
			swept: []string{sandbox}, account: "100000000001", outcome: sources.Error, reason: "treated as production and not swept"},
		{name: "listed non-production, found in the production unit: production, an error",
			units: map[string][]types.Account{nonProdOU: {}, prodOU: {active(sandbox)}, otherOU: {}},
			swept: nil, account: sandbox, from: "accounts[1], organization.ous[1] (" + prodOU + ")", outcome: sources.Error, reason: "accounts[1] says non-production and organization.ous[1] (" + prodOU + ") says production: treated as production"},
		{name: "listed production, found in a non-production unit: production, an error",
			units: map[string][]types.Account{nonProdOU: {active(listedPrd)}, prodOU: {}, otherOU: {}},
			swept: []string{sandbox}, account: listedPrd, outcome: sources.Error, reason: "treated as production"},
		{name: "listed and found alike: swept as listed, an error",
			units: map[string][]types.Account{nonProdOU: {active(sandbox)}, prodOU: {}, otherOU: {}},
			swept: []string{sandbox}, account: sandbox, outcome: sources.Error, reason: "list it once"},
		{name: "identity account in a non-production unit",
			units: map[string][]types.Account{nonProdOU: {}, prodOU: {}, otherOU: {active(identity)}},
			swept: []string{sandbox}, account: identity, outcome: sources.Error, reason: "the identity account"},
		{name: "management account in a non-production unit",
			units: map[string][]types.Account{nonProdOU: {active(mgmt)}, prodOU: {}, otherOU: {}},
			swept: []string{sandbox}, account: mgmt, outcome: sources.Error, reason: "runs the organisation"},
		{name: "a unit that does not exist: reported, nothing swept there",
			units: map[string][]types.Account{nonProdOU: {active("100000000001")}, prodOU: {}},
			swept: []string{sandbox, "100000000001"}, from: "organization.ous[2].id", outcome: sources.Error, reason: "has no unit " + otherOU},
		{name: "Organizations fails: only listed accounts swept",
			units: map[string][]types.Account{nonProdOU: {active("100000000001")}, prodOU: {}, otherOU: {}},
			fail:  errors.New("connection reset"),
			swept: []string{sandbox}, from: "organization", outcome: sources.Error, reason: "connection reset: none of the accounts it finds is swept this run"},
		{name: "Organizations fails in the middle of a paginated answer: only listed accounts swept",
			units: map[string][]types.Account{nonProdOU: {active("100000000001"), active("100000000002")}, prodOU: {}, otherOU: {}},
			after: 1, fail: &types.TooManyRequestsException{Message: aws.String("slow down")},
			swept: []string{sandbox}, from: "organization", outcome: sources.Error, reason: "TooManyRequestsException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fakeMap(t)
			org := &fakeOrg{units: tt.units, after: tt.after, fail: tt.fail}
			r := sources.Resolve(t.Context(), m, sources.Listed{Map: m}, sources.Organization{Map: m, Client: org})
			if got := ids(r.Swept); !slices.Equal(got, tt.swept) {
				t.Errorf("swept %v, want %v", got, tt.swept)
			}
			if tt.outcome == "" {
				if len(r.Notes) > 0 {
					t.Errorf("notes %+v, want none", r.Notes)
				}
				return
			}
			i := slices.IndexFunc(r.Notes, func(n sources.Note) bool {
				return n.Account == tt.account && n.Outcome == tt.outcome && strings.Contains(n.Reason, tt.reason) && (tt.from == "" || n.From == tt.from)
			})
			if i < 0 {
				t.Errorf("no %s note about %q from %q with %q in %+v", tt.outcome, tt.account, tt.from, tt.reason, r.Notes)
			}
			if r.Failed() != (tt.outcome == sources.Error) {
				t.Errorf("Failed() = %v with notes %+v", r.Failed(), r.Notes)
			}
		})
	}
}

// Issue 25, item 3: a unit under a mapped unit that the map does not list is named, with
// what to do, since its accounts are never swept; a child unit the map lists is not. The
// unit of every found account is kept for the schedules of units; a listed account has
// none.
func TestChildUnitsAndFoundAccountsUnits(t *testing.T) {
	m := fakeMap(t)
	org := &fakeOrg{
		units: map[string][]types.Account{nonProdOU: {active("100000000001"), active(sandbox)}, prodOU: {}, otherOU: {active("100000000004")}},
		children: map[string][]types.OrganizationalUnit{
			nonProdOU: {{Id: aws.String("ou-ab12-experim1"), Name: aws.String("experiments")}, {Id: aws.String(otherOU), Name: aws.String("mapped")}},
		},
	}
	r := sources.Resolve(t.Context(), m, sources.Listed{Map: m}, sources.Organization{Map: m, Client: org})
	var child []sources.Note
	for _, n := range r.Notes {
		if strings.Contains(n.Reason, "child unit") {
			child = append(child, n)
		}
	}
	want := "child unit ou-ab12-experim1 (experiments) is not in the map: its accounts are not swept; list it in organization.ous with its environment to sweep them"
	if len(child) != 1 || child[0].Reason != want || child[0].Outcome != sources.Skipped || child[0].From != "organization.ous[0] ("+nonProdOU+")" {
		t.Errorf("child unit notes %+v, want one: %s", child, want)
	}
	wantUnits := map[string]string{"100000000001": nonProdOU, "100000000004": otherOU}
	if len(r.Units) != len(wantUnits) {
		t.Errorf("units %v, want %v", r.Units, wantUnits)
	}
	for id, u := range wantUnits {
		if r.Units[id] != u {
			t.Errorf("units %v, want %v", r.Units, wantUnits)
		}
	}
	if got := ids(r.InUnits([]string{otherOU})); !slices.Equal(got, []string{"100000000004"}) {
		t.Errorf("InUnits(%s) = %v", otherOU, got)
	}
}

// Without an organization, the sources are the map's list and give exactly Map.Swept.
func TestListedOnlyIsTheMapsSwept(t *testing.T) {
	m := fakeMap(t)
	m.Organization = nil
	srcs := sources.ForRun(aws.Config{}, m, "run")
	if len(srcs) != 1 {
		t.Fatalf("%d sources, want the list only", len(srcs))
	}
	r := sources.Resolve(t.Context(), m, srcs...)
	if got, want := ids(r.Swept), ids(m.Swept()); !slices.Equal(got, want) || len(r.Notes) > 0 {
		t.Errorf("swept %v notes %v, want %v and none", got, r.Notes, want)
	}
}
