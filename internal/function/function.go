// Package function starts curfew's Lambda functions but the cost report: shutdown and
// restart (Fleet), the heads-up (HeadsUp) and its link (SnoozeLink). Each main under
// lambdas/ hands it its environment (and its kind), and it reads the account map that
// travels in the function's code, loads the AWS configuration, builds the handler with its
// clients once and serves it. (The cost report's function stays apart: it would carry the
// fleet's code, and they would carry its charts; TestFunctionsDoNotCarryTheCostReport.)
package function

import (
	"context"
	"fmt"
	"os"
	// The account map names IANA time zones, and Lambda's OS-only runtime
	// (provided.al2023) does not promise a zoneinfo: carry one, never refuse a valid map.
	_ "time/tzdata"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lease"
	"github.com/curfew/curfew/internal/sources"
)

// Env is the function's environment as the service stack sets it; main reads it
// (os.Getenv), no other package does.
type Env func(name string) string

// Fleet serves the engine's function of kind (history.Shutdown or history.Restart): it
// stops, or starts again, the fleet of every swept account and region. It does not return:
// a function that cannot start logs why and exits.
func Fleet(kind history.Kind, env Env) {
	log := lambdacontext.NewLogger()
	m, cfg, err := load(env)
	if err != nil {
		log.Error("start the function", "error", err.Error())
		os.Exit(1)
	}
	h := fleet.Handler{Kind: kind, Map: m, Connect: fleet.AssumeRoles(cfg, m.ExternalID), Logger: log, Metrics: os.Stdout}
	// The accounts of each run: the map's list and, when the map has an organization, its
	// units, listed once per run through CurfewOrganizationReader.
	h.Sources = func(runID string) []sources.Source { return sources.ForRun(cfg, m, runID) }
	if bucket := env("CURFEW_BUCKET"); bucket != "" {
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

// load reads the account map, which travels in the function's code next to bootstrap
// (see cdk.stageFunctions), and the AWS configuration.
func load(env Env) (*accounts.Map, aws.Config, error) {
	m, err := accounts.LoadFunctionMap(env("LAMBDA_TASK_ROOT"))
	if err != nil {
		return nil, aws.Config{}, fmt.Errorf("read the account map: %w", err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return m, cfg, nil
}
