package lambdarun

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// invokerFunc is an Invoker of a plain function.
type invokerFunc func(ctx context.Context, payload any) (json.RawMessage, error)

func (f invokerFunc) Invoke(ctx context.Context, payload any) (json.RawMessage, error) {
	return f(ctx, payload)
}

// The SDK's Lambda client, pointed at the router, gets what the Lambda service answers:
// the payload, a function error, a ResourceNotFoundException, a refused invocation type.
func TestRouterAnswersAsLambda(t *testing.T) {
	echo := invokerFunc(func(_ context.Context, payload any) (json.RawMessage, error) {
		return json.RawMessage(`{"got":` + string(payload.([]byte)) + `}`), nil
	})
	failing := invokerFunc(func(context.Context, any) (json.RawMessage, error) {
		return nil, &FunctionError{Type: "errorString", Message: "refused"}
	})
	router := NewRouter(map[string]Invoker{"echo": echo, "failing": failing})
	srv := httptest.NewServer(router)
	defer srv.Close()
	client := lambda.NewFromConfig(aws.Config{
		Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
	})
	invoke := func(name string, t lambdatypes.InvocationType) (*lambda.InvokeOutput, error) {
		return client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: t, Payload: []byte(`{"a":1}`)})
	}

	out, err := invoke("echo", lambdatypes.InvocationTypeRequestResponse)
	if err != nil || string(out.Payload) != `{"got":{"a":1}}` || out.FunctionError != nil {
		t.Errorf("echo: %v %s", err, out.Payload)
	}
	if out, err := invoke("arn:aws:lambda:eu-west-1:111111111111:function:echo", ""); err != nil || string(out.Payload) != `{"got":{"a":1}}` {
		t.Errorf("echo by ARN: %v", err)
	}
	out, err = invoke("failing", lambdatypes.InvocationTypeRequestResponse)
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorMessage":"refused"`) {
		t.Errorf("failing: %v %+v", err, out)
	}
	var notFound *lambdatypes.ResourceNotFoundException
	if _, err := invoke("missing", lambdatypes.InvocationTypeRequestResponse); !errors.As(err, &notFound) {
		t.Errorf("missing: %v, want ResourceNotFoundException", err)
	}
	var invalid *lambdatypes.InvalidParameterValueException
	if _, err := invoke("echo", lambdatypes.InvocationTypeEvent); !errors.As(err, &invalid) {
		t.Errorf("asynchronous: %v, want InvalidParameterValueException", err)
	}
	var names []string
	for _, c := range router.Calls() {
		names = append(names, c.Function)
	}
	if got := strings.Join(names, " "); got != "echo echo failing missing" {
		t.Errorf("calls %q", got)
	}
}
