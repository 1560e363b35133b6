// Command infra is curfew's CDK app: it reads the account map and synthesises one stack
// per account (curfew-identity, curfew-<account>) plus curfew-service in the home account.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	path, _ := app.Node().TryGetContext(jsii.String("accountMap")).(string)
	if path == "" {
		path = "accounts.yaml"
	}
	m, err := accounts.Load(path)
	if err != nil {
		// Fail before any template is written, naming every bad field.
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: "build/lambda"})
	app.Synth(nil)
}
