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
	"io"
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
	// IdentityCenter is curfew-identity-center with access: identity-center, else nil.
	IdentityCenter awscdk.Stack
	// Organization is curfew-organization, or nil when the map has no organization.
	Organization awscdk.Stack
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
// curfew-<account> for each target account, curfew-service in the home account and, when
// the map has an organization, curfew-organization in its management account. A map
// whose stacks would break IAM's quotas (see limits.go) adds nothing and returns an error
// naming each problem.
func NewCurfew(scope constructs.Construct, m *accounts.Map, props CurfewProps) (Stacks, error) {
	if err := checkLimits(m); err != nil {
		return Stacks{}, err
	}
	code, err := stageFunctions(props.LambdaDir, filepath.Join(outdir(scope), stagedFunctionsDir), m)
	if err != nil {
		return Stacks{}, err
	}
	s := Stacks{Members: map[string]awscdk.Stack{}}
	if m.Organization != nil {
		s.Organization, err = NewOrganizationStack(scope, OrganizationStackName, &OrganizationStackProps{
			StackProps: stackProps(OrganizationStackName, m.ManagementAccountID(), m.HomeRegion,
				"curfew: organisation reader and the StackSets that give every account of the map's units its roles"),
			Map:    m,
			Outdir: filepath.Join(outdir(scope), stackSetsDir),
		})
		if err != nil {
			return Stacks{}, err
		}
	}
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
		Map:       m,
		LambdaDir: code,
	})
	if m.UsesIdentityCenter() {
		s.IdentityCenter = NewIdentityCenterStack(scope, IdentityCenterStackName, &IdentityCenterStackProps{
			StackProps: stackProps(IdentityCenterStackName, m.IdentityCenterAccountID(), m.IdentityCenter.Region,
				"curfew: DeveloperAccess permission sets and their assignments in IAM Identity Center"),
			Map: m,
		})
	}
	return s, nil
}

// stagedFunctionsDir is the folder of the cloud assembly's output directory where
// stageFunctions puts each function's code before CDK packs it as an asset.
const stagedFunctionsDir = "curfew-functions"

// stageFunctions copies each built function from lambdaDir into a folder of its own under
// dir, next to the account map (accounts.FunctionMapFile), and returns dir: CDK then ships
// each folder as the function's code, and the function reads the map from its task root
// at cold start.
//
// The map travels inside the code, and not in an environment variable, an SSM parameter
// or an S3 object, because:
//   - it has no ceiling that matters: Lambda allows 4 KB for a function's whole
//     environment (about ten accounts), SSM parameters 4 KB (8 KB advanced), while the code
//     may be 250 MB unzipped; a 500-account map is about 120 KB (accounts.Parse accepts
//     256 KiB, about 1,080 accounts);
//   - it deploys atomically with the code that reads it: one zip, one code update, rolled
//     back together, and a changed map changes the asset's hash, so `cdk deploy
//     curfew-service` updates the functions. A parameter or object could change without a
//     deploy, but the map also decides the IAM policies, schedules and roles of every
//     stack, which change only by deploying: a map ahead of its stacks would name accounts
//     whose roles the functions may not assume yet;
//   - the cold start reads a local file: no API call, permission, network failure or
//     latency before the map is validated, and a bad map stops the function before any
//     AWS call;
//   - the CLI reads the same file the app was synthesised from (`curfew --map`, default
//     accounts.yaml), byte for byte the map the functions were given.
func stageFunctions(lambdaDir, dir string, m *accounts.Map) (string, error) {
	folders := functionFolders(m)
	if err := checkLambdas(lambdaDir, folders); err != nil {
		return "", err
	}
	for _, folder := range folders {
		dst := filepath.Join(dir, folder)
		// A folder left by an earlier synthesis may hold an older map or binary.
		if err := os.RemoveAll(dst); err != nil {
			return "", fmt.Errorf("stage the %s function: %w", folder, err)
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return "", fmt.Errorf("stage the %s function: %w", folder, err)
		}
		if err := copyFile(filepath.Join(lambdaDir, folder, "bootstrap"), filepath.Join(dst, "bootstrap")); err != nil {
			return "", fmt.Errorf("stage the %s function: %w", folder, err)
		}
		if err := m.WriteFunctionMap(dst); err != nil {
			return "", fmt.Errorf("stage the %s function: %w", folder, err)
		}
	}
	return dir, nil
}

// outdir is the output directory of the cloud assembly that scope belongs to: its own if
// scope is the app (or another stage), else its stage's.
func outdir(scope constructs.Construct) string {
	if stage, ok := scope.(awscdk.Stage); ok {
		return *stage.Outdir()
	}
	return *awscdk.Stage_Of(scope).Outdir()
}

// copyFile copies an executable.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// checkLambdas fails, naming what to run, when a function was not built: CDK would
// otherwise stop with a stack trace from the asset code.
func checkLambdas(dir string, folders []string) error {
	var missing []error
	for _, folder := range folders {
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
