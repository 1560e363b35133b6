package cost_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/history"
)

// moto has neither GetSavingsPlansCoverage nor GetReservationCoverage: the proxy answers
// them in the shape of the Cost Explorer API reference (GetSavingsPlansCoverage's
// SavingsPlansCoverages[].Coverage and NextToken; GetReservationCoverage's
// CoveragesByTime[].Total.CoverageHours), in front of moto, which still answers
// AssumeRole and GetCostAndUsage through the real SDK clients.

// savingsPlansCoverage is a GetSavingsPlansCoverage answer of one month covering
// covered of total, with next as its NextToken.
func savingsPlansCoverage(covered, total float64, next string) string {
	token := "null"
	if next != "" {
		token = fmt.Sprintf("%q", next)
	}
	return fmt.Sprintf(`{"SavingsPlansCoverages":[{"Attributes":{},"Coverage":{"CoveragePercentage":"%g",`+
		`"OnDemandCost":"%g","SpendCoveredBySavingsPlans":"%g","TotalCost":"%g"},`+
		`"TimePeriod":{"Start":"2026-10-28","End":"2026-11-01"}}],"NextToken":%s}`,
		covered/total*100, total-covered, covered, total, token)
}

// reservationCoverage is a GetReservationCoverage answer of two months, each running
// hours[i][1] hours of which hours[i][0] reserved.
func reservationCoverage(hours ...[2]float64) string {
	var months []string
	for i, h := range hours {
		months = append(months, fmt.Sprintf(`{"Groups":[],"TimePeriod":{"Start":"2026-1%d-01","End":"2026-1%d-01"},`+
			`"Total":{"CoverageHours":{"CoverageHoursPercentage":"%g","OnDemandHours":"%g","ReservedHours":"%g","TotalRunningHours":"%g"}}}`,
			i, i+1, h[0]/h[1]*100, h[1]-h[0], h[0], h[1]))
	}
	return `{"CoveragesByTime":[` + strings.Join(months, ",") + `]}`
}

// ofService matches a GetReservationCoverage request filtered to one Cost Explorer service.
func ofService(service string) func(faultproxy.Call) bool {
	return func(c faultproxy.Call) bool {
		return strings.Contains(string(c.Body), `"Key":"SERVICE","Values":["`+service+`"]`)
	}
}

// The services whose reservations curfew reads, as Cost Explorer names them.
const (
	ec2Service = "Amazon Elastic Compute Cloud - Compute"
	rdsService = "Amazon Relational Database Service"
)

// filtersTo reports whether a Cost Explorer request is filtered to exactly one linked
// account.
func filtersTo(c faultproxy.Call, id string) bool {
	return strings.Contains(string(c.Body), `"Key":"LINKED_ACCOUNT","Values":["`+id+`"]`)
}

