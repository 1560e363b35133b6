package cost_test

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/emulator"
)

var reportTime = time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func checkMoney(t *testing.T, what string, got cost.Money, want float64) {
	t.Helper()
	if !near(got.Amount, want) || got.Currency != "USD" {
		t.Errorf("%s = %v %s, want %v USD", what, got.Amount, got.Currency, want)
	}
}

func find(t *testing.T, r *cost.Report, name string) cost.Account {
	t.Helper()
	i := slices.IndexFunc(r.Accounts, func(a cost.Account) bool { return a.Name == name })
	if i < 0 {
		t.Fatalf("no account %s in the report", name)
	}
	return r.Accounts[i]
}

func serviceNames(s []cost.Service) []string {
	var names []string
	for _, x := range s {
		names = append(names, x.Name)
	}
	return names
}

func TestReadPerAccount(t *testing.T) {
	s := emulator.Shared(t)
	m := testMap(t, "")
	p := cost.PeriodsAt(reportTime)
	identity, staging := account(t, m, "identity"), account(t, m, "staging")
	sandbox := account(t, m, "sandbox")

	// identity: 10 a day in October, 12.5 a day in November, 20 yesterday; Cost Explorer
	// marks its last two days Estimated.
	identityDaily := dailyResult(p.Daily(), "USD", func(d time.Time) float64 {
		switch {
		case d.Equal(p.Yesterday.Start):
			return 20
		case d.Month() == time.November:
			return 12.5
		}
		return 10
	})
	days := identityDaily["ResultsByTime"].([]map[string]any)
	days[len(days)-1]["Estimated"], days[len(days)-2]["Estimated"] = true, true
	s.QueueCosts(t, identity.ID,
		identityDaily,
		groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
			return []map[string]any{
				group(50, "USD", "Amazon Simple Storage Service"),
				group(150, "USD", "Amazon Elastic Compute Cloud - Compute"),
				group(0, "USD", "Tax"),
				group(30, "USD", "AmazonCloudWatch"),
				group(80, "USD", "Amazon Relational Database Service"),
				group(10, "USD", "AWS Key Management Service"),
				group(12.5, "USD", "AWS Lambda"),
			}
		}))
	// staging: 5 a day, the daily answer in two pages.
	octEnd := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	five := func(time.Time) float64 { return 5 }
	page1 := dailyResult(cost.Range{Start: p.Daily().Start, End: octEnd}, "USD", five)
	page1["NextPageToken"] = "page-2"
	s.QueueCosts(t, staging.ID,
		page1,
		dailyResult(cost.Range{Start: octEnd, End: p.Today}, "USD", five),
		groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
			return []map[string]any{group(130, "USD", "Amazon Elastic Compute Cloud - Compute")}
		}))
	// sandbox: its role cannot be assumed. production: Cost Explorer has no results.

	faults := &faultyAssumeRole{deny: map[string]bool{sandbox.RoleARN(accounts.CostReaderRole): true}}
	base := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	base.APIOptions = append(base.APIOptions, faults.option)
	client, requests := clients(base, m, map[string]any{
		identity.ID: 100.0,
		staging.ID:  &smithy.GenericAPIError{Code: "DataUnavailableException", Message: "Insufficient amount of historical data to generate forecast."},
	})

	var logs bytes.Buffer
	r := cost.Reader{Map: m, Client: client, Log: slog.New(slog.NewJSONHandler(&logs, nil))}.Read(t.Context(), reportTime)

	if r.Mode != cost.PerAccount {
		t.Errorf("mode = %s, want per-account", r.Mode)
	}
	if got := len(r.Accounts); got != 4 || r.Accounts[0].Name != "identity" || r.Accounts[3].Name != "production" {
		t.Fatalf("accounts = %+v, want the map's four in its order", r.Accounts)
	}

	a := find(t, r, "identity")
	if a.Err != nil {
		t.Fatalf("identity failed: %v", a.Err)
	}
	checkMoney(t, "identity yesterday", a.Yesterday, 20)
	checkMoney(t, "identity month to date", a.MonthToDate, 25*12.5+20)
	checkMoney(t, "identity same days last month", a.LastMonth, 26*10)
	if a.Forecast == nil {
		t.Fatalf("identity has no forecast: %v", a.ForecastErr)
	}
	checkMoney(t, "identity forecast", *a.Forecast, 332.5+100)
	wantTop := []string{"Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service",
		"Amazon Simple Storage Service", "AmazonCloudWatch", "AWS Lambda"}
	if got := serviceNames(a.TopServices); !slices.Equal(got, wantTop) {
		t.Errorf("identity top services = %q, want %q", got, wantTop)
	}
	checkMoney(t, "identity top service", a.TopServices[0].Cost, 150)
	if !a.Estimated {
		t.Error("identity is not marked estimated, though Cost Explorer marked its last days Estimated")
	}
	if len(a.Daily) != 30 || !near(a.Daily[0].Amount, 10) || !near(a.Daily[29].Amount, 20) || !near(a.Daily[4].Amount, 12.5) {
		t.Errorf("identity daily = %v, want 30 days from 10 (28 Oct) to 20 (26 Nov)", a.Daily)
	}

	a = find(t, r, "staging")
	if a.Err != nil {
		t.Fatalf("staging failed: %v", a.Err)
	}
	checkMoney(t, "staging month to date (two pages)", a.MonthToDate, 26*5)
	if a.Estimated {
		t.Error("staging is marked estimated, though no day of its answer was")
	}
	checkMoney(t, "staging same days last month", a.LastMonth, 26*5)
	if a.Forecast != nil || a.ForecastErr == nil || cause.Of(a.ForecastErr) != "Cost Explorer GetCostForecast: DataUnavailableException" {
		t.Errorf("staging forecast = %v, %v; want none, for DataUnavailableException", a.Forecast, a.ForecastErr)
	}
	// 130 over 26 days, and 4 days left (27-30 Nov) at 5 a day.
	if a.RunRate == nil || !near(a.RunRate.Amount, 150) {
		t.Errorf("staging run-rate = %v, want 150", a.RunRate)
	}
	checkMoney(t, "staging last 7 days", a.Week, 35)
	checkMoney(t, "staging 7 days before", a.PreviousWeek, 35)
	if !r.Weekly {
		t.Error("a report on Mondays only is not weekly")
	}
	if !strings.Contains(logs.String(), `"account":"staging","action":"read-forecast","outcome":"missing","error":"operation error Cost Explorer: GetCostForecast, api error DataUnavailableException: Insufficient amount of historical data`) {
		t.Errorf("no log line for staging's missing forecast and why:\n%s", logs.String())
	}

	a = find(t, r, "sandbox")
	if a.Err == nil || cause.Of(a.Err) != "STS AssumeRole: access denied" {
		t.Errorf("sandbox error = %v (reason %q), want the AssumeRole AccessDenied", a.Err, reasonOf(a.Err))
	}
	a = find(t, r, "production")
	if a.Err == nil || !strings.Contains(a.Err.Error(), "no results") {
		t.Errorf("production error = %v, want no results", a.Err)
	}
	if got := r.Failed(); len(got) != 2 {
		t.Errorf("failed = %d accounts, want sandbox and production", len(got))
	}

	totals := r.Totals()
	if len(totals) != 1 {
		t.Fatalf("totals = %+v, want one currency", totals)
	}
	tt := totals[0]
	if tt.Currency != "USD" || !near(tt.Yesterday, 25) || !near(tt.MonthToDate, 332.5+130) ||
		!near(tt.LastMonth, 260+130) || !near(tt.Forecast, 432.5+150) || tt.Accounts != 2 || tt.Forecasts != 1 || tt.RunRates != 1 {
		t.Errorf("totals = %+v, want yesterday 25, month to date 462.5, last month 390, forecast 582.5 (one run-rate)", tt)
	}

	// identity: daily + services + forecast; staging: two daily pages + services (its
	// forecast failed); sandbox: none; production: one empty daily answer.
	if r.Requests != 7 {
		t.Errorf("requests = %d, want 7", r.Requests)
	}
	// Each account's queries are filtered to itself, so a management account in
	// per-account mode reports its own costs, not the organisation's.
	if len(requests.forecasts) != 2 || len(requests.usage) != 7 {
		t.Errorf("%d forecasts and %d usage requests, want 2 and 7 (with sandbox's, never sent)", len(requests.forecasts), len(requests.usage))
	}
	filters := []*cetypes.Expression{}
	for _, in := range requests.forecasts {
		filters = append(filters, in.Filter)
	}
	for _, in := range requests.usage {
		filters = append(filters, in.Filter)
	}
	for _, f := range filters {
		if len(costtest.LinkedAccounts(f)) != 1 {
			t.Errorf("filter = %+v, want the account's own LINKED_ACCOUNT", f)
		}
		// Amortised cost without credits and refunds, the map saying nothing of either.
		if !excludesCredits(f) {
			t.Errorf("filter = %+v, want credits and refunds excluded", f)
		}
	}
	for _, in := range requests.usage {
		if !slices.Equal(in.Metrics, []string{"AmortizedCost"}) {
			t.Errorf("metrics = %q, want AmortizedCost", in.Metrics)
		}
	}
	for _, in := range requests.forecasts {
		if in.Metric != cetypes.MetricAmortizedCost {
			t.Errorf("forecast metric = %s, want AMORTIZED_COST", in.Metric)
		}
	}
	if got := r.Metric.String(); got != "amortised cost, credits and refunds excluded, tax included" {
		t.Errorf("metric = %q", got)
	}
	for _, in := range faults.seen {
		if aws.ToString(in.ExternalId) != m.ExternalID || aws.ToString(in.RoleSessionName) != cost.SessionName ||
			!strings.HasSuffix(aws.ToString(in.RoleArn), ":role/"+accounts.CostReaderRole) {
			t.Errorf("AssumeRole %s session %s external id %s; want CurfewCostReader, %s, %s",
				aws.ToString(in.RoleArn), aws.ToString(in.RoleSessionName), aws.ToString(in.ExternalId), cost.SessionName, m.ExternalID)
		}
	}
}

