package report_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/cost/costtest"
	"github.com/curfew/curfew/internal/history"
)

var sampleTime = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)

func usd(v float64) cost.Money { return cost.Money{Amount: v, Currency: "USD"} }

func svc(name string, v float64) cost.Service { return cost.Service{Name: name, Cost: usd(v)} }

// sampleReport is a report of four accounts as Reader.Read would return it: three that
// reported (one without a forecast) and one whose role could not be assumed, with a
// month of nightly shutdowns in staging and sandbox.
func sampleReport() *cost.Report {
	p := cost.PeriodsAt(sampleTime)
	daily := func(base, weekend float64) []cost.Money {
		var d []cost.Money
		for day := p.Chart.Start; day.Before(p.Chart.End); day = day.AddDate(0, 0, 1) {
			v := base + 0.8*base*math.Sin(float64(day.YearDay())/4)/10
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				v = weekend
			}
			d = append(d, usd(v))
		}
		return d
	}
	forecast := func(v float64) *cost.Money { m := usd(v); return &m }
	r := &cost.Report{
		Generated: sampleTime,
		Periods:   p,
		Mode:      cost.PerAccount,
		Metric:    cost.MetricOf(accounts.CostReport{}),
		Requests:  8,
		Accounts: []cost.Account{
			{Name: "identity", ID: "111111111111", Production: true,
				Yesterday: usd(3.2), MonthToDate: usd(81.53), LastMonth: usd(80.1), Forecast: forecast(96.4),
				TopServices: []cost.Service{svc("AWS CloudTrail", 40.02), svc("Amazon GuardDuty", 22.9), svc("AWS Key Management Service", 10)},
				Daily:       daily(3.1, 2.9)},
			{Name: "staging", ID: "222222222222",
				Yesterday: usd(41.87), MonthToDate: usd(1034.2), LastMonth: usd(1422.75), Forecast: forecast(1201.99),
				TopServices: []cost.Service{svc("Amazon Elastic Compute Cloud - Compute", 520.4), svc("Amazon Relational Database Service", 301.12),
					svc("Amazon Elastic Load Balancing", 80), svc("Amazon Simple Storage Service", 60.3), svc("AmazonCloudWatch", 21.05)},
				Daily: daily(44, 19)},
			{Name: "sandbox", ID: "333333333333",
				Err: fmt.Errorf("read daily costs: %w", &smithy.OperationError{
					ServiceID: "Cost Explorer", OperationName: "GetCostAndUsage", Err: fmt.Errorf("get identity: %w", &smithy.OperationError{
						ServiceID: "STS", OperationName: "AssumeRole", Err: &smithy.GenericAPIError{Code: "AccessDenied",
							Message: "not authorized to perform sts:AssumeRole"}})})},
			{Name: "production", ID: "444444444444", Production: true,
				Yesterday: usd(212.4), MonthToDate: usd(5310.66), LastMonth: usd(4890.02),
				ForecastErr: &smithy.OperationError{ServiceID: "Cost Explorer", OperationName: "GetCostForecast",
					Err: &smithy.GenericAPIError{Code: "DataUnavailableException", Message: "Insufficient amount of historical data to generate forecast."}},
				RunRate: forecast(5310.66 + 5310.66/26*4),
				TopServices: []cost.Service{svc("Amazon Elastic Compute Cloud - Compute", 2600), svc("Amazon Relational Database Service", 1500.5),
					svc("Amazon CloudFront", 500), svc("Amazon Simple Storage Service", 300.16), svc("AWS WAF", 120)},
				Daily: daily(205, 190)},
		},
	}
	for i := range r.Accounts {
		a := &r.Accounts[i]
		for d, m := range a.Daily {
			day := p.Chart.Start.AddDate(0, 0, d)
			switch {
			case p.Week.Contains(day):
				a.Week = usd(a.Week.Amount + m.Amount)
			case p.PreviousWeek.Contains(day):
				a.PreviousWeek = usd(a.PreviousWeek.Amount + m.Amount)
			}
		}
	}
	runs := sampleRuns(p.Chart.Start)
	r.Savings = cost.EstimateWith(context.Background(), runs, p.Chart.Start, sampleTime, costtest.Table())
	r.History = &cost.HistoryHealth{Since: p.Chart.Start.Add(-cost.HistoryMargin), Runs: len(runs),
		Shutdowns: (len(runs) + 1) / 2, Restarts: len(runs) / 2, Latest: runs[len(runs)-1].Started,
		Unreadable: []cost.Unreadable{{Key: "runs/2026/11/12/20261112T190000Z-shutdown-7c1d.json",
			Reason: "S3 GetObject: access denied"}}}
	return r
}

// weeklyReport is sampleReport sent on a day with the week's figures.
func weeklyReport() *cost.Report {
	r := sampleReport()
	r.Weekly = true
	return r
}

// mixedCurrencies is sampleReport with its second account's figures in EUR.
func mixedCurrencies() *cost.Report {
	r := sampleReport()
	r.Accounts[1].Yesterday.Currency, r.Accounts[1].MonthToDate.Currency = "EUR", "EUR"
	r.Accounts[1].LastMonth.Currency, r.Accounts[1].Forecast.Currency = "EUR", "EUR"
	return r
}

// sampleRuns shuts staging and sandbox down every weekday night at 19:00 UTC and starts
// them at 06:00, from start on; the last night is still stopped.
func sampleRuns(start time.Time) []history.Run {
	var runs []history.Run
	stopped := []history.Change{
		{Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-0a1", Size: "m5.large"},
		{Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-0a2", Size: "t3.medium"},
		{Account: "staging", Region: "eu-west-1", Type: history.RDSInstance, ID: "app-db", Size: "db.t3.medium"},
		{Account: "staging", Region: "eu-central-1", Type: history.AuroraCluster, ID: "reports"},
		{Account: "sandbox", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-0b1", Size: "t3.large"},
		{Account: "sandbox", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-0b2", Size: "g5.xlarge"},
	}
	at := func(changes []history.Change, t time.Time) []history.Change {
		out := make([]history.Change, len(changes))
		for i, c := range changes {
			c.At = t
			out[i] = c
		}
		return out
	}
	for day := start; day.Before(sampleTime); day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		stop := day.Add(19 * time.Hour)
		if stop.After(sampleTime) {
			break
		}
		// i-0a9 carries the skip tag: the shutdown leaves it running every night.
		kept := history.Change{Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-0a9", Size: "m5.xlarge",
			Action: history.Skipped, Reason: "tagged curfew:skip=true"}
		runs = append(runs, history.Run{ID: "stop-" + day.Format("0102"), Kind: history.Shutdown, Started: stop,
			Changes: at(append(slices.Clone(stopped), kept), stop)})
		next := day.AddDate(0, 0, 1)
		for next.Weekday() == time.Saturday || next.Weekday() == time.Sunday {
			next = next.AddDate(0, 0, 1)
		}
		if restart := next.Add(6 * time.Hour); restart.Before(sampleTime) {
			runs = append(runs, history.Run{ID: "start-" + next.Format("0102"), Kind: history.Restart, Started: restart, Changes: at(stopped, restart)})
		}
	}
	return runs
}
