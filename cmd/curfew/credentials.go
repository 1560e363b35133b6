package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/mfasession"
	"github.com/curfew/curfew/internal/profiles"
)

// credentialsDeadline bounds one `curfew credentials` run well inside the Go SDK's
// 60-second limit on a credential_process: it never waits for a person, and waits for
// the cache lock and STS only this long.
const credentialsDeadline = 30 * time.Second

// credentialsInput is what one `curfew credentials` run is asked for: everything comes
// from its command line, as curfew profiles wrote it into the credential_process line,
// so that it needs no account map and works from whatever directory the AWS CLI, an SDK,
// Terraform or Pulumi runs it in.
type credentialsInput struct {
	account string
	request mfasession.Request
}

func (in credentialsInput) validate() error {
	var errs []error
	if !strings.HasPrefix(in.request.RoleARN, "arn:aws:iam::") || !strings.Contains(in.request.RoleARN, ":role/") {
		errs = append(errs, fmt.Errorf("--role-arn %q is not a role ARN like arn:aws:iam::ACCOUNT:role/NAME", in.request.RoleARN))
	}
	if in.request.SourceProfile == "" {
		errs = append(errs, errors.New("--source-profile is empty: name the profile holding your IAM user's access keys"))
	}
	if in.request.MFASerial == "" {
		errs = append(errs, errors.New("--mfa-serial is empty: name your MFA device, arn:aws:iam::ACCOUNT:mfa/NAME"))
	}
	if in.request.SessionName == "" {
		errs = append(errs, errors.New("--session-name is empty: DeveloperAccess accepts only sessions named after your IAM user"))
	}
	if d := in.request.Duration; d < profiles.MinDuration || d > profiles.MaxDuration {
		errs = append(errs, fmt.Errorf("--duration %s is outside %s to %s", d, profiles.MinDuration, profiles.MaxDuration))
	}
	if err := errors.Join(errs...); err != nil {
		return withHint(fmt.Errorf("%w: %w", ErrInvalidInput, err), "run `curfew profiles` again to rewrite the credential_process lines")
	}
	return nil
}

func newCredentialsCommand(a *app) *cobra.Command {
	var in credentialsInput
	cmd := &cobra.Command{
		Use:   "credentials ACCOUNT --role-arn ARN --source-profile PROFILE --mfa-serial ARN --session-name USER",
		Short: "Print credentials of a role for credential_process, from the day's MFA session",
		Long: fmt.Sprintf(`The credential_process of the profiles curfew profiles writes: the AWS CLI, the SDKs,
Terraform and Pulumi run it and read the credentials it prints (JSON, Version 1).

It never asks for a code: an SDK gives a credential_process 60 seconds and kills it
after. It assumes the profile's role from the day's MFA session, which curfew login (or
curfew exec) opens with one code and which lasts %s, as long as DeveloperAccess accepts
an MFA sign-in; each role's credentials are kept until %s before they expire. Without a
session it fails at once, in one line saying to run curfew login (exit status %d). It
stops when the program that ran it ends, so it never outlives its caller. Sessions
and credentials live in %s, in files only you can read (0600 in a 0700 directory).

You normally never type this command: use the profiles (aws ... --profile staging), or
curfew exec / curfew env.`, hours(accounts.MFASessionMax), fmt.Sprintf("%g minutes", mfasession.RefreshBefore.Minutes()),
			credcause.CredentialProcessExit, a.cacheDirOrDefault()),
		Example: `  # as curfew profiles writes it into ~/.aws/config:
  credential_process = /usr/local/bin/curfew credentials staging --role-arn arn:aws:iam::222222222222:role/DeveloperAccess --source-profile identity --mfa-serial arn:aws:iam::111111111111:mfa/alice --session-name alice --duration 1h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.account = args[0]
			if err := in.validate(); err != nil {
				return err
			}
			return a.runCredentials(cmd.Context(), in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.request.RoleARN, "role-arn", "", "the role to assume (DeveloperAccess or curfew-operator of an account)")
	f.StringVar(&in.request.SourceProfile, "source-profile", "", "the AWS profile holding your IAM user's access keys")
	f.StringVar(&in.request.MFASerial, "mfa-serial", "", "your MFA device's ARN")
	f.StringVar(&in.request.SessionName, "session-name", "", "your IAM user name: the session name the role requires")
	f.DurationVar(&in.request.Duration, "duration", profiles.DefaultDuration, "role session length, cut to what is left of the day's MFA session")
	return cmd
}

// credentialsError is a failed credential process: its line is printed already, and
// main exits with the status that tells a calling curfew the cause.
type credentialsError struct {
	exit exitError
	err  error
}

func (e credentialsError) Error() string   { return e.err.Error() }
func (e credentialsError) Unwrap() []error { return []error{e.exit, e.err} }

func (a *app) runCredentials(ctx context.Context, in credentialsInput) error {
	ctx, stop := credprocess.WatchParent(ctx)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, credentialsDeadline)
	defer cancel()
	creds, err := credprocess.Credentials(ctx, in.request, a.credentialOptions(nil))
	if err != nil {
		explained := a.explain(err, credcause.Profile{Name: in.account, CredentialProcess: true,
			SourceProfile: in.request.SourceProfile, RoleARN: in.request.RoleARN})
		fmt.Fprintln(a.stderr, "curfew:", explained)
		code := 1
		if errors.Is(explained, credcause.ErrLogin) {
			code = credcause.CredentialProcessExit
		}
		return credentialsError{exitError{code}, explained}
	}
	out, err := credprocess.JSON(creds)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%s\n", out)
	return err
}

// credentialOptions are how curfew gets the daily session's credentials: its cache, its
// clock, the SDK configuration of the IAM user's profile; code asks for an MFA code
// (nil never asks).
func (a *app) credentialOptions(code func(string, time.Time) (string, error)) credprocess.Options {
	return credprocess.Options{
		CacheDir: a.cacheDir,
		Now:      a.now,
		Load:     func(ctx context.Context, profile string) (aws.Config, error) { return a.awsConfig(ctx, profile, "") },
		Code:     code,
	}
}

// curfewCredentials makes a profile of curfew credentials (credential_process = curfew
// credentials ...) get its credentials in this process, from the day's MFA session,
// asking for the code here on the terminal when none is open: no SDK subprocess, no
// 60-second limit, and one line for any failure instead of the process's and ours.
func (a *app) curfewCredentials(ctx context.Context, cfg *aws.Config, profile string) {
	if profile == "" {
		return
	}
	p, err := credprocess.LoadProfile(ctx, profile)
	if err != nil || p.Curfew == nil || p.Curfew.SourceProfile == profile {
		return
	}
	r := credprocess.Request(*p.Curfew)
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		return credprocess.Credentials(ctx, r, a.credentialOptions(a.terminalMFACode(p.Curfew.Account)))
	}))
}

// hours writes d for people: "12 hours".
func hours(d time.Duration) string { return fmt.Sprintf("%g hours", d.Hours()) }

// cacheDirOrDefault names the cache directory in help texts.
func (a *app) cacheDirOrDefault() string {
	if a.cacheDir != "" {
		return a.cacheDir
	}
	return "curfew/ in your cache directory ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS)"
}
