package headsup

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// FunctionURLAPI is the part of the Lambda client that finds the link function's URL.
type FunctionURLAPI interface {
	GetFunctionUrlConfig(context.Context, *lambda.GetFunctionUrlConfigInput, ...func(*lambda.Options)) (*lambda.GetFunctionUrlConfigOutput, error)
}

var _ FunctionURLAPI = (*lambda.Client)(nil)

// LinkURL returns the URL the links open: override when it is set (a custom domain, a
// test), else the function URL of the link function, asked of Lambda (once, at a cold
// start: no template can name it, since the emulator's CloudFormation does not know
// function URLs).
func LinkURL(ctx context.Context, c FunctionURLAPI, function, override string) (string, error) {
	raw := override
	if raw == "" {
		if function == "" {
			return "", errors.New("neither the link function's name nor its URL is set")
		}
		out, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(function)})
		if err != nil {
			return "", fmt.Errorf("read the URL of %s: %w", function, err)
		}
		raw = aws.ToString(out.FunctionUrl)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("the link function's URL %q is not an absolute URL", raw)
	}
	return raw, nil
}
