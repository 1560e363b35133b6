package cdk

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// operatedFunctions are the functions an operator may run by hand: the night shutdown
// (curfew stop, and curfew plan as its dry run), the restart (curfew start) and the cost
// report.
var operatedFunctions = []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction}

// newOperatorRole creates curfew-operator in the home account: the identity account's IAM
// users tagged as operators, with MFA, under the same conditions as DeveloperAccess
// (identityUser), may invoke curfew's functions and read their logs, and nothing else but
// read the cost reports (grantReportReading). It changes nothing of curfew's: no lambda:Update*,
// iam:PassRole, ssm:Put* or sts:AssumeRole is granted.
func newOperatorRole(scope constructs.Construct, m *accounts.Map) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String("Operator"), &awsiam.RoleProps{
		RoleName:           jsii.String(accounts.OperatorRole),
		Description:        jsii.String("curfew: the operators group, with MFA, may run curfew's functions by hand and read their logs"),
		AssumedBy:          identityUser(m, accounts.OperatorTag),
		MaxSessionDuration: developerSession,
		InlinePolicies:     &map[string]awsiam.PolicyDocument{"OperateCurfew": operatorPolicy(m)},
	})
	suppress(role, "AwsSolutions-IAM5", operatorStreamsReason, operatorStreams(m)...)
	return role
}

// operatorPolicy lets an operator invoke curfew's functions and read their logs, and
// nothing else: curfew-operator's policy, and the CurfewOperator permission set's with
// access: identity-center.
func operatorPolicy(m *accounts.Map) awsiam.PolicyDocument {
	home := m.HomeAccount()
	var functions, logs []string
	for _, f := range operatedFunctions {
		functions = append(functions, fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", m.HomeRegion, home.ID, f))
		group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/lambda/%s", m.HomeRegion, home.ID, f)
		// IAM checks log reads against either form of the group's ARN.
		logs = append(logs, group, group+":*")
	}
	return inline(
		allow("InvokeCurfewFunctions", []string{"lambda:InvokeFunction"}, functions, nil),
		// The CLI's answer to a busy or failed run is `aws logs tail
		// /aws/lambda/<function>`: an operator who may restart must be able to see
		// why a restart failed without asking a developer.
		allow("ReadCurfewLogs", []string{"logs:FilterLogEvents", "logs:GetLogEvents"}, logs, nil),
	)
}

// operatorStreamsReason is why operatorPolicy's log streams are a wildcard.
const operatorStreamsReason = "Log events are read per log stream, whose names the functions' runs choose; the streams are those of curfew's three log groups only."

// operatorStreams are the cdk-nag findings of operatorPolicy's log streams.
func operatorStreams(m *accounts.Map) []any {
	var streams []any
	for _, f := range operatedFunctions {
		streams = append(streams, fmt.Sprintf("Resource::arn:aws:logs:%s:%s:log-group:/aws/lambda/%s:*", m.HomeRegion, m.HomeAccount().ID, f))
	}
	return streams
}
