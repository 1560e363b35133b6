package headsup_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/headsup"
)

// The links' URL is the link function's URL, asked of Lambda, unless an override is set.
func TestLinkURL(t *testing.T) {
	s := emulator.Shared(t)
	cfg := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	ctx := t.Context()
	client := emulator.Functions(t, cfg, accounts.SnoozeLinkFunction)
	url, err := client.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(accounts.SnoozeLinkFunction), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}

	if got, err := headsup.LinkURL(ctx, client, accounts.SnoozeLinkFunction, ""); err != nil || got != aws.ToString(url.FunctionUrl) {
		t.Errorf("LinkURL = %q, %v; want the function's URL %q", got, err, aws.ToString(url.FunctionUrl))
	}
	if got, err := headsup.LinkURL(ctx, client, accounts.SnoozeLinkFunction, "https://snooze.example.com/"); err != nil || got != "https://snooze.example.com/" {
		t.Errorf("with an override, LinkURL = %q, %v", got, err)
	}
	for _, tt := range []struct{ function, override, want string }{
		{"", "", "neither the link function's name nor its URL is set"},
		{"curfew-no-such-function", "", "read the URL of curfew-no-such-function"},
		{accounts.SnoozeLinkFunction, "snooze.example.com", "is not an absolute URL"},
	} {
		if _, err := headsup.LinkURL(ctx, client, tt.function, tt.override); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LinkURL(%q, %q): error %v, want %q", tt.function, tt.override, err, tt.want)
		}
	}
}
