package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// curfewFunctions is how many of curfew's functions may run at once in the home account:
// the shutdown, the restart and the cost report. None reserves concurrency (a reservation
// fails to deploy where the limit is 10: Lambda keeps at least that much unreserved);
// overlapping runs are kept apart by a lease per account (internal/lease) instead.
const curfewFunctions = 3

// newAccountLimit is the concurrency limit accounts created in recent years start with.
const newAccountLimit = 10

// lambdaQuotaCode is Lambda's "Concurrent executions" quota in Service Quotas.
const lambdaQuotaCode = "L-B99A9384"

// concurrency reads the home account's Lambda concurrency. curfew reserves none, so a
// deploy never fails on it; what remains worth saying is when the pool curfew shares with
// every other function is a new account's 10, where a busy account throttles curfew's
// runs (a throttled scheduled run is retried by Lambda, a manual one reports the error).
type concurrency struct{}

func (concurrency) Name() string { return "lambda concurrency" }

func (concurrency) Run(ctx context.Context, t Target) []Finding {
	if t.Account.Name != t.Map.Home {
		return []Finding{notApplicable("curfew's functions run in the home account (%s)", t.Map.Home)}
	}
	region := t.Map.HomeRegion
	client := lambda.NewFromConfig(t.Config, func(o *lambda.Options) { o.Region = region })
	out, err := client.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		return []Finding{unchecked("read Lambda's account settings in "+region, err, "lambda:GetAccountSettings")}
	}
	if out.AccountLimit == nil {
		return []Finding{problem("Lambda answered no account limit in "+region, "run preflight again; if it persists, read the limit with aws lambda get-account-settings --region "+region+t.profileArg())}
	}
	limit, unreserved := out.AccountLimit.ConcurrentExecutions, aws.ToInt32(out.AccountLimit.UnreservedConcurrentExecutions)
	if unreserved < curfewFunctions {
		return []Finding{problem(
			fmt.Sprintf("%s: concurrency limit %d, only %d unreserved: curfew's %d functions, which reserve none, may not all run at once", region, limit, unreserved, curfewFunctions),
			fmt.Sprintf("ask for a higher limit: aws service-quotas request-service-quota-increase --service-code lambda --quota-code %s --desired-value 1000 --region %s%s",
				lambdaQuotaCode, region, t.profileArg()))}
	}
	if limit <= newAccountLimit {
		return []Finding{ok("%s: concurrency limit %d, %d unreserved; curfew reserves none. A new account's limit is shared with every function here: if others run, ask for 1000 (quota %s)",
			region, limit, unreserved, lambdaQuotaCode)}
	}
	return []Finding{ok("%s: concurrency limit %d, %d unreserved; curfew reserves none", region, limit, unreserved)}
}
