package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/preflight"
)

// ErrPreflightFailed means a check found something that would make the deploy fail.
var ErrPreflightFailed = errors.New("preflight found problems")

// preflightInput is what `curfew preflight` is asked to check.
type preflightInput struct {
	account string
	profile string
	json    bool
	// profileSet says --profile was given; "" then means the SDK's default chain.
	profileSet bool
}

func newPreflightCommand(a *app) *cobra.Command {
	var in preflightInput
	cmd := &cobra.Command{
		Use:   "preflight --profile PROFILE [--account NAME]",
		Short: "Check an account before curfew's first deploy there",
		Long: `Check one account of the map before deploying curfew's stacks into it, with the
credentials you deploy with: the CDK bootstrap of each region curfew deploys to, the
CloudFormation execution role of every CDK bootstrap in a target account (administrator
without a permissions boundary is refused, unless the map accepts it with overrides:
[unbounded-bootstrap]), Lambda's concurrency limit (home account), IAM's quotas, an OIDC
provider of the CI's issuer that curfew did not create, roles, groups, users and policies
that already hold curfew's fixed names, Cost Explorer, and, in the account of
organization.managementAccount, what curfew-organization's StackSets need of
Organizations and that the identity, home and management accounts are in none of the
map's units (whose StackSets would give developers and CI roles there). Each check prints ok, n/a, warning (what the map accepts by name) or
problem with how to fix it; the command exits non-zero when anything would fail. It
only reads (Cost Explorer's one GetCostAndUsage call costs $0.01).

The profile's account is checked with STS first: with --account it must be that account
of the map; without, the account the profile reaches is checked, and must be in the map.
organization.managementAccount given by id only is checked too, as "management" (or
--account with its id).`,
		Example: `  curfew preflight --profile staging-admin
  curfew preflight --profile staging-admin --account staging
  curfew preflight --profile management
  aws-vault exec identity-admin -- curfew preflight --profile "" --account identity`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.profileSet = cmd.Flags().Changed("profile")
			return runPreflight(cmd.Context(), a, in)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&in.json, "json", false, "print the findings as JSON")
	f.StringVar(&in.account, "account", "", "the account of the map to check (default: the account the profile reaches)")
	f.StringVar(&in.profile, "profile", "", "AWS profile you deploy the account with (default with --account: --prefix and the account's name; \"\": the SDK's default chain)")
	return cmd
}

func runPreflight(ctx context.Context, a *app, in preflightInput) error {
	const acting = "curfew preflight checks account"
	var (
		acc accounts.Account
		cfg aws.Config
		err error
	)
	profile := in.profile
	switch {
	case in.account != "":
		var known bool
		if acc, known = preflight.Find(a.m, in.account); !known {
			return withHint(fmt.Errorf("%w %q: the account map has no account of that name", ErrUnknownAccount, in.account),
				"use one of %s", strings.Join(preflight.Names(a.m), ", "))
		}
		if !in.profileSet {
			profile = a.prefix + acc.Name
		}
		if cfg, err = a.connect(ctx, profile, a.m.HomeRegion, acc, acting); err != nil {
			return err
		}
	case !in.profileSet:
		return withHint(fmt.Errorf("%w: preflight needs --profile or --account", ErrInvalidInput),
			"pass --profile with the profile you deploy the account with (before the first deploy, curfew's own profiles reach nothing)")
	default:
		if cfg, acc, err = a.connectAny(ctx, profile); err != nil {
			return err
		}
	}
	results := preflight.Run(ctx, preflight.Target{Map: a.m, Account: acc, Config: cfg, Profile: profile}, preflight.Checks())
	if in.json {
		if err := preflight.WriteJSON(a.stdout, acc, results); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(a.stdout, "preflight of account %s (%s) with %s\n", acc.Name, acc.ID, profileLabel(profile))
		if err := preflight.Write(a.stdout, results); err != nil {
			return err
		}
	}
	if n := preflight.Problems(results); n > 0 {
		return withHint(fmt.Errorf("%w: %d problem(s) in account %s; nothing was changed", ErrPreflightFailed, n, acc.Name),
			"fix each problem as its fix: line says, then run curfew preflight again before cdk deploy")
	}
	if !in.json {
		fmt.Fprintf(a.stdout, "no problems: account %s is ready for curfew's stacks\n", acc.Name)
	}
	return nil
}

// connectAny loads profile and finds the account of the map it reaches.
func (a *app) connectAny(ctx context.Context, profile string) (aws.Config, accounts.Account, error) {
	cfg, err := a.awsConfig(ctx, profile, a.m.HomeRegion)
	if err != nil {
		return cfg, accounts.Account{}, err
	}
	if err := a.checkCredentials(ctx, cfg, profile); err != nil {
		return cfg, accounts.Account{}, err
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return cfg, accounts.Account{}, withHint(fmt.Errorf("ask STS which account %s acts in: %w", profileLabel(profile), err),
			"check the credentials with aws sts get-caller-identity%s; nothing was changed", profileArg(profile))
	}
	for _, acc := range a.m.Accounts {
		if acc.ID == aws.ToString(id.Account) {
			return cfg, acc, nil
		}
	}
	if mgmt, ok := preflight.ManagementAccount(a.m); ok && mgmt.ID == aws.ToString(id.Account) {
		return cfg, mgmt, nil
	}
	return cfg, accounts.Account{}, withHint(fmt.Errorf("%w: %s acts in account %s (as %s), which is not in the account map; nothing was checked",
		ErrWrongAccount, profileLabel(profile), aws.ToString(id.Account), aws.ToString(id.Arn)),
		"pass --profile with a profile of an account of the map (%s), or add the account to the map", strings.Join(preflight.Names(a.m), ", "))
}
