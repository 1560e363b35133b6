package function

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/snoozelink"
)

// SnoozeLink serves the snooze link function (issue 30): the page a heads-up's link
// opens, and the snooze its button applies, through each swept account's
// CurfewSnoozeLink role; with the map's headsUp.slackSigningSecret, the presses of the
// heads-up's buttons in Slack too. It reads the signing key and the Slack secret once, at
// cold start. It does not return.
func SnoozeLink(env Env) {
	log := lambdacontext.NewLogger()
	m, cfg, err := load(env)
	if err != nil {
		log.Error("start the function", "error", err.Error())
		os.Exit(1)
	}
	bucket := env("CURFEW_BUCKET")
	if bucket == "" {
		log.Error("start the function", "error", "CURFEW_BUCKET is not set: the links are kept in the history bucket")
		os.Exit(1)
	}
	ssmc := ssm.NewFromConfig(cfg)
	key, err := snoozelink.LoadKey(context.Background(), ssmc)
	if err != nil {
		log.Error("start the function", "error", err.Error())
		os.Exit(1)
	}
	var slackSecret []byte
	if name := m.SlackSigningSecret(); name != "" {
		// The map asks for Slack's buttons: without their secret, none could be checked.
		if slackSecret, err = snoozelink.LoadSlackSecret(context.Background(), ssmc, name); err != nil {
			log.Error("start the function", "error", err.Error())
			os.Exit(1)
		}
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	h := &snoozelink.Handler{
		Map: m, Key: key, Logger: log, SlackSecret: slackSecret,
		Store:   snoozelink.Store{Client: client, Bucket: bucket},
		Connect: snoozelink.AssumeSnoozeRole(cfg, m.ExternalID),
	}
	if len(slackSecret) > 0 {
		// Slack shows the answer to a press posted to its response_url, within its 3 s.
		h.SlackReply = &http.Client{Timeout: 2 * time.Second}
	}
	if m.Organization != nil {
		// Links of accounts found in the map's units: the list the shutdown publishes.
		h.Found = snoozelink.FoundAccounts(accountlist.Store{Client: client, Bucket: accountlist.Bucket(m), Owner: m.HomeAccount().ID}, m)
	}
	lambda.Start(h.Handle)
}
