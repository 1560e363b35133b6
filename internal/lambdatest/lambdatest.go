// Package lambdatest runs curfew's Lambda binaries in tests as Lambda runs them, through
// package lambdarun: built from lambdas/<name> for the host and served by the AWS Lambda
// Runtime Interface Emulator on 127.0.0.1, stopped when the test ends.
package lambdatest

import (
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/lambdarun"
)

// Function is one Lambda binary running under the emulator.
type Function = lambdarun.Function

// FunctionError is a handler error answered by the emulator.
type FunctionError = lambdarun.FunctionError

// Start builds lambdas/<name> for the host (with -tags lambda.norpc, as deployed) and runs
// it under the emulator with the account map m in its task root, as the deployed code
// carries it, and exactly env (plus PATH, LAMBDA_TASK_ROOT, and HOME set to an empty
// directory so no developer configuration leaks in). The emulator passes env on to the
// function. It is stopped, with every process it started, when the test ends.
func Start(t testing.TB, name string, m *accounts.Map, env map[string]string) *Function {
	t.Helper()
	f, err := lambdarun.Start(t.Context(), lambdarun.Options{Name: name, Map: m, Env: env, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}
