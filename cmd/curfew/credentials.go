package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/mfasession"
	"github.com/curfew/curfew/internal/profiles"
)

// credentialsInput is what one `curfew credentials` run is asked for: everything comes
// from its command line, as curfew profiles wrote it into the credential_process line,
// so that it needs no account map and works from whatever directory the AWS CLI, an SDK,
// Terraform or Pulumi runs it in.
type credentialsInput struct {
	account       string
	request       mfasession.Request
	sourceProfile string
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
		Short: "Print credentials of a role for credential_process, from one MFA code a day",
		Long: fmt.Sprintf(`The credential_process of the profiles curfew profiles writes: the AWS CLI, the SDKs,
Terraform and Pulumi run it and read the credentials it prints (JSON, Version 1).

The first run of the day asks for your MFA code on the terminal (/dev/tty, as stdout
belongs to the caller) and opens an MFA session with it (sts:GetSessionToken with your
IAM user's keys from --source-profile) that lasts %s, as long as DeveloperAccess accepts
an MFA sign-in. Every account's role is then assumed from that session with no further
code, each role's credentials kept until %s before they expire. Sessions and
credentials live in %s, in files only you can read (0600 in a 0700
directory); curfew refuses files that others could read or that are not yours. A
session STS no longer accepts is dropped and the code asked again, once.

You normally never type this command: use the profiles (aws ... --profile staging), or
curfew exec / curfew env.`, hours(accounts.MFASessionMax), fmt.Sprintf("%g minutes", mfasession.RefreshBefore.Minutes()), a.cacheDirOrDefault()),
		Example: `  # as curfew profiles writes it into ~/.aws/config:
  credential_process = /usr/local/bin/curfew credentials staging --role-arn arn:aws:iam::222222222222:role/DeveloperAccess --source-profile identity --mfa-serial arn:aws:iam::111111111111:mfa/alice --session-name alice --duration 1h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.account = args[0]
			if err := in.validate(); err != nil {
				return err
			}
			return runCredentials(cmd.Context(), a, in)
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

// processCredentials is the JSON a credential_process prints.
type processCredentials struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

func runCredentials(ctx context.Context, a *app, in credentialsInput) error {
	creds, err := a.mfaCredentials(ctx, in.account, in.request)
	if err != nil {
		return err
	}
	out, err := json.Marshal(processCredentials{1, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, creds.Expires.UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.stdout, "%s\n", out)
	return err
}

// mfaCredentials returns the request's role credentials through the day's MFA session.
func (a *app) mfaCredentials(ctx context.Context, account string, r mfasession.Request) (aws.Credentials, error) {
	cache, err := mfasession.OpenCache(a.cacheDir)
	if err != nil {
		return aws.Credentials{}, unsafeCacheHint(err)
	}
	cfg, err := a.awsConfig(ctx, r.SourceProfile, "")
	if err != nil {
		return aws.Credentials{}, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // STS answers in every region; the identity profile usually names one
	}
	creds, err := mfasession.Credentials(ctx, r, mfasession.Deps{
		Cache: cache,
		Now:   a.now,
		User:  sts.NewFromConfig(cfg),
		WithSession: func(session aws.Credentials) mfasession.AssumeRoleAPI {
			return sts.NewFromConfig(cfg, func(o *sts.Options) { o.Credentials = credentials.StaticCredentialsProvider{Value: session} })
		},
		Code: a.terminalMFACode(account),
	})
	if err == nil {
		return creds, nil
	}
	switch {
	case errors.Is(err, mfasession.ErrUnsafeCache):
		return creds, unsafeCacheHint(err)
	case errors.Is(err, ErrNoMFACode):
		// Before otherCause, whose hint is about stdin: this prompt is on /dev/tty.
		return creds, withHint(err, "run `curfew exec %s -- true` (or any aws command with the profile) once in a terminal: the MFA session it opens lasts %s and serves every account without a code",
			account, hours(accounts.MFASessionMax))
	}
	if other := a.otherCause(err, r.SourceProfile); other != nil {
		return creds, other
	}
	switch apiErrorCode(err) {
	case "":
		return creds, err
	case "AccessDenied", "AccessDeniedException":
		group, tag := "developers", accounts.DeveloperTag
		if strings.HasSuffix(r.RoleARN, ":role/"+accounts.OperatorRole) {
			group, tag = "operators", accounts.OperatorTag
		}
		return creds, withHint(err, "check the MFA code (the one your device shows now), that your IAM user %s is in the identity account's %s group and tagged %s=%s, and that the account's curfew stack is deployed",
			r.SessionName, group, tag, accounts.MemberTagValue)
	}
	return creds, withHint(err, "check your IAM user's access keys in profile %s (aws sts get-caller-identity --profile %s) and the MFA code", r.SourceProfile, r.SourceProfile)
}

func unsafeCacheHint(err error) error {
	return withHint(err, "remove the file or directory named above (curfew asks for a new MFA code and writes it again as 0600 in a 0700 directory), and find out who else could read it")
}

// terminalMFACode asks for the code on the terminal itself: a credential_process's stdout
// goes to its caller and its stdin may be the caller's too.
func (a *app) terminalMFACode(account string) func(serial string, expires time.Time) (string, error) {
	return func(serial string, expires time.Time) (string, error) {
		if a.openTerminal == nil {
			return "", fmt.Errorf("%w: no terminal", ErrNoMFACode)
		}
		tty, err := a.openTerminal()
		if err != nil {
			return "", fmt.Errorf("%w: no terminal to ask on (%w)", ErrNoMFACode, err)
		}
		defer tty.Close()
		fmt.Fprintf(tty, "curfew: MFA code of %s for %s (one code serves every account until %s): ",
			serial, account, expires.Local().Format("Mon 15:04"))
		line, err := bufio.NewReader(tty).ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" && err != nil && err != io.EOF {
			return "", fmt.Errorf("%w: %w", ErrNoMFACode, err)
		}
		if code == "" {
			return "", fmt.Errorf("%w: an empty line", ErrNoMFACode)
		}
		return code, nil
	}
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