func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	return cause.Of(err)
}

func TestReadGrouped(t *testing.T) {
	s := emulator.Shared(t)
	m := testMap(t, "identity")
	p := cost.PeriodsAt(reportTime)
	ids := idsOf(m)
	daily := dailyByAccount(p, ids, group(1000, "USD", "999999999999")) // and an account outside the map
	monthly := nextMonth
	services := groupedResult(p.MonthToDate, monthly, func(time.Time) []map[string]any {
		return []map[string]any{
			group(40, "USD", ids["production"], "Amazon Relational Database Service"),
			group(64, "USD", ids["production"], "Amazon Elastic Compute Cloud - Compute"),
			group(52, "USD", ids["staging"], "Amazon Elastic Compute Cloud - Compute"),
			group(1000, "USD", "999999999999", "Amazon Elastic Compute Cloud - Compute"),
		}
	})
	s.QueueCosts(t, ids["identity"], daily, services)

	faults := &faultyAssumeRole{}
	base := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	base.APIOptions = append(base.APIOptions, faults.option)
	client, requests := clients(base, m, map[string]any{
		ids["identity"]:   10.0,
		ids["staging"]:    20.0,
		ids["sandbox"]:    30.0,
		ids["production"]: nil, // no total: the production environment has no forecast
	})

	r := cost.Reader{Map: m, Client: client}.Read(t.Context(), reportTime)

	if r.Mode != cost.Grouped {
		t.Errorf("mode = %s, want grouped", r.Mode)
	}
	for _, a := range r.Accounts {
		if a.Err != nil {
			t.Fatalf("%s failed: %v", a.Name, a.Err)
		}
		v := spentPerDay[a.Name]
		checkMoney(t, a.Name+" yesterday", a.Yesterday, v)
		checkMoney(t, a.Name+" month to date", a.MonthToDate, 26*v)
		checkMoney(t, a.Name+" same days last month", a.LastMonth, 26*v)
		// Forecasts are per environment: each account's own figure is its run-rate.
		if a.Forecast != nil || !errors.Is(a.ForecastErr, cost.ErrEnvironmentForecast) || a.RunRate == nil || !near(a.RunRate.Amount, 30*v) {
			t.Errorf("%s forecast = %v (%v), run-rate %v; want none, for the environment's, and a run-rate of %v", a.Name, a.Forecast, a.ForecastErr, a.RunRate, 30*v)
		}
	}
	if a := find(t, r, "production"); !slices.Equal(serviceNames(a.TopServices),
		[]string{"Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service"}) {
		t.Errorf("production top services = %q", serviceNames(a.TopServices))
	}
	// One forecast per environment, filtered to its accounts: staging and sandbox's month
	// to date (26 × 5) plus the rest (20 + 30); production's answer has no total.
	if len(r.Forecasts) != 2 {
		t.Fatalf("forecasts = %+v, want production and non-production", r.Forecasts)
	}
	if f := r.Forecasts[1]; f.Environment != "non-production" || f.Accounts != 2 || f.Forecast == nil || !near(f.Forecast.Amount, 130+50) {
		t.Errorf("non-production forecast = %+v, want 180 over 2 accounts", f)
	}
	if f := r.Forecasts[0]; f.Environment != "production" || f.Forecast != nil || cause.Of(f.Err) != "no data" {
		t.Errorf("production forecast = %+v, want none for \"no data\"", f)
	}
	// The account outside the map is one row of its own, out of the totals.
	if r.Other == nil || r.OtherAccounts != 1 || !near(r.Other.MonthToDate.Amount, 26*1000) {
		t.Errorf("other accounts = %+v (%d), want one account of 26,000 this month", r.Other, r.OtherAccounts)
	}
	tt := r.Totals()
	if len(tt) != 1 || !near(tt[0].MonthToDate, 26*10) || !near(tt[0].Forecast, 180+30*1+30*4) || tt[0].Forecasts != 2 || tt[0].RunRates != 2 {
		t.Errorf("totals = %+v, want month to date 260 and forecast 330: non-production's forecast, identity's and production's run-rates", tt)
	}
	// Two grouped queries and one forecast per environment, whatever the number of
	// accounts (the bench counts them at 500).
	if r.Requests != 4 || r.Planned != 4 {
		t.Errorf("requests = %d, planned %d; want 4", r.Requests, r.Planned)
	}
	if len(faults.seen) != 1 || aws.ToString(faults.seen[0].RoleArn) != account(t, m, "identity").RoleARN(accounts.CostReaderRole) {
		t.Errorf("assumed %d roles, want only CurfewCostReader in the management account", len(faults.seen))
	}
	for _, in := range requests.usage {
		if costtest.LinkedAccounts(in.Filter) != nil || !excludesCredits(in.Filter) {
			t.Errorf("a grouped query's filter is %+v: want credits and refunds excluded, and no account (those outside the map would be dropped)", in.Filter)
		}
	}
	for _, in := range requests.forecasts {
		if len(costtest.LinkedAccounts(in.Filter)) != 2 || !excludesCredits(in.Filter) {
			t.Errorf("forecast without the LINKED_ACCOUNT filter of its environment's two accounts: %+v", in)
		}
	}
}