func TestReadCoverage(t *testing.T) {
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	m := testMap(t, "")
	p := cost.PeriodsAt(reportTime)
	identity, staging, sandbox := account(t, m, "identity"), account(t, m, "staging"), account(t, m, "sandbox")
	for _, a := range []accounts.Account{identity, staging} {
		s.QueueCosts(t, a.ID, dailyResult(p.Daily(), "USD", func(time.Time) float64 { return 10 }),
			groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
				return []map[string]any{group(260, "USD", "Amazon Elastic Compute Cloud - Compute")}
			}))
	}
	proxy.Add(
		// identity: Savings Plans cover 30 of 100 over two pages; EC2 Reserved Instances 150
		// of 1,000 hours over two months, RDS ones 300 of 400.
		faultproxy.Rule{Account: identity.ID, Service: "ce", Action: "GetSavingsPlansCoverage", Kind: faultproxy.Answer, Times: 1,
			Body: savingsPlansCoverage(10, 40, "page-2")},
		faultproxy.Rule{Account: identity.ID, Service: "ce", Action: "GetSavingsPlansCoverage", Kind: faultproxy.Answer,
			Match: func(c faultproxy.Call) bool { return strings.Contains(string(c.Body), `"NextToken":"page-2"`) },
			Body:  savingsPlansCoverage(20, 60, "")},
		faultproxy.Rule{Account: identity.ID, Service: "ce", Action: "GetReservationCoverage", Kind: faultproxy.Answer,
			Match: ofService(ec2Service), Body: reservationCoverage([2]float64{100, 500}, [2]float64{50, 500})},
		faultproxy.Rule{Account: identity.ID, Service: "ce", Action: "GetReservationCoverage", Kind: faultproxy.Answer,
			Match: ofService(rdsService), Body: reservationCoverage([2]float64{300, 400})},
		// staging: Savings Plans are read, Reserved Instances refused.
		faultproxy.Rule{Account: staging.ID, Service: "ce", Action: "GetSavingsPlansCoverage", Kind: faultproxy.Answer,
			Body: savingsPlansCoverage(50, 100, "")},
		faultproxy.Rule{Account: staging.ID, Service: "ce", Action: "GetReservationCoverage", Kind: faultproxy.Error,
			Code: "AccessDeniedException"},
	)

	faults := &faultyAssumeRole{deny: map[string]bool{sandbox.RoleARN(accounts.CostReaderRole): true}}
	base := emulator.Connect(proxy.URL).Account(t, emulator.NewAccountID(), "eu-west-1")
	base.APIOptions = append(base.APIOptions, faults.option)
	client, _ := clients(base, m, map[string]any{identity.ID: 100.0, staging.ID: 100.0})
	r := cost.Reader{Map: m, Client: client, Coverage: cost.AssumeCoverageClients(base, m.ExternalID)}.Read(t.Context(), reportTime)

	id := find(t, r, "identity")
	if id.Err != nil || id.Coverage == nil || id.Coverage.Err != nil {
		t.Fatalf("identity: err %v, coverage %+v", id.Err, id.Coverage)
	}
	if !near(id.Coverage.SavingsPlans, 0.3) || !near(id.Coverage.Reserved, 0.15) || !near(id.Coverage.ReservedDatabases, 0.75) {
		t.Errorf("identity coverage = %+v, want Savings Plans 0.3 (two pages), EC2 reserved 0.15 (two months), RDS reserved 0.75", *id.Coverage)
	}
	// Each kind takes its own service's reservations: RDS's never cover an instance.
	// Savings Plans cover compute only (EC2, Fargate), applied after Reserved Instances:
	// instances 1 − (1 − 0.3)(1 − 0.15); databases their RDS reservations alone.
	for kind, want := range map[string]float64{history.EC2Instance: 0.405, history.EKSNodegroup: 0.405,
		history.RDSInstance: 0.75, history.AuroraCluster: 0.75, history.ECSService: 0.3} {
		if got := id.Coverage.Covered(kind); !near(got, want) {
			t.Errorf("identity: %s covered %g, want %g", kind, got, want)
		}
	}
	st := find(t, r, "staging")
	if st.Coverage == nil || st.Coverage.Err == nil ||
		cause.Of(st.Coverage.Err) != "Cost Explorer GetReservationCoverage: access denied" {
		t.Errorf("staging coverage = %+v, want GetReservationCoverage's AccessDeniedException", st.Coverage)
	}
	if st.Err != nil {
		t.Errorf("staging's costs failed with its coverage: %v", st.Err)
	}
	for _, name := range []string{"sandbox", "production"} {
		if a := find(t, r, name); a.Err == nil || a.Coverage != nil {
			t.Errorf("%s: err %v, coverage %+v; want failed costs and no coverage read", name, a.Err, a.Coverage)
		}
	}
	// Each coverage request ran in the account itself, filtered to it, over the savings
	// window (the last 30 complete days); Savings Plans' a day earlier, its End before
	// today as GetSavingsPlansCoverage requires.
	inWindow := func(r cost.Range) string {
		return fmt.Sprintf(`"TimePeriod":{"End":"%s","Start":"%s"}`, r.End.Format(time.DateOnly), r.Start.Format(time.DateOnly))
	}
	for _, c := range proxy.Calls() {
		if c.Service != "ce" || !strings.HasSuffix(c.Action, "Coverage") {
			continue
		}
		window := inWindow(p.Chart)
		if c.Action == "GetSavingsPlansCoverage" {
			window = inWindow(cost.Range{Start: p.Chart.Start.AddDate(0, 0, -1), End: p.Yesterday.Start})
		}
		if !filtersTo(c, c.Account) || !strings.Contains(string(c.Body), window) {
			t.Errorf("%s in %s: %s; want a filter to the account itself and %s", c.Action, c.Account, c.Body, window)
		}
	}
	if n := proxy.Count(identity.ID, "ce", "GetSavingsPlansCoverage"); n != 2 {
		t.Errorf("identity's Savings Plans coverage requests = %d, want 2 pages", n)
	}
	// One reservation query a service, each naming it (Cost Explorer reads EC2 alone
	// when none is named).
	var services []string
	for _, c := range proxy.Calls() {
		if c.Account == identity.ID && c.Action == "GetReservationCoverage" {
			switch {
			case ofService(ec2Service)(c):
				services = append(services, "ec2")
			case ofService(rdsService)(c):
				services = append(services, "rds")
			default:
				t.Errorf("GetReservationCoverage without one service: %s", c.Body)
			}
		}
	}
	if slices.Sort(services); !slices.Equal(services, []string{"ec2", "rds"}) {
		t.Errorf("identity's reservation queries = %v, want one for ec2 and one for rds", services)
	}
	// identity: 2 usage + forecast + 4 coverage pages; staging: 2 usage + forecast + 1
	// coverage (the refused one is not counted, and no RDS query follows it); production:
	// its empty daily answer. Planned: 3 + 3 per account, first pages.
	if r.Requests != 12 || r.Planned != 24 {
		t.Errorf("requests = %d, planned %d; want 12 and 24", r.Requests, r.Planned)
	}
}

