package causetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// Case is an error as the SDK returns it, and the cause a person should read.
type Case struct {
	Name  string
	Err   error
	Cause string
}

// Errors returns real SDK errors of each kind a person may meet: the Cost Explorer
// client's GetCostForecast, retried 8 times as curfew's clients retry (at once), against
// a local server answering as moto does for an API it lacks (HTML 500), as AWS does when
// it throttles or refuses, for an API the endpoint does not have (404), with an unknown
// error code, an unreadable answer, and no server at all; and an error from no AWS call.
func Errors(t testing.TB) []Case {
	t.Helper()
	const op = "Cost Explorer GetCostForecast: "
	json := "application/x-amz-json-1.1"
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	return []Case{
		{"moto's missing API: HTML 500, retried", answer(t, 500, "text/html", "<!doctype html><title>NotImplementedError</title>"),
			op + "service error 500 after 8 attempts"},
		{"throttled, retried", answer(t, 400, json, `{"__type":"ThrottlingException","message":"Rate exceeded"}`),
			op + "throttled after 8 attempts"},
		{"access denied", answer(t, 400, json, `{"__type":"AccessDeniedException","message":"User: arn:aws:sts::1:assumed-role/x is not authorized"}`),
			op + "access denied"},
		{"expired credentials", answer(t, 400, json, `{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}`),
			op + "credentials not valid"},
		{"an API the endpoint does not have", answer(t, 404, "text/html", "<html>Not yet implemented</html>"),
			op + "not supported here"},
		{"another AWS error: its code", answer(t, 400, json, `{"__type":"DataUnavailableException","message":"Insufficient amount of historical data"}`),
			op + "DataUnavailableException"},
		{"unreadable answer", answer(t, 200, json, `{"Total":`), op + "unreadable answer"},
		{"no connection, retried", call(t, closed.URL), op + "no connection after 8 attempts"},
		{"not an AWS error: its own text", fmt.Errorf("read daily costs: %w", errors.New("no results from Cost Explorer")),
			"read daily costs: no results from Cost Explorer"},
	}
}

// answer is the error of a call to a server that answers status and body.
func answer(t testing.TB, status int, contentType, body string) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	return call(t, srv.URL)
}

// call is the error of GetCostForecast against endpoint.
func call(t testing.TB, endpoint string) error {
	t.Helper()
	c := costexplorer.New(costexplorer.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), Credentials: aws.AnonymousCredentials{},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 8
			o.Backoff = noBackoff{}
			o.RateLimiter = noRateLimit{}
		}),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.GetCostForecast(ctx, &costexplorer.GetCostForecastInput{
		Granularity: types.GranularityMonthly, Metric: types.MetricAmortizedCost,
		TimePeriod: &types.DateInterval{Start: aws.String("2026-12-07"), End: aws.String("2027-01-01")}})
	if err == nil {
		t.Fatalf("GetCostForecast against %s succeeded", endpoint)
	}
	return err
}

// noBackoff retries at once, so that 8 attempts take no time.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// noRateLimit lets every retry through: the retry quota would cut the retries of a test
// that makes several failing calls short.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}

func (noRateLimit) AddTokens(uint) error { return nil }
