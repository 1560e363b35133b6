package cost_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
)

// readGroupedWith reads, in grouped mode against moto, the test map changed by edit:
// each account spends its spentPerDay every day, and the management account answers every
// forecast.
func readGroupedWith(t *testing.T, edit func(*accounts.Map)) *cost.Report {
	t.Helper()
	s := emulator.Shared(t)
	m := testMap(t, "identity")
	edit(m)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	p := cost.PeriodsAt(reportTime)
	ids := idsOf(m)
	daily := dailyByAccount(p, ids)
	services := groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
		return []map[string]any{group(52, "USD", ids["staging"], "Amazon Elastic Compute Cloud - Compute")}
	})
	s.QueueCosts(t, ids["identity"], daily, services)
	client, _ := clients(s.Account(t, emulator.NewAccountID(), "eu-west-1"), m, map[string]any{
		ids["identity"]: 10.0, ids["staging"]: 20.0, ids["sandbox"]: 30.0, ids["production"]: 40.0,
	})
	return cost.Reader{Map: m, Client: client}.Read(t.Context(), reportTime)
}

// Two owners over overlapping accounts each get their own slice of one read: the same
// Cost Explorer requests as without owners, figures that add up to the whole (the
// account they share counted once), budgets only where all their accounts are the
// owner's, and savings estimated from the owner's runs alone.
func TestOwnersSliceOneRead(t *testing.T) {
	a := accounts.Owner{Email: "team-a@example.com"}
	b := accounts.Owner{Slack: "/curfew/owners/team-b"}
	budget := 100.0
	without := readGroupedWith(t, func(*accounts.Map) {})
	whole := readGroupedWith(t, func(m *accounts.Map) {
		m.Accounts[1].Owners = &accounts.Owners{Emails: []string{a.Email}}                           // staging
		m.Accounts[2].Owners = &accounts.Owners{Emails: []string{a.Email}, Slack: []string{b.Slack}} // sandbox
		m.Accounts[3].Owners = &accounts.Owners{Slack: []string{b.Slack}}                            // production
		m.Accounts[2].Budget = &budget
		m.Schedule.Holidays = []accounts.Holiday{{Calendar: "ES"}}
	})
	// The next holiday is said of the swept accounts alone, and each slice keeps its own.
	holidayOf := func(r *cost.Report) []string {
		var out []string
		for _, n := range r.Holidays {
			out = append(out, n.Accounts...)
		}
		return out
	}
	if got := holidayOf(whole); !slices.Equal(got, []string{"staging", "sandbox"}) || len(whole.Holidays) != 1 {
		t.Errorf("the report's next holiday names %v in %d notice(s), want staging and sandbox in one", got, len(whole.Holidays))
	}
	if got := holidayOf(whole.For(b)); !slices.Equal(got, []string{"sandbox"}) {
		t.Errorf("the slice of %v names %v in its next holiday, want sandbox alone", b, got)
	}
	if whole.Requests != without.Requests || whole.Requests != 4 {
		t.Errorf("requests with owners %d, without %d: want 4 both (slices are cut from one read)", whole.Requests, without.Requests)
	}
	if got := whole.Owners(); !slices.Equal(got, []accounts.Owner{a, b}) {
		t.Fatalf("owners = %v, want %v and %v", got, a, b)
	}
	sa, sb := whole.For(a), whole.For(b)
	names := func(r *cost.Report) []string {
		var out []string
		for _, x := range r.Accounts {
			out = append(out, x.Name)
		}
		return out
	}
	if !slices.Equal(names(sa), []string{"staging", "sandbox"}) || !slices.Equal(names(sb), []string{"sandbox", "production"}) {
		t.Fatalf("slices %v and %v, want staging+sandbox and sandbox+production", names(sa), names(sb))
	}
	if sa.Requests != whole.Requests || sa.Whole != 4 || *sa.Owner != a {
		t.Errorf("slice of %v: requests %d, whole %d; want the report's %d and 4", a, sa.Requests, sa.Whole, whole.Requests)
	}
	// What the slices share is sandbox; the identity account belongs to nobody.
	tw, ta, tb := whole.Totals()[0], sa.Totals()[0], sb.Totals()[0]
	sandbox := find(t, whole, "sandbox")
	identity := find(t, whole, "identity")
	for _, f := range []struct {
		what            string
		whole, a, b, sh float64
		nobody          float64
	}{
		{"yesterday", tw.Yesterday, ta.Yesterday, tb.Yesterday, sandbox.Yesterday.Amount, identity.Yesterday.Amount},
		{"month to date", tw.MonthToDate, ta.MonthToDate, tb.MonthToDate, sandbox.MonthToDate.Amount, identity.MonthToDate.Amount},
		{"same days last month", tw.LastMonth, ta.LastMonth, tb.LastMonth, sandbox.LastMonth.Amount, identity.LastMonth.Amount},
		{"week", tw.Week, ta.Week, tb.Week, sandbox.Week.Amount, identity.Week.Amount},
	} {
		if !near(f.a+f.b-f.sh+f.nobody, f.whole) || f.a == 0 {
			t.Errorf("%s: %v + %v − shared %v + unowned %v ≠ whole %v", f.what, f.a, f.b, f.sh, f.nobody, f.whole)
		}
	}
	// The environments' forecasts cover accounts beyond a slice: each account's run-rate
	// stands in it, and the slice's forecast is their sum.
	if len(sa.Forecasts) != 0 || !ta.RunRated() || !near(ta.Forecast, 30*2+30*3) {
		t.Errorf("slice forecast %v (%d environment forecasts), want the run-rates 150", ta.Forecast, len(sa.Forecasts))
	}
	// sandbox's budget is in both slices (sandbox is theirs), checked against its run-rate.
	for _, r := range []*cost.Report{whole, sa, sb} {
		c := r.CheckBudgets()
		if len(c) != 1 || c[0].Name != "sandbox" || !near(c[0].Expected, 90) || c[0].Over >= 0 || !c[0].RunRated {
			t.Errorf("budgets = %+v, want sandbox's 90 (run-rate) within 100", c)
		}
	}

	runs := []history.Run{{Changes: []history.Change{{Account: "staging", ID: "i-1"}, {Account: "production", ID: "i-2"}},
		Visits: []history.Visit{{Pair: history.Pair{Account: "staging"}}, {Pair: history.Pair{Account: "production"}}}}}
	got := cost.RunsOf(runs, sa.Names())
	if len(got) != 1 || len(got[0].Changes) != 1 || got[0].Changes[0].ID != "i-1" || len(got[0].Visits) != 1 || len(runs[0].Changes) != 2 {
		t.Errorf("RunsOf = %+v, want staging's change and visit only (the runs unchanged)", got)
	}
}

