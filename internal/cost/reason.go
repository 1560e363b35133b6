package cost

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Reason is a short cause of err for people reading the report: the innermost AWS call
// that failed with its error code and message (often the AssumeRole under a Cost
// Explorer call), else the error's text.
func Reason(err error) string {
	var op *smithy.OperationError
	for e := err; e != nil; e = errors.Unwrap(e) {
		if o, ok := e.(*smithy.OperationError); ok {
			op = o
		}
	}
	if op == nil {
		return err.Error()
	}
	var api smithy.APIError
	if errors.As(op, &api) {
		return fmt.Sprintf("%s %s: %s: %s", op.Service(), op.Operation(), api.ErrorCode(), api.ErrorMessage())
	}
	return fmt.Sprintf("%s %s: %v", op.Service(), op.Operation(), op.Unwrap())
}
