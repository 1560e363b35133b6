package cdk

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/curfew/curfew/internal/accounts"
)

// Session and MFA bounds of the roles humans and pipelines assume.
var (
	// developerSession bounds a DeveloperAccess session: half a working day. The CLI caps
	// the generated profiles' duration_seconds with the same constant.
	developerSession = awscdk.Duration_Seconds(jsii.Number(accounts.DeveloperSessionMax.Seconds()))
	// mfaMaxAgeSeconds bounds how long ago the developer signed in with MFA: one working day.
	// `curfew credentials` asks for MFA sessions of the same length.
	mfaMaxAgeSeconds = int(accounts.MFASessionMax.Seconds())
	// serviceSession bounds every non-human session: CI jobs and curfew's Lambdas.
	serviceSession = awscdk.Duration_Hours(jsii.Number(1))
)

// rootARN is an account's root principal: "any principal of the account whose own policy
// allows it", narrowed further by the trust policy's conditions.
func rootARN(a accounts.Account) string {
	return "arn:aws:iam::" + a.ID + ":root"
}

// trustAccountPrincipals trusts principals of account a whose ARN is one of arns. Naming
// the account root with an aws:PrincipalArn condition, rather than the principals
// themselves, lets this stack deploy before the stack that creates them: IAM refuses a
// trust policy whose principal does not exist yet.
func trustAccountPrincipals(a accounts.Account, arns ...string) awsiam.IPrincipal {
	return awsiam.NewArnPrincipal(jsii.String(rootARN(a))).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": oneOrMany(arns)},
	})
}

// trustCurfewLambdas trusts the roles of curfew's functions in the home account, when they
// present the map's ExternalId.
func trustCurfewLambdas(m *accounts.Map, functions ...string) awsiam.IPrincipal {
	arns := make([]string, len(functions))
	for i, f := range functions {
		arns[i] = m.LambdaRoleARN(f)
	}
	return awsiam.NewArnPrincipal(jsii.String(rootARN(m.HomeAccount()))).WithConditions(&map[string]any{
		"StringEquals": map[string]any{"sts:ExternalId": m.ExternalID},
		"ArnEquals":    map[string]any{"aws:PrincipalArn": oneOrMany(arns)},
	})
}

// oneOrMany renders a single condition value as a string, as IAM itself does.
func oneOrMany(values []string) any {
	if len(values) == 1 {
		return values[0]
	}
	return values
}

// awsManagedPolicyARN matches the ARN form of an AWS managed policy in the account map.
var awsManagedPolicyARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::aws:policy/`)

// managedPolicies turns the account map's AWS managed policy names (or ARNs) into policies
// of the stack's partition, and returns the cdk-nag findings they raise.
func managedPolicies(names []string) ([]awsiam.IManagedPolicy, []any) {
	var policies []awsiam.IManagedPolicy
	var findings []any
	for _, n := range names {
		n = awsManagedPolicyARN.ReplaceAllString(n, "")
		policies = append(policies, awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(n)))
		findings = append(findings, "Policy::arn:<AWS::Partition>:iam::aws:policy/"+n)
	}
	return policies, findings
}

// inline is a policy document of statements.
func inline(statements ...awsiam.PolicyStatement) awsiam.PolicyDocument {
	return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements})
}

// allow is an Allow statement.
func allow(sid string, actions, resources []string, conditions map[string]any) awsiam.PolicyStatement {
	return statement(awsiam.Effect_ALLOW, sid, actions, resources, conditions)
}

// deny is a Deny statement.
func deny(sid string, actions, resources []string, conditions map[string]any) awsiam.PolicyStatement {
	return statement(awsiam.Effect_DENY, sid, actions, resources, conditions)
}

func statement(effect awsiam.Effect, sid string, actions, resources []string, conditions map[string]any) awsiam.PolicyStatement {
	props := &awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Effect:    effect,
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	}
	if conditions != nil {
		props.Conditions = &conditions
	}
	return awsiam.NewPolicyStatement(props)
}

// suppress records why a cdk-nag rule does not apply to construct (and its children),
// optionally only for the listed findings.
func suppress(construct constructs.IConstruct, rule, reason string, appliesTo ...any) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// cdknagRegex matches cdk-nag findings by an ECMA-262 regular expression.
func cdknagRegex(expression string) any {
	return &cdknag.RegexAppliesTo{Regex: jsii.String(expression)}
}
