package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go/logging"
)

// awsConfig loads the AWS SDK's shared configuration for profile ("" means the SDK's
// default: AWS_PROFILE or the default profile) in region. Profiles that assume a role
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
	if a.debug {
		opts = append(opts,
			config.WithClientLogMode(aws.LogRetries|aws.LogRequest),
			config.WithLogger(logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
				a.log.Debug(fmt.Sprintf(format, v...), "classification", c)
			})))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) {
		return cfg, withHint(fmt.Errorf("%w %q: no such profile in the AWS config and credentials files", ErrMissingProfile, missing.Profile),
			"run `curfew profiles --user YOUR_IAM_USER` to write curfew's profiles, or pass --profile with one you have (aws configure list-profiles)")
	}
	var noSource config.SharedConfigAssumeRoleError
	if errors.As(err, &noSource) {
		return cfg, withHint(fmt.Errorf("%w: profile %q assumes %s from profile %q, which holds no access keys", ErrMissingProfile, profile, noSource.RoleARN, noSource.Profile),
			"put your IAM user's access keys in the credentials file: aws configure --profile %s", noSource.Profile)
	}
	if err != nil {
		return cfg, fmt.Errorf("load AWS profile %q: %w", profile, err)
	}
	return cfg, nil
}

// checkCredentials gets the profile's credentials now (assuming its role, asking for the
// MFA code), so that a profile without keys or a refused AssumeRole fails with a hint
// instead of deep inside the first call.
func (a *app) checkCredentials(ctx context.Context, cfg aws.Config, profile string) error {
	_, err := cfg.Credentials.Retrieve(ctx)
	if err == nil {
		return nil
	}
	name := profile
	if name == "" {
		name = "default"
	}
	if apiErrorCode(err) != "" {
		return withHint(fmt.Errorf("AWS refused the credentials of profile %q: %w", name, err),
			"check the MFA code and that your IAM user may assume the profile's role (aws sts get-caller-identity --profile %s)", name)
	}
	return withHint(fmt.Errorf("%w: profile %q gave no credentials: %w", ErrMissingProfile, name, err),
		"put access keys in the credentials file (aws configure --profile %s), or pass --profile with one that has them", name)
}

// mfaCode asks for an MFA code on stderr and reads it from stdin.
func (a *app) mfaCode(profile string) func() (string, error) {
	return func() (string, error) {
		fmt.Fprintf(a.stderr, "MFA code for profile %s: ", profile)
		if a.stdinLines == nil {
			a.stdinLines = bufio.NewReader(a.stdin)
		}
		line, err := a.stdinLines.ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" {
			return "", fmt.Errorf("no MFA code read: %w", err)
		}
		return code, nil
	}
}