func TestReadGroupedFailsEveryAccountWhenTheManagementRoleFails(t *testing.T) {
	s := emulator.Shared(t)
	m := testMap(t, "identity")
	faults := &faultyAssumeRole{deny: map[string]bool{account(t, m, "identity").RoleARN(accounts.CostReaderRole): true}}
	base := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	base.APIOptions = append(base.APIOptions, faults.option)
	client, _ := clients(base, m, nil)

	r := cost.Reader{Map: m, Client: client}.Read(t.Context(), reportTime)

	if got := len(r.Failed()); got != len(m.Accounts) {
		t.Errorf("%d accounts failed, want all %d", got, len(m.Accounts))
	}
	if r.Requests != 0 {
		t.Errorf("requests = %d, want 0", r.Requests)
	}
}

// In grouped mode an account of the map that appears nowhere in the organisation's answer
// (a mistyped id, or an account of another organisation) is named with why, not shown
// at 0.00 in the totals.
func TestReadGroupedNamesAnAccountTheOrganisationDoesNotBill(t *testing.T) {
	s := emulator.Shared(t)
	m := testMap(t, "identity")
	p := cost.PeriodsAt(reportTime)
	ids := idsOf(m)
	// sandbox's id is in no group of the answer.
	daily := groupedResult(p.Daily(), nextDay, func(time.Time) []map[string]any {
		return []map[string]any{group(1, "USD", ids["identity"]), group(2, "USD", ids["staging"]), group(4, "USD", ids["production"])}
	})
	services := groupedResult(p.MonthToDate, nextMonth, func(time.Time) []map[string]any {
		return []map[string]any{group(52, "USD", ids["staging"], "Amazon Elastic Compute Cloud - Compute")}
	})
	s.QueueCosts(t, ids["identity"], daily, services)
	base := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	client, _ := clients(base, m, map[string]any{ids["identity"]: 10.0, ids["staging"]: 20.0, ids["production"]: 30.0})

	r := cost.Reader{Map: m, Client: client}.Read(t.Context(), reportTime)

	for _, a := range r.Accounts {
		switch {
		case a.Name == "sandbox" && (a.Err == nil || !strings.Contains(cause.Of(a.Err), "no cost of account "+ids["sandbox"]+" in the organisation's answer")):
			t.Errorf("sandbox: %v, want it named as billed nowhere in the organisation", a.Err)
		case a.Name != "sandbox" && a.Err != nil:
			t.Errorf("%s failed: %v", a.Name, a.Err)
		}
	}
}
