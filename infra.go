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
	if _, err := cdk.Build(app, cdk.CurfewProps{LambdaDir: "build/lambda"}); err != nil {
		// Fail before any template is written, naming every bad field.
		fmt.Fprintln(os.Stderr, err)
		jsii.Close()
		os.Exit(1)
	}
	app.Synth(nil)
	jsii.Close()
}
