package preflight

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/curfew/curfew/internal/clock"
)

// costExplorer checks that Cost Explorer answers in the account the cost report reads:
// the management account when the map names one (one grouped query), every account
// otherwise. Cost Explorer is enabled once, in the organisation's management account's
// Billing console; until then (and for about a day after) GetCostAndUsage answers
// DataUnavailableException or AccessDeniedException ("User not enabled for cost explorer
// access"). The call costs $0.01.
type costExplorer struct{}

func (costExplorer) Name() string { return "cost explorer" }

// ceRegion is where Cost Explorer's one endpoint is.
const ceRegion = "us-east-1"

func (costExplorer) Run(ctx context.Context, t Target) []Finding {
	if t.Map.Management != "" && t.Account.Name != t.Map.Management {
		return []Finding{notApplicable("the cost report queries the management account (%s) for every account", t.Map.Management)}
	}
	day := clock.Now().UTC().AddDate(0, 0, -1)
	_, err := costexplorer.NewFromConfig(t.Config, func(o *costexplorer.Options) { o.Region = ceRegion }).GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(day.Format(time.DateOnly)), End: aws.String(day.AddDate(0, 0, 1).Format(time.DateOnly))},
		Granularity: cetypes.GranularityDaily,
		Metrics:     []string{"UnblendedCost"},
	})
	switch code := errorCode(err); {
	case err == nil:
		return []Finding{ok("GetCostAndUsage answers")}
	case code == "DataUnavailableException" || code == "AccessDeniedException":
		return []Finding{problem(fmt.Sprintf("Cost Explorer is not enabled for this account (GetCostAndUsage: %s): the cost report would fail here", code),
			"enable Cost Explorer in the management account's Billing console (Cost Explorer, Launch Cost Explorer); data appears within 24 hours. "+
				"If it is enabled, the profile lacks ce:GetCostAndUsage: run preflight with the profile you deploy with")}
	default:
		return []Finding{unchecked("call Cost Explorer", err, "ce:GetCostAndUsage")}
	}
}