// TestReadCoverageGrouped: with a management account, the organisation's coverage is read
// there once, filtered to every account that reported, and given to each: 2 requests at
// any size (Savings Plans coverage cannot be grouped by account).
func TestReadCoverageGrouped(t *testing.T) {
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	m := testMap(t, "identity")
	p := cost.PeriodsAt(reportTime)
	mgmt := account(t, m, "identity")
	var groups []map[string]any
	for _, a := range m.Accounts {
		groups = append(groups, group(10, "USD", a.ID))
	}
	s.QueueCosts(t, mgmt.ID,
		groupedResult(p.Daily(), nextDay, func(time.Time) []map[string]any { return groups }),
		groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
			var out []map[string]any
			for _, a := range m.Accounts {
				out = append(out, group(260, "USD", a.ID, "Amazon Elastic Compute Cloud - Compute"))
			}
			return out
		}))
	var ids []string
	for _, a := range m.Accounts {
		ids = append(ids, a.ID)
	}
	every := func(c faultproxy.Call) bool {
		return strings.Contains(string(c.Body), `"Key":"LINKED_ACCOUNT","Values":["`+strings.Join(ids, `","`)+`"]`)
	}
	proxy.Add(
		faultproxy.Rule{Account: mgmt.ID, Service: "ce", Action: "GetSavingsPlansCoverage", Kind: faultproxy.Answer,
			Match: every, Body: savingsPlansCoverage(60, 100, "")},
		faultproxy.Rule{Account: mgmt.ID, Service: "ce", Action: "GetReservationCoverage", Kind: faultproxy.Answer,
			Match: func(c faultproxy.Call) bool { return every(c) && ofService(ec2Service)(c) }, Body: reservationCoverage([2]float64{20, 100})},
		faultproxy.Rule{Account: mgmt.ID, Service: "ce", Action: "GetReservationCoverage", Kind: faultproxy.Answer,
			Match: func(c faultproxy.Call) bool { return every(c) && ofService(rdsService)(c) }, Body: reservationCoverage([2]float64{10, 100})},
	)
	base := emulator.Connect(proxy.URL).Account(t, emulator.NewAccountID(), "eu-west-1")
	forecasts := map[string]any{}
	for _, a := range m.Accounts {
		forecasts[a.ID] = 100.0
	}
	client, _ := clients(base, m, forecasts)
	r := cost.Reader{Map: m, Client: client, Coverage: cost.AssumeCoverageClients(base, m.ExternalID)}.Read(t.Context(), reportTime)
	if r.Mode != cost.Grouped {
		t.Fatalf("mode = %s, want grouped", r.Mode)
	}
	for _, a := range r.Accounts {
		if a.Err != nil || a.Coverage == nil || a.Coverage.Err != nil ||
			!near(a.Coverage.Covered(history.EC2Instance), 0.68) || !near(a.Coverage.Covered(history.RDSInstance), 0.1) {
			t.Errorf("%s: err %v, coverage %+v; want the organisation's 0.68 of instances (1 − 0.4 × 0.8) and 0.1 of databases covered", a.Name, a.Err, a.Coverage)
		}
	}
	for _, a := range m.Accounts {
		if n := proxy.Count(a.ID, "ce", "GetSavingsPlansCoverage") + proxy.Count(a.ID, "ce", "GetReservationCoverage"); a.ID != mgmt.ID && n != 0 {
			t.Errorf("%s was asked for coverage %d times, want none: grouped mode reads in the management account", a.Name, n)
		}
	}
	// 2 usage queries, 2 environment forecasts, 3 coverage queries.
	if proxy.Count(mgmt.ID, "ce", "GetSavingsPlansCoverage") != 1 || proxy.Count(mgmt.ID, "ce", "GetReservationCoverage") != 2 ||
		r.Requests != 7 || r.Planned != 7 {
		t.Errorf("requests = %d, planned %d; want 7 and 7, one query of each coverage", r.Requests, r.Planned)
	}
}

