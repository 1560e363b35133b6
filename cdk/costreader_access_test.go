package cdk_test

import (
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// TestCostReaderAccessBySimulation puts the cost report's questions and an attacker's to
// CurfewCostReader's own policies: it reads costs, forecasts and discount coverage, and
// nothing else Cost Explorer, Savings Plans or reservations offer (no resource-level
// detail, no recommendations, no purchases, no writes).
func TestCostReaderAccessBySimulation(t *testing.T) {
	simulateEachMap(t, costReaderQuestions)
}

func costReaderQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	var qs []question
	for _, a := range o.m.Accounts {
		stack := "curfew-" + a.Name
		if a.ID == o.m.IdentityAccount().ID {
			stack = "curfew-identity"
		}
		policies := p.role(stack, accounts.CostReaderRole)
		ask := func(action, want string) {
			qs = append(qs, question{name: a.Name + ": CurfewCostReader calls " + action, principal: session(a.ID, accounts.CostReaderRole),
				context: map[string]any{"aws:PrincipalArn": a.RoleARN(accounts.CostReaderRole)}, identity: policies,
				action: action, resource: "*", want: want})
		}
		for _, action := range []string{"ce:GetCostAndUsage", "ce:GetCostForecast", "ce:GetSavingsPlansCoverage", "ce:GetReservationCoverage"} {
			ask(action, allowed)
		}
		for _, action := range []string{"ce:GetCostAndUsageWithResources", "ce:GetReservationPurchaseRecommendation",
			"ce:GetSavingsPlansUtilizationDetails", "ce:UpdateCostAllocationTagsStatus", "ce:CreateCostCategoryDefinition",
			"savingsplans:CreateSavingsPlan", "ec2:PurchaseReservedInstancesOffering", "rds:PurchaseReservedDBInstancesOffering"} {
			ask(action, denied)
		}
	}
	return qs
}
