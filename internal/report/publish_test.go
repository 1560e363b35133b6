package report_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/report"
)

func TestSlackWebhookMustBeASecretHTTPSURL(t *testing.T) {
	home := emulator.Shared(t).Account(t, emulator.NewAccountID(), "eu-west-1")
	ssmc := ssm.NewFromConfig(home)
	failing := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer failing.Close()
	secret := failing.URL + "/services/T0/B0/secret-token"
	for name, p := range map[string]struct {
		kind  ssmtypes.ParameterType
		value string
	}{
		"/curfew/plain":     {ssmtypes.ParameterTypeString, secret},
		"/curfew/http":      {ssmtypes.ParameterTypeSecureString, "http://hooks.example.com/services/x"},
		"/curfew/forbidden": {ssmtypes.ParameterTypeSecureString, secret},
	} {
		if _, err := ssmc.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String(name), Type: p.kind, Value: aws.String(p.value)}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		parameter, want string
	}{
		{"/curfew/missing", "no Slack webhook parameter"},
		{"/curfew/plain", "is not a SecureString"},
		{"/curfew/http", "does not hold an https URL"},
		{"/curfew/forbidden", "HTTP 403: invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.parameter, func(t *testing.T) {
			p := report.Publisher{SSM: ssmc, HTTP: failing.Client(), SlackParameter: tt.parameter}
			err := p.Slack(t.Context(), "subject", "text", report.Link{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Slack = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("the error shows the webhook URL: %v", err)
			}
			if missing := errors.Is(err, report.ErrNoSlack); missing != (tt.parameter == "/curfew/missing") {
				t.Errorf("errors.Is(ErrNoSlack) = %v for %s", missing, tt.parameter)
			}
		})
	}
}