func TestApplyCoverage(t *testing.T) {
	s := &cost.Savings{Accounts: []cost.AccountSavings{
		// 60 of instances, 30 of databases, 10 of Fargate tasks.
		{Account: "covered", Saved: 100, SavedBy: map[string]float64{history.EC2Instance: 60, history.RDSInstance: 30, history.ECSService: 10}},
		{Account: "refused", Saved: 40}, {Account: "failed", Saved: 10}, {Account: "unknown", Saved: 5},
	}}
	if s.Ranged() || s.Basis() != cost.PriceBasis() {
		t.Fatal("savings without coverage are a range")
	}
	s.ApplyCoverage([]cost.Account{
		{Name: "covered", Coverage: &cost.Coverage{SavingsPlans: 0.5, Reserved: 0.25, ReservedDatabases: 0.1}},
		{Name: "refused", Coverage: &cost.Coverage{Err: &smithy.OperationError{ServiceID: "Cost Explorer", OperationName: "GetSavingsPlansCoverage",
			Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}}}},
		{Name: "failed", Err: fmt.Errorf("read daily costs: boom")},
	})
	want := map[string]struct {
		low *float64
		why string
	}{
		// Each kind less its own discounts: 60 × (1 − 0.5)(1 − 0.25) + 30 × (1 − 0.1) +
		// 10 × (1 − 0.5): Savings Plans never cover a database.
		"covered": {aws.Float64(54.5), ""},
		"refused": {nil, "coverage not read: Cost Explorer GetSavingsPlansCoverage: access denied"},
		"failed":  {nil, "coverage not read: the account's costs could not be read"},
		"unknown": {nil, "coverage not read"},
	}
	for _, a := range s.Accounts {
		w := want[a.Account]
		if (w.low == nil) != (a.Discount.Low == nil) || (w.low != nil && !near(*w.low, *a.Discount.Low)) || a.Discount.Why != w.why {
			t.Errorf("%s: %+v, want low %v, why %q", a.Account, a.Discount, w.low, w.why)
		}
	}
	if !near(s.LowTotal(), 54.5+40+10+5) || !near(s.Total(), 155) {
		t.Errorf("range = %g to %g, want 109.5 to 155", s.LowTotal(), s.Total())
	}
	if c := s.Accounts[0].Discount.Covered; !near(c, 0.455) {
		t.Errorf("covered's share taken as discounted = %g, want 0.455 (45.5 of 100)", c)
	}
	if b := s.Basis(); strings.Contains(b, cost.Discounts) || !strings.HasSuffix(b, cost.CoverageBasis) {
		t.Errorf("basis = %q, want the coverage basis instead of discounts ignored", b)
	}
	// Shares are combined, not added: Savings Plans cover a share of what Reserved
	// Instances left, so 50 % and 50 % are 75 %, not 100 %; full coverage is 1.
	for _, tt := range []struct {
		c    cost.Coverage
		kind string
		want float64
	}{
		{cost.Coverage{SavingsPlans: 0.5, Reserved: 0.5}, history.EC2Instance, 0.75},
		{cost.Coverage{SavingsPlans: 0.7, Reserved: 0.6}, history.AutoScalingGroup, 0.88},
		{cost.Coverage{SavingsPlans: 1, Reserved: 0.6}, history.EC2Instance, 1},
		{cost.Coverage{SavingsPlans: 0.9, ReservedDatabases: 0.2}, history.AuroraCluster, 0.2},
		{cost.Coverage{SavingsPlans: 0.9, Reserved: 0.5}, history.ECSService, 0.9},
	} {
		if got := tt.c.Covered(tt.kind); !near(got, tt.want) {
			t.Errorf("%+v covers %g of a %s, want %g", tt.c, got, tt.kind, tt.want)
		}
	}
}
