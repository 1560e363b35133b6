// Command shutdown is the curfew-shutdown Lambda: at night it stops the running EC2
// instances, RDS instances and Aurora clusters of every swept account and region.
package main

import (
	"context"
	"os"
	// The account map names IANA time zones, and Lambda's OS-only runtime
	// (provided.al2023) does not promise a zoneinfo: carry one, never refuse a valid map.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lease"
	"github.com/curfew/curfew/internal/sources"
)

func main() {
	log := lambdacontext.NewLogger()
	// The map travels in the function's code, next to bootstrap (see cdk.stageFunctions).
	m, err := accounts.LoadFunctionMap(os.Getenv("LAMBDA_TASK_ROOT"))
	if err != nil {
		log.Error("read the account map", "error", err.Error())
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws config", "error", err.Error())
		os.Exit(1)
	}
	h := fleet.Handler{Kind: history.Shutdown, Map: m, Connect: fleet.AssumeRoles(cfg, m.ExternalID), Logger: log, Metrics: os.Stdout}
	// The accounts of each run: the map's list and, when the map has an organization, its
	// units, listed once per run through CurfewOrganizationReader.
	h.Sources = func(runID string) []sources.Source { return sources.ForRun(cfg, m, runID) }
	if bucket := os.Getenv("CURFEW_BUCKET"); bucket != "" {
		// A custom endpoint (an emulator) is reached path-style: bucket.localhost does not resolve.
		client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
		h.History = &history.Store{Client: client, Bucket: bucket}
		// Reserved concurrency no longer keeps runs apart (it fails to deploy in new
		// accounts): the lease in the same bucket does.
		h.Lease = &lease.Store{Client: client, Bucket: bucket}
		if m.Organization != nil {
			// The accounts found in units, for the CLI's profiles and console links.
			h.AccountList = &accountlist.Store{Client: client, Bucket: accountlist.Bucket(m), Owner: m.HomeAccount().ID}
		}
	}
	lambda.Start(h.Handle)
}
