// Package cdk holds curfew's stacks and constructs: the identity stack, one member stack
// per target account, and the service stack in the home account.
//
// Stacks in different accounts cannot import each other's outputs, so every role another
// account refers to has a fixed name from package accounts, and trust policies name the
// other account's root with an aws:PrincipalArn condition rather than a role or user that
// may not exist yet: the stacks deploy in any order.
package cdk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// MapContextKey is the CDK context key that names the account map file
// (`cdk synth -c accountMap=path/to/map.yaml`).
const MapContextKey = "accountMap"

// DefaultMapPath is the account map read when the context names none.
const DefaultMapPath = "accounts.yaml"

// CurfewProps configures the whole app.
type CurfewProps struct {
	// LambdaDir holds the built Lambdas, one folder per function with its bootstrap.
	LambdaDir string
}

// Stacks are the stacks of one organisation.
type Stacks struct {
	Identity awscdk.Stack
	// Members maps each target account's name to its stack.
	Members map[string]awscdk.Stack
	Service awscdk.Stack
}

// Build reads the account map named by the app's context and adds every stack to app. A
// map that fails to load or validate adds nothing and returns the error, which lists
// every problem.
func Build(app awscdk.App, props CurfewProps) (Stacks, error) {
	path, _ := app.Node().TryGetContext(jsii.String(MapContextKey)).(string)
	if path == "" {
		path = DefaultMapPath
	}
	m, err := accounts.Load(path)
	if err != nil {
		return Stacks{}, err
	}
	return NewCurfew(app, m, props)
}

// NewCurfew adds every stack of the account map to scope: curfew-identity,
// curfew-<account> for each target account, and curfew-service in the home account.
func NewCurfew(scope constructs.Construct, m *accounts.Map, props CurfewProps) (Stacks, error) {
	config, err := lambdaConfig(m)
	if err != nil {
		return Stacks{}, err
	}
	if err := checkLambdas(props.LambdaDir); err != nil {
		return Stacks{}, err
	}
	s := Stacks{Members: map[string]awscdk.Stack{}}
	s.Identity = NewIdentityStack(scope, "curfew-identity", &IdentityStackProps{
		StackProps: stackProps("curfew-identity", m.IdentityAccount().ID, m.HomeRegion,
			"curfew: developers group, CI principal and cost reader in the identity account"),
		Map: m,
	})
	for _, a := range m.Targets() {
		name := "curfew-" + a.Name
		s.Members[a.Name] = NewMemberStack(scope, name, &MemberStackProps{
			StackProps: stackProps(name, a.ID, a.DefaultRegion(), "curfew: access roles in account "+a.Name),
			Map:        m,
			Account:    a,
		})
	}
	s.Service = NewServiceStack(scope, "curfew-service", &ServiceStackProps{
		StackProps: stackProps("curfew-service", m.HomeAccount().ID, m.HomeRegion,
			"curfew: shutdown, restart and cost-report Lambdas with their schedules"),
		Map:        m,
		LambdaDir:  props.LambdaDir,
		EncodedMap: config,
	})
	return s, nil
}

// maxEncodedMap keeps the account map, with the other variables, under Lambda's 4 KB
// limit for a function's whole environment.
const maxEncodedMap = 3584

// lambdaConfig is the account map as the Lambdas receive it.
func lambdaConfig(m *accounts.Map) (string, error) {
	data, err := m.Encode()
	if err != nil {
		return "", fmt.Errorf("encode the account map for the Lambdas: %w", err)
	}
	if len(data) > maxEncodedMap {
		return "", fmt.Errorf("the account map encodes to %d bytes, more than the %d that fit in a Lambda environment variable: shorten names or split the organisation", len(data), maxEncodedMap)
	}
	return string(data), nil
}

// checkLambdas fails, naming what to run, when a function was not built: CDK would
// otherwise stop with a stack trace from the asset code.
func checkLambdas(dir string) error {
	var missing []error
	for _, folder := range []string{ShutdownFolder, RestartFolder, CostReportFolder} {
		path := filepath.Join(dir, folder, "bootstrap")
		if _, err := os.Stat(path); err != nil {
			missing = append(missing, fmt.Errorf("missing %s: build the Lambdas first with `make lambdas`", path))
		}
	}
	return errors.Join(missing...)
}

func stackProps(name, account, region, description string) awscdk.StackProps {
	return awscdk.StackProps{
		StackName:   jsii.String(name),
		Description: jsii.String(description),
		Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)},
	}
}
