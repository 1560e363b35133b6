// Package cdk holds curfew's stacks and constructs: the identity stack, one member stack
// per target account, and the service stack in the home account.
package cdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// CurfewProps configures the whole app.
type CurfewProps struct {
	// LambdaDir holds the built Lambdas, one folder per function with its bootstrap.
	LambdaDir string
}

// Stacks are the stacks of one organisation.
type Stacks struct {
	Identity awscdk.Stack
	Members  map[string]awscdk.Stack
	Service  awscdk.Stack
}

// NewCurfew adds every stack of the account map to scope: curfew-identity,
// curfew-<account> for each target account, and curfew-service in the home account.
func NewCurfew(scope constructs.Construct, m *accounts.Map, props CurfewProps) Stacks {
	s := Stacks{Members: map[string]awscdk.Stack{}}
	s.Identity = newStack(scope, "curfew-identity", m.IdentityAccount().ID, m.HomeRegion,
		"curfew: developers group and CI principal in the identity account")
	for _, a := range m.Targets() {
		s.Members[a.Name] = newStack(scope, "curfew-"+a.Name, a.ID, a.DefaultRegion(),
			"curfew: access roles in account "+a.Name)
	}
	s.Service = newStack(scope, "curfew-service", m.HomeAccount().ID, m.HomeRegion,
		"curfew: shutdown, restart and cost-report Lambdas with their schedules")
	return s
}

func newStack(scope constructs.Construct, name, account, region, description string) awscdk.Stack {
	return awscdk.NewStack(scope, jsii.String(name), &awscdk.StackProps{
		StackName:   jsii.String(name),
		Description: jsii.String(description),
		Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)},
	})
}
