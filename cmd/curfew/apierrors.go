package main

import (
	"errors"

	"github.com/aws/smithy-go"
)

// apiErrorCode is the AWS error code of err, "" when err is no AWS API error.
func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
