package faultproxy

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Cost Explorer APIs moto lacks, answered as the Cost Explorer API reference documents
// them for the period each call asks about (its TimePeriod). Each rule answers one
// account's calls; moto would answer HTTP 500, which the SDK retries 8 times.

// CostForecast answers GetCostForecast in account with amount (USD) as the forecast of
// the period asked: Total and one ForecastResultsByTime entry.
func CostForecast(account string, amount float64) Rule {
	return costExplorer(account, "GetCostForecast", func(period json.RawMessage) any {
		v := fmt.Sprintf("%.2f", amount)
		return map[string]any{
			"Total":                 map[string]string{"Amount": v, "Unit": "USD"},
			"ForecastResultsByTime": []map[string]any{{"TimePeriod": period, "MeanValue": v}},
		}
	})
}

// SavingsPlansCoverage answers GetSavingsPlansCoverage in account: percent of a spend of
// 100 covered by Savings Plans over the period asked (SavingsPlansCoverages[].Coverage).
func SavingsPlansCoverage(account string, percent float64) Rule {
	return costExplorer(account, "GetSavingsPlansCoverage", func(period json.RawMessage) any {
		return map[string]any{"SavingsPlansCoverages": []map[string]any{{
			"Attributes": map[string]string{}, "TimePeriod": period,
			"Coverage": map[string]string{"CoveragePercentage": num(percent), "OnDemandCost": num(100 - percent),
				"SpendCoveredBySavingsPlans": num(percent), "TotalCost": "100"},
		}}}
	})
}

// ReservationCoverage answers GetReservationCoverage in account: percent of 100 running
// hours covered by Reserved Instances over the period asked, whatever the service
// (CoveragesByTime[].Total.CoverageHours).
func ReservationCoverage(account string, percent float64) Rule {
	return costExplorer(account, "GetReservationCoverage", func(period json.RawMessage) any {
		return map[string]any{"CoveragesByTime": []map[string]any{{
			"Groups": []any{}, "TimePeriod": period,
			"Total": map[string]any{"CoverageHours": map[string]string{"CoverageHoursPercentage": num(percent),
				"OnDemandHours": num(100 - percent), "ReservedHours": num(percent), "TotalRunningHours": "100"}},
		}}}
	})
}

func num(v float64) string { return fmt.Sprintf("%g", v) }

// costExplorer answers action in account with what answer makes of the call's TimePeriod.
func costExplorer(account, action string, answer func(period json.RawMessage) any) Rule {
	return Rule{Account: account, Service: "ce", Action: action, Kind: Handle, Respond: func(c Call) (int, string) {
		var in struct{ TimePeriod json.RawMessage }
		if err := json.Unmarshal(c.Body, &in); err != nil || len(in.TimePeriod) == 0 {
			return http.StatusBadRequest, `{"__type":"ValidationException","message":"TimePeriod is required"}`
		}
		out, err := json.Marshal(answer(in.TimePeriod))
		if err != nil {
			return http.StatusInternalServerError, `{"__type":"InternalFailure","message":"faultproxy"}`
		}
		return http.StatusOK, string(out)
	}}
}