// A unit's budget covers its accounts together; it is checked once the month is over
// against the month's total, and left unchecked, with the reason, when an account failed.
func TestBudgetsOfAccountsAndUnits(t *testing.T) {
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC) // November is over
	usd := func(v float64) cost.Money { return cost.Money{Amount: v, Currency: "USD"} }
	r := &cost.Report{Periods: cost.PeriodsAt(now), Accounts: []cost.Account{
		{Name: "a", ID: "1", MonthToDate: usd(120), OU: "ou-1"},
		{Name: "b", ID: "2", MonthToDate: usd(50), OU: "ou-1"},
		{Name: "c", ID: "3", Err: errors.New("AccessDenied")},
	}, Budgets: []cost.Budget{
		{Name: "unit ou-1", IDs: []string{"1", "2"}, Amount: 150},
		{Name: "b", IDs: []string{"2"}, Amount: 60},
		{Name: "c", IDs: []string{"3"}, Amount: 10},
		{Name: "unit ou-2", Amount: 10},
	}}
	c := r.CheckBudgets()
	if !c[0].Closed || !near(c[0].Expected, 170) || !near(c[0].Over, 20) || c[0].Unchecked != "" {
		t.Errorf("unit: %+v, want the month's 170, over by 20", c[0])
	}
	if !near(c[1].Over, -10) {
		t.Errorf("b: %+v, want within by 10", c[1])
	}
	if c[2].Unchecked != "costs not read for c" || c[3].Unchecked != "no account found in the unit" {
		t.Errorf("unchecked: %q and %q", c[2].Unchecked, c[3].Unchecked)
	}
}
