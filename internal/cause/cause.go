// Package cause turns an error into the few words a person reads about it: which AWS
// call failed and why (throttled, access denied, service error 500, not supported
// here, ...). The SDK's own text — attempts, request ids, status lines, deserialisation
// — stays in the logs and behind --debug.
package cause

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Error codes, by what they mean to a person. Throttling codes are the SDK's own list
// (retry.DefaultThrottleErrorCodes).
var (
	denied = map[string]bool{
		"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
		"UnauthorizedAccess": true, "AuthorizationError": true, "AuthFailure": true,
	}
	badCredentials = map[string]bool{
		"ExpiredToken": true, "ExpiredTokenException": true, "InvalidClientTokenId": true,
		"UnrecognizedClientException": true, "SignatureDoesNotMatch": true,
	}
	unsupported = map[string]bool{
		"UnknownOperationException": true, "InvalidAction": true, "NotImplemented": true,
		"UnsupportedOperation": true,
	}
)

// Of returns the cause of err in a few words: the innermost AWS call that failed (often
// the AssumeRole under another call), then what went wrong — "throttled", "access
// denied", "credentials not valid", "service error 500", "not supported here", "timed
// out", "no connection", "unreadable answer", or the AWS error code — and "after N
// attempts" when the SDK gave up retrying, e.g. "Cost Explorer GetCostForecast: service
// error 500 after 8 attempts". An error from no AWS call is its own text.
func Of(err error) string {
	if err == nil {
		return ""
	}
	var op *smithy.OperationError
	for e := err; e != nil; e = errors.Unwrap(e) {
		if o, ok := e.(*smithy.OperationError); ok {
			op = o
		}
	}
	if op == nil {
		return err.Error()
	}
	why := classify(op)
	var attempts *retry.MaxAttemptsError
	if errors.As(op, &attempts) {
		why += fmt.Sprintf(" after %d attempts", attempts.Attempt)
	}
	return op.Service() + " " + op.Operation() + ": " + why
}

// HTTPStatus is the HTTP status of AWS's answer behind err; 0 when no answer came.
func HTTPStatus(err error) int {
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		return resp.HTTPStatusCode()
	}
	return 0
}

// classify says what went wrong in an AWS call, from the error's code and HTTP status.
func classify(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var code string
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	status := HTTPStatus(err)
	_, throttled := retry.DefaultThrottleErrorCodes[code]
	var send *smithyhttp.RequestSendError
	var unreadable *smithy.DeserializationError
	switch {
	case throttled || status == 429:
		return "throttled"
	case denied[code] || code == "" && status == 403:
		return "access denied"
	case badCredentials[code]:
		return "credentials not valid"
	case unsupported[code] || code == "" && status == 404 || status == 501:
		return "not supported here"
	case status >= 500:
		return fmt.Sprintf("service error %d", status)
	case code != "":
		return code
	case errors.As(err, &send):
		return "no connection"
	case errors.As(err, &unreadable):
		return "unreadable answer"
	case status != 0:
		return fmt.Sprintf("HTTP %d", status)
	}
	return "failed"
}
