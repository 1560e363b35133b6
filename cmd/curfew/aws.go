package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/redact"
)

// awsConfig loads the AWS SDK's shared configuration for profile ("" means the SDK's
// default chain: environment keys, AWS_PROFILE or the default profile) in region. Profiles that assume a role
// with MFA ask for the code on the terminal, once, when the first call needs it. Loading
// reads local files only; it makes no AWS call.
func (a *app) awsConfig(ctx context.Context, profile, region string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.TokenProvider = a.mfaCode(profile)
		}),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	// The SDK's own warnings (a response body it could not drain, a retry) go to curfew's
	// log, which --debug prints; left to the SDK they would reach the person's terminal
	// as raw SDK text, even through the AWS CLI that runs curfew credentials.
	opts = append(opts, config.WithLogger(logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		if a.log == nil {
			return
		}
		// The request log carries the session token and signature: never print them.
		a.log.Debug(redact.Secrets(fmt.Sprintf(format, v...)), "classification", c)
	})))
	if a.debug {
		opts = append(opts, config.WithClientLogMode(aws.LogRetries|aws.LogRequest))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) {
		return cfg, withHint(fmt.Errorf("%w %q: no such profile in the AWS config and credentials files", ErrMissingProfile, missing.Profile),
			"run `curfew profiles --user YOUR_IAM_USER` to write curfew's profiles (if you gave it --prefix, pass the same --prefix here), or pass --profile with one you have (aws configure list-profiles)")
	}
	var noSource config.SharedConfigAssumeRoleError
	if errors.As(err, &noSource) {
		return cfg, withHint(fmt.Errorf("%w: profile %q assumes %s from profile %q, which holds no access keys", ErrMissingProfile, profile, noSource.RoleARN, noSource.Profile),
			"put your IAM user's access keys in the credentials file: aws configure --profile %s", noSource.Profile)
	}
	if err != nil {
		return cfg, fmt.Errorf("load AWS profile %q: %w", profile, err)
	}
	a.curfewCredentials(ctx, &cfg, profile)
	return cfg, nil
}

// checkCredentials gets the profile's credentials now (assuming its role, asking for the
// MFA code), so that a profile that cannot give them fails with its cause and the next
// step (package credcause) instead of deep inside the first call.
func (a *app) checkCredentials(ctx context.Context, cfg aws.Config, profile string) error {
	_, err := cfg.Credentials.Retrieve(ctx)
	return a.explainProfile(ctx, err, profile)
}

// connect loads profile for region and makes sure it acts in account want before the
// command makes any call of its own: it gets the profile's credentials (assuming its
// role, asking for the MFA code) and asks sts:GetCallerIdentity which account they
// belong to. A profile of the expected name can reach another account (the user's own
// "staging" profile when curfew's carry a prefix); acting there would change the wrong
// account, so any mismatch is refused before anything is read or written.
func (a *app) connect(ctx context.Context, profile, region string, want accounts.Account, acting string) (aws.Config, error) {
	cfg, err := a.awsConfig(ctx, profile, region)
	if err != nil {
		return cfg, err
	}
	if err := a.checkCredentials(ctx, cfg, profile); err != nil {
		return cfg, err
	}
	return cfg, a.checkAccount(ctx, sts.NewFromConfig(cfg), profile, want, acting)
}

// callerIdentityAPI is the part of the STS client the account check uses.
type callerIdentityAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var _ callerIdentityAPI = (*sts.Client)(nil)

// checkAccount fails with ErrWrongAccount unless the caller's account is want's.
// acting says what the command does in want, for the message ("curfew snooze acts in account").
func (a *app) checkAccount(ctx context.Context, client callerIdentityAPI, profile string, want accounts.Account, acting string) error {
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var api smithy.APIError
	if err != nil && errors.As(err, &api) {
		return withHint(fmt.Errorf("ask STS which account %s acts in: %s (%s)", profileLabel(profile), cause.Of(err), api.ErrorCode()),
			"check the credentials with aws sts get-caller-identity%s; nothing was changed", profileArg(profile))
	}
	if err != nil {
		return a.explainProfile(ctx, err, profile)
	}
	got := aws.ToString(id.Account)
	if got == want.ID {
		return nil
	}
	known := "an account that is not in the account map"
	if a.m == nil {
		known = "not the account the profile names"
	}
	for _, acc := range mapAccounts(a.m) {
		if acc.ID == got {
			known = "account " + acc.Name + " of the map"
			break
		}
	}
	return withHint(fmt.Errorf("%w: %s acts in account %s (%s, as %s), but %s %s (%s); nothing was changed",
		ErrWrongAccount, profileLabel(profile), got, known, aws.ToString(id.Arn), acting, want.ID, want.Name),
		"if you wrote curfew's profiles with a prefix, pass the same one (e.g. --prefix acme- uses profile acme-%s), or pass --profile with a profile of account %s",
		want.Name, want.ID)
}

// profileLabel names profile in messages; "" is the SDK's default chain.
func profileLabel(profile string) string {
	if profile == "" {
		return `the default credentials (--profile "": environment keys, AWS_PROFILE or the default profile)`
	}
	return fmt.Sprintf("profile %q", profile)
}

// profileArg is the AWS CLI's --profile argument for profile, "" for the default chain.
func profileArg(profile string) string {
	if profile == "" {
		return ""
	}
	return " --profile " + profile
}

// mfaCode asks for an MFA code on stderr and reads it from stdin.
func (a *app) mfaCode(profile string) func() (string, error) {
	return func() (string, error) {
		fmt.Fprintf(a.stderr, "MFA code for %s: ", profileLabel(profile))
		line, err := a.stdinReader().ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" && err != nil {
			return "", fmt.Errorf("%w: %w", ErrNoMFACode, err)
		}
		if code == "" {
			return "", fmt.Errorf("%w: an empty line", ErrNoMFACode)
		}
		return code, nil
	}
}

// mapAccounts is the map's accounts, none without a map (exec and env run anywhere).
func mapAccounts(m *accounts.Map) []accounts.Account {
	if m == nil {
		return nil
	}
	return m.Accounts
}
