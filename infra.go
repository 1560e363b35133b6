// Command infra is curfew's CDK app: it reads the account map and synthesises one stack
// per account (curfew-identity, curfew-<account>) plus curfew-service in the home account.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/cdk"
)

func main() {
	app := awscdk.NewApp(nil)
	if _, err := cdk.Build(app, cdk.CurfewProps{LambdaDir: lambdaDir(app)}); err != nil {
		// Fail before any template is written, naming every bad field.
		fmt.Fprintln(os.Stderr, err)
		jsii.Close()
		os.Exit(1)
	}
	assembly := app.Synth(nil)
	// IAM enforces its quotas only at deploy, account by account, and the emulator not at
	// all: refuse here, naming every document, so that `cdk synth` and `cdk deploy` stop.
	err := cdk.CheckTemplateFiles(*assembly.Directory())
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// lambdaDir is where the built functions are: `make lambdas` writes them to build/lambda
// (linux/arm64, what Lambda runs); `-c lambdaDir=DIR` names another folder of the same
// shape, such as the demo's builds for this machine, which only the emulator runs.
func lambdaDir(app awscdk.App) string {
	if dir, ok := app.Node().TryGetContext(jsii.String("lambdaDir")).(string); ok && dir != "" {
		return dir
	}
	return "build/lambda"
}
