package function

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/notify"
	"github.com/curfew/curfew/internal/snoozelink"
)

// linkIssuer builds the links' issuer: the signing key (created when missing) and the
// history bucket where each link is stored, under the link function's URL.
func linkIssuer(ctx context.Context, ssmc *ssm.Client, s3c *s3.Client, bucket, baseURL string) (snoozelink.Issuer, error) {
	key, err := snoozelink.EnsureKey(ctx, ssmc)
	if err != nil {
		return nil, err
	}
	return snoozelink.NewIssuer(key, s3c, bucket, baseURL)
}

// HeadsUp serves the heads-up function (issue 30): before each stop it plans the stop
// through the shutdown function (CURFEW_SHUTDOWN_FUNCTION), issues the links (stored in
// CURFEW_BUCKET, answered by the link function CURFEW_LINK_FUNCTION, whose URL
// CURFEW_LINK_URL overrides) and tells each owner, by the topic CURFEW_TOPIC_ARN or their
// Slack webhook. It does not return: a function that cannot start logs why and exits.
func HeadsUp(env Env) {
	log := lambdacontext.NewLogger()
	fail := func(what string, err error) {
		log.Error(what, "error", err.Error())
		os.Exit(1)
	}
	m, cfg, err := load(env)
	if err != nil {
		fail("start the function", err)
	}
	bucket, topic, shutdown := env("CURFEW_BUCKET"), env("CURFEW_TOPIC_ARN"), env("CURFEW_SHUTDOWN_FUNCTION")
	if bucket == "" || topic == "" || shutdown == "" {
		fail("start the function", errors.New("CURFEW_BUCKET, CURFEW_TOPIC_ARN and CURFEW_SHUTDOWN_FUNCTION must be set"))
	}
	ctx := context.Background()
	lc := awslambda.NewFromConfig(cfg)
	base, err := headsup.LinkURL(ctx, lc, env("CURFEW_LINK_FUNCTION"), env("CURFEW_LINK_URL"))
	if err != nil {
		fail("find the link function's URL", err)
	}
	// A custom endpoint (an emulator) is reached path-style: bucket.localhost does not resolve.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	ssmc := ssm.NewFromConfig(cfg)
	issuer, err := linkIssuer(ctx, ssmc, s3c, bucket, base)
	if err != nil {
		fail("make the link issuer", err)
	}
	h := headsup.Handler{
		Map:     m,
		Planner: headsup.Invoker{Lambda: lc, Function: shutdown},
		Issuer:  issuer,
		Sender: headsup.Channels{SNS: sns.NewFromConfig(cfg), TopicARN: topic,
			Slack: notify.Slack{SSM: ssmc, HTTP: &http.Client{Timeout: 15 * time.Second}}},
		Logger:  log,
		Metrics: os.Stdout, // embedded metric format: Failures and Messages of each run
		// The link function takes presses in Slack when the map names the app's secret.
		SlackButtons: m.SlackSigningSecret() != "",
	}
	lambda.Start(h.Handle)
}
