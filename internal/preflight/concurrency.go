package preflight

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/curfew/curfew/internal/accounts"
)

// reservedConcurrency is what curfew-service reserves in the home account:
// curfew-shutdown and curfew-restart reserve a concurrency of 1 each (cdk/service.go,
// newFunction with singleRun), so that two runs never overlap.
const reservedConcurrency = 2

// minUnreserved is what Lambda keeps unreserved for functions without a reservation:
// "You can reserve up to the Unreserved account concurrency value minus 100"
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). Accounts
// whose limit is lower (new accounts start at 10) keep their whole limit unreserved: the
// refusal then reads "below its minimum value of [10]".
func minUnreserved(limit int32) int32 { return min(100, limit) }

// lambdaQuotaCode is Lambda's "Concurrent executions" quota in Service Quotas.
const lambdaQuotaCode = "L-B99A9384"

// concurrency checks that the home account's Lambda concurrency leaves room for curfew's
// reservations.
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
	// Before an upgrade curfew's functions exist: what they reserve already is no longer
	// unreserved, and is not asked for again.
	var held int32
	for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction} {
		c, err := client.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String(fn)})
		switch {
		case errorCode(err) == "ResourceNotFoundException":
		case err != nil:
			return []Finding{unchecked("read the reserved concurrency of "+fn, err, "lambda:GetFunctionConcurrency")}
		default:
			held += aws.ToInt32(c.ReservedConcurrentExecutions)
		}
	}
	floor := minUnreserved(limit)
	if left := unreserved - max(reservedConcurrency-held, 0); left < floor {
		return []Finding{problem(
			fmt.Sprintf("%s: concurrency limit %d, %d unreserved; curfew-shutdown and curfew-restart reserve %d, which would leave %d, below Lambda's minimum of %d unreserved: curfew-service fails to deploy (\"decreases account's UnreservedConcurrentExecution below its minimum value\")",
				region, limit, unreserved, reservedConcurrency, left, floor),
			fmt.Sprintf("ask for a higher limit: aws service-quotas request-service-quota-increase --service-code lambda --quota-code %s --desired-value 1000 --region %s%s (accounts are usually raised to 1000 within a day)",
				lambdaQuotaCode, region, t.profileArg()))}
	}
	return []Finding{ok("%s: concurrency limit %d, %d unreserved; curfew reserves %d and leaves at least %d", region, limit, unreserved, reservedConcurrency, floor)}
}
