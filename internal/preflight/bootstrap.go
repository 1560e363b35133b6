package preflight

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// curfew's stacks synthesise with CDK's default synthesizer, so they deploy through the
// default bootstrap (qualifier hnb659fds, stack CDKToolkit) of their account and region.
// The second bootstrap issue 12 reserved for curfew (qualifier curfew, stack
// CurfewToolkit) is one the guardrails keep closed to DeveloperAccess and CurfewCI; no
// stack deploys through it, so its absence stops nothing.
const (
	toolkitStack = "CDKToolkit"
	// cdkQualifier is CDK's default qualifier (cdk.CDKQualifier).
	cdkQualifier     = "hnb659fds"
	versionParameter = "/cdk-bootstrap/" + cdkQualifier + "/version"
	// minBootstrapVersion is the bootstrap version the default synthesizer's templates
	// require (their CheckBootstrapVersion rule).
	minBootstrapVersion = 6
)

// bootstrap checks the CDK bootstrap in every region where curfew deploys a stack into
// the account.
type bootstrap struct{}

func (bootstrap) Name() string { return "cdk bootstrap" }

func (bootstrap) Run(ctx context.Context, t Target) []Finding {
	var out []Finding
	for _, region := range footprintOf(t.Map, t.Account).regions() {
		out = append(out, bootstrapIn(ctx, t, region))
	}
	return out
}

func bootstrapIn(ctx context.Context, t Target, region string) Finding {
	env := fmt.Sprintf("aws://%s/%s", t.Account.ID, region)
	fix := fmt.Sprintf("cdk bootstrap %s%s", env, t.profileArg())
	inRegion := func(o *cloudformation.Options) { o.Region = region }
	stacks, err := cloudformation.NewFromConfig(t.Config, inRegion).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(toolkitStack)})
	switch {
	case errorCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist"):
		return problem(fmt.Sprintf("%s is not bootstrapped: no %s stack in %s", env, toolkitStack, region), fix)
	case err != nil:
		return unchecked("read the "+toolkitStack+" stack in "+region, err, "cloudformation:DescribeStacks")
	case len(stacks.Stacks) == 0:
		return problem(fmt.Sprintf("%s is not bootstrapped: no %s stack in %s", env, toolkitStack, region), fix)
	}
	status := string(stacks.Stacks[0].StackStatus)
	if !strings.HasSuffix(status, "_COMPLETE") || strings.Contains(status, "ROLLBACK") || strings.HasPrefix(status, "DELETE") {
		return problem(fmt.Sprintf("%s: the %s stack is %s", env, toolkitStack, status),
			fmt.Sprintf("look at its events (aws cloudformation describe-stack-events --stack-name %s --region %s%s), fix the cause, then %s", toolkitStack, region, t.profileArg(), fix))
	}
	param, err := ssm.NewFromConfig(t.Config, func(o *ssm.Options) { o.Region = region }).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(versionParameter)})
	switch {
	case errorCode(err) == "ParameterNotFound":
		return problem(fmt.Sprintf("%s: %s exists but %s does not: CDK cannot tell the bootstrap's version", env, toolkitStack, versionParameter), fix)
	case err != nil:
		return unchecked("read "+versionParameter+" in "+region, err, "ssm:GetParameter")
	}
	v, err := strconv.Atoi(aws.ToString(param.Parameter.Value))
	if err != nil || v < minBootstrapVersion {
		return problem(fmt.Sprintf("%s: bootstrap version %q, curfew's templates need %d or later", env, aws.ToString(param.Parameter.Value), minBootstrapVersion),
			"bootstrap again with the pinned CDK CLI: "+fix)
	}
	return ok("%s bootstrapped (%s %s, version %d)", env, toolkitStack, status, v)
}
