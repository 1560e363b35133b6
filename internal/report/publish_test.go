package report_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/notify/notifytest"
	"github.com/curfew/curfew/internal/report"
)

func TestSlackWebhookMustBeASecretHTTPSURL(t *testing.T) {
	home := emulator.Shared(t).Account(t, emulator.NewAccountID(), "eu-west-1")
	ssmc := ssm.NewFromConfig(home)
	failing := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	defer failing.Close()
	secret := "https://hooks.slack.com/services/T0/B0/secret-token"
	for name, p := range map[string]struct {
		kind  ssmtypes.ParameterType
		value string
	}{
		"/curfew/plain":     {ssmtypes.ParameterTypeString, secret},
		"/curfew/http":      {ssmtypes.ParameterTypeSecureString, "http://hooks.slack.com/services/T0/B0/secret-token"},
		"/curfew/forbidden": {ssmtypes.ParameterTypeSecureString, secret},
		// Other hosts, and Slack's name where it is not the host.
		"/curfew/other-host":  {ssmtypes.ParameterTypeSecureString, failing.URL + "/services/T0/B0/secret-token"},
		"/curfew/suffix":      {ssmtypes.ParameterTypeSecureString, "https://hooks.slack.com.example.com/services/T0/B0/secret-token"},
		"/curfew/userinfo":    {ssmtypes.ParameterTypeSecureString, "https://hooks.slack.com@example.com/services/T0/B0/secret-token"},
		"/curfew/credentials": {ssmtypes.ParameterTypeSecureString, "https://user:secret-token@hooks.slack.com/services/T0/B0/x"},
		"/curfew/port":        {ssmtypes.ParameterTypeSecureString, "https://hooks.slack.com:8443/services/T0/B0/secret-token"},
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
		{"/curfew/http", "does not hold an https://hooks.slack.com/ URL"},
		{"/curfew/forbidden", "HTTP 403: invalid_token"},
		{"/curfew/other-host", "does not hold an https://hooks.slack.com/ URL"},
		{"/curfew/suffix", "does not hold an https://hooks.slack.com/ URL"},
		{"/curfew/userinfo", "does not hold an https://hooks.slack.com/ URL"},
		{"/curfew/credentials", "does not hold an https://hooks.slack.com/ URL"},
		{"/curfew/port", "does not hold an https://hooks.slack.com/ URL"},
	}
	for _, tt := range tests {
		t.Run(tt.parameter, func(t *testing.T) {
			p := report.Publisher{SSM: ssmc, HTTP: notifytest.SlackClient(failing), SlackParameter: tt.parameter}
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

// TestSlackWebhookNeverFollowsRedirects answers the post to Slack's host with a redirect
// elsewhere: the report must not follow it, and the post counts as failed.
func TestSlackWebhookNeverFollowsRedirects(t *testing.T) {
	home := emulator.Shared(t).Account(t, emulator.NewAccountID(), "eu-west-1")
	ssmc := ssm.NewFromConfig(home)
	var elsewhere atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			slack := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/collect", code)
			}))
			defer slack.Close()
			name := "/curfew/redirect"
			if _, err := ssmc.PutParameter(t.Context(), &ssm.PutParameterInput{Name: aws.String(name), Overwrite: aws.Bool(true),
				Type: ssmtypes.ParameterTypeSecureString, Value: aws.String("https://hooks.slack.com/services/T0/B0/secret-token")}); err != nil {
				t.Fatal(err)
			}
			// The client would follow redirects and trusts the other server: only the
			// publisher can refuse.
			client := notifytest.SlackClient(slack)
			client.CheckRedirect = nil
			p := report.Publisher{SSM: ssmc, HTTP: client, SlackParameter: name}
			err := p.Slack(t.Context(), "subject", "text", report.Link{})
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("HTTP %d", code)) {
				t.Fatalf("Slack = %v, want the redirect as a failure", err)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the redirect was followed: %d requests elsewhere", n)
			}
		})
	}
}
