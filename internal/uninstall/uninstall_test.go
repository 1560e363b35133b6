package uninstall

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/invoke"
)

// waitingLambda is a function that runs until the caller gives up: the fault of a person
// pressing Ctrl-C mid-run.
type waitingLambda struct{ sent chan struct{} }

func (w waitingLambda) Invoke(ctx context.Context, _ *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	close(w.sent)
	<-ctx.Done()
	return nil, ctx.Err()
}

// Issue 28, item 3: Ctrl-C while uninstall's restart runs says the run goes on in AWS and
// to run uninstall again; it blames no deployment.
func TestInterruptedUninstallSaysTheRunGoesOn(t *testing.T) {
	m, err := accounts.Load("../../cmd/curfew/testdata/accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lambda := waitingLambda{sent: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-lambda.sent; cancel() }()
	var out strings.Builder
	err = Uninstall{Map: m, MapPath: "accounts.yaml", Client: lambda, Out: &out}.Run(ctx)
	if !errors.Is(err, invoke.ErrInterrupted) || !strings.Contains(err.Error(), "the run was sent; it continues in AWS") ||
		!strings.Contains(err.Error(), "next: run curfew uninstall again") || strings.Contains(err.Error(), "must still be deployed") {
		t.Errorf("error = %v", err)
	}
	if strings.Contains(out.String(), "cdk destroy") {
		t.Errorf("an interrupted uninstall printed the destroy commands:\n%s", out.String())
	}
}
