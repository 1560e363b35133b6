// Command cost-report is the curfew-cost-report Lambda: on its schedule (or on demand) it
// reports what each account costs and what the night shutdowns saved.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"
	// The account map names IANA time zones, and Lambda's OS-only runtime
	// (provided.al2023) does not promise a zoneinfo: carry one, never refuse a valid map.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cost"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/report"
	"github.com/curfew/curfew/internal/sources"
)

func main() {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	// The map travels in the function's code, next to bootstrap (see cdk.stageFunctions).
	m, err := accounts.LoadFunctionMap(os.Getenv("LAMBDA_TASK_ROOT"))
	if err != nil {
		log.Error("read the account map", "error", err)
		os.Exit(1)
	}
	bucket, topic := os.Getenv("CURFEW_BUCKET"), os.Getenv("CURFEW_TOPIC_ARN")
	if bucket == "" || topic == "" {
		log.Error("CURFEW_BUCKET and CURFEW_TOPIC_ARN must be set")
		os.Exit(1)
	}
	// Cost Explorer throttles at a few requests a second: retry patiently, with a
	// retryer of its own for each client.
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(func() aws.Retryer {
		return retry.AddWithMaxAttempts(retry.NewStandard(), 8)
	}))
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	// A custom endpoint (an emulator) is reached path-style: bucket.localhost does not resolve.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	h := report.Handler{
		// The report covers the accounts found in the map's units as the shutdown finds
		// them, read as CurfewOrganizationReader in a session named curfew-cost-report.
		Costs: cost.Reader{Map: m, Client: cost.AssumeClients(cfg, m.ExternalID), Sources: sources.ForRun(cfg, m, "cost-report"), Log: log,
			Coverage: cost.AssumeCoverageClients(cfg, m.ExternalID)}, // the savings as a range down to discount coverage
		History: history.Store{Client: s3c, Bucket: bucket},
		Publisher: report.Publisher{
			S3:             s3c,
			SNS:            sns.NewFromConfig(cfg),
			SSM:            ssm.NewFromConfig(cfg),
			HTTP:           &http.Client{Timeout: 15 * time.Second},
			Bucket:         bucket,
			Region:         cfg.Region,
			TopicARN:       topic,
			SlackParameter: os.Getenv("CURFEW_SLACK_WEBHOOK_PARAMETER"),
		},
		Log:     log,
		Metrics: os.Stdout, // embedded metric format: DeliveryFailed per channel
		// The Price List API is served from us-east-1 for every region. A query that
		// fails after three attempts ends the run's queries (cost.PriceList): the table
		// prices the rest.
		Pricing: pricing.NewFromConfig(cfg, func(o *pricing.Options) {
			o.Region = "us-east-1"
			o.Retryer = retry.AddWithMaxAttempts(retry.NewStandard(), 3)
		}),
	}
	lambda.Start(h.Handle)
}
