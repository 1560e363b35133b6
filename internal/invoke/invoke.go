// Package invoke runs curfew's shutdown and restart functions on demand, as `curfew
// stop`, `start` and `plan` do, and reads what their report says: what failed, and which
// requested resource ids matched nothing.
package invoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/curfew/curfew/internal/fleet"
)

var (
	// ErrRunFailed means the function ran but some of its actions failed, or it failed.
	ErrRunFailed = errors.New("run failed")
	// ErrRefused means the function refused to run because another run holds the lease of
	// an account it would visit (internal/lease: the function's errorType is HeldError);
	// it changed nothing.
	ErrRefused = errors.New("refused by a lease")
	// ErrInterrupted means the caller gave up waiting (Ctrl-C) after the invocation was
	// sent: the function goes on running in AWS, and its answer is lost.
	ErrInterrupted = errors.New("interrupted")
	// ErrUnmatched means a requested resource id matched nothing the run visited.
	ErrUnmatched = errors.New("no such resource")
)

// LambdaAPI is the part of the Lambda client an invocation uses.
type LambdaAPI interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var _ LambdaAPI = (*lambda.Client)(nil)

// Call runs the function synchronously and decodes its report, returning the raw answer
// too (for --json). A function error (the handler returned an error or crashed) is
// ErrRunFailed naming its type and message; a held lease is also ErrRefused. When ctx
// ends after the request went out, the error is ErrInterrupted: the run goes on in AWS.
func Call(ctx context.Context, client LambdaAPI, function string, req fleet.Payload) (fleet.Report, []byte, error) {
	var rep fleet.Report
	payload, err := json.Marshal(req)
	if err != nil {
		return rep, nil, err
	}
	if err := ctx.Err(); err != nil {
		return rep, nil, fmt.Errorf("%s was not invoked: %w", function, err)
	}
	out, err := client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(function),
		InvocationType: lambdatypes.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return rep, nil, fmt.Errorf("%w: %s was invoked and no answer was awaited", ErrInterrupted, function)
	}
	if err != nil {
		return rep, nil, err
	}
	if fe := aws.ToString(out.FunctionError); fe != "" {
		var e struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
		_ = json.Unmarshal(out.Payload, &e)
		if e.Message == "" {
			e.Message = string(out.Payload)
		}
		if e.Type == "HeldError" {
			return rep, nil, fmt.Errorf("%w: %w: %s", ErrRunFailed, ErrRefused, e.Message)
		}
		return rep, nil, fmt.Errorf("%w: the function returned an error (%s): %s: %s", ErrRunFailed, fe, e.Type, e.Message)
	}
	if err := json.Unmarshal(out.Payload, &rep); err != nil {
		return rep, nil, fmt.Errorf("decode the report %q: %w", truncate(out.Payload, 200), err)
	}
	return rep, out.Payload, nil
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// Unmatched returns the requested resource ids the report holds nothing of, when every
// account×region of the run was looked at (a pair that failed or was not reached may
// hold any of them, and already fails the run). The shutdown and restart report only
// what they could act on, so an unmatched id does not exist there, or is already
// stopped (or, for start, was not stopped by curfew).
func Unmatched(rep fleet.Report, ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	var seen []string
	for _, res := range rep.Results {
		if res.Status == fleet.Failed || res.Status == fleet.NotReached {
			return nil
		}
		for _, x := range res.Resources {
			seen = append(seen, x.ID)
		}
	}
	var out []string
	for _, id := range ids {
		if !slices.Contains(seen, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Failures says what failed, for the exit error of a report that Failed().
func Failures(t fleet.Totals) string {
	var parts []string
	if t.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d resource(s) failed", t.Failed))
	}
	if t.PairsFailed > 0 {
		parts = append(parts, fmt.Sprintf("%d account×region pair(s) failed", t.PairsFailed))
	}
	if t.PairsNotReached > 0 {
		parts = append(parts, fmt.Sprintf("%d account×region pair(s) not reached before the deadline", t.PairsNotReached))
	}
	if t.AccountErrors > 0 {
		parts = append(parts, fmt.Sprintf("%d account(s) or unit(s) of the map could not be settled (see accounts not visited)", t.AccountErrors))
	}
	return strings.Join(parts, ", ")
}
