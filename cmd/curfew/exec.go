package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/credprocess"
)

// exitError carries a child's exit status up to main, which exits with it and prints
// nothing: the child has said what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// ExitCode is the status main exits with.
func (e exitError) ExitCode() int { return e.code }

// awsEnvironment are the variables that choose credentials or a region for the AWS CLI
// and SDKs: a child of curfew exec sees only curfew's.
var awsEnvironment = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION"}

func newExecCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "exec ACCOUNT -- COMMAND [ARG...]",
		Short: "Run a command with DeveloperAccess credentials of an account in its environment",
		Long: `Run COMMAND with the credentials of the account's curfew profile (DeveloperAccess,
through the day's MFA session: one code a day) in AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, the account's region in AWS_REGION and
AWS_DEFAULT_REGION, and AWS_PROFILE unset, for tools that read only the environment.
The credentials last the profile's duration (an hour unless curfew profiles --duration
said otherwise); long runs (terraform apply of a big stack) should use the profile itself
(AWS_PROFILE=staging), whose credential_process renews them. Before running anything,
curfew checks with STS that the credentials act in the account the map names.`,
		Example: `  curfew exec staging -- terraform plan
  curfew exec sandbox -- pulumi up`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 1 || len(args) < 2 {
				return withHint(fmt.Errorf("%w: want an account, then -- and the command to run", ErrInvalidInput), "curfew exec staging -- aws s3 ls")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.mapIfAny(cmd); err != nil {
				return err
			}
			env, err := a.accountEnvironment(cmd.Context(), args[0], "curfew exec runs a command in")
			if err != nil {
				return err
			}
			child := exec.Command(args[1], args[2:]...)
			child.Env = append(slices.DeleteFunc(a.environ(), func(kv string) bool {
				return slices.Contains(awsEnvironment, strings.SplitN(kv, "=", 2)[0])
			}), env...)
			child.Stdin, child.Stdout, child.Stderr = a.stdin, a.stdout, a.stderr
			// Not tied to the context: an interrupt reaches the child from the terminal,
			// and the child decides how to stop (terraform finishes its state write).
			err = child.Run()
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return exitError{exit.ExitCode()}
			}
			if err != nil {
				return withHint(fmt.Errorf("run %s: %w", args[1], err), "check the command's name and that it is on PATH")
			}
			return nil
		},
	}
}

func newEnvCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "env ACCOUNT",
		Short: "Print shell export lines with DeveloperAccess credentials of an account",
		Long: `Print export lines for a POSIX shell with the credentials of the account's curfew profile
(as curfew exec sets them) and unset AWS_PROFILE, for eval "$(curfew env staging)". The
credentials expire with the role session (AWS_CREDENTIAL_EXPIRATION says when): run it
again then, without an MFA code until the day's session ends.`,
		Example: `  eval "$(curfew env staging)"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.mapIfAny(cmd); err != nil {
				return err
			}
			env, err := a.accountEnvironment(cmd.Context(), args[0], "curfew env exports credentials of")
			if err != nil {
				return err
			}
			for _, kv := range env {
				name, value, _ := strings.Cut(kv, "=")
				fmt.Fprintf(a.stdout, "export %s=%s\n", name, shellQuote(value))
			}
			fmt.Fprintln(a.stdout, "unset AWS_PROFILE AWS_DEFAULT_PROFILE")
			return nil
		},
	}
}

// accountEnvironment returns the AWS variables for account's profile: its credentials,
// checked with STS to act in the account the map names (or, with no map, the account
// the profile itself names), and its region.
func (a *app) accountEnvironment(ctx context.Context, name, acting string) ([]string, error) {
	profile := a.prefix + name
	if a.m != nil {
		if _, err := targetAccount(a.m, name); err != nil {
			return nil, err
		}
	}
	p, err := credprocess.LoadProfile(ctx, profile)
	if err != nil {
		return nil, a.explain(err, p.Cause())
	}
	want, region, err := a.expectedAccount(name, p)
	if err != nil {
		return nil, err
	}
	// A profile of curfew credentials is answered in this process (awsConfig), asking
	// for the code here when no session is open.
	cfg, err := a.awsConfig(ctx, profile, region)
	if err != nil {
		return nil, err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, a.explain(err, p.Cause())
	}
	if err := a.checkAccount(ctx, sts.NewFromConfig(cfg), profile, want, acting); err != nil {
		return nil, err
	}
	env := []string{
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.SessionToken,
	}
	if region != "" {
		env = append(env, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region)
	}
	if creds.CanExpire {
		env = append(env, "AWS_CREDENTIAL_EXPIRATION="+creds.Expires.UTC().Format(time.RFC3339))
	}
	return env, nil
}

// expectedAccount is the account name's profile must act in, and its region: the map's
// when a map is loaded, else what the profile itself says (its role's or Identity
// Center account, its region), so that exec and env work in any directory.
func (a *app) expectedAccount(name string, p credprocess.Profile) (accounts.Account, string, error) {
	if a.m != nil {
		account, err := targetAccount(a.m, name)
		if err != nil {
			return account, "", err
		}
		return account, accountRegion(a.m, account), nil
	}
	id := p.Account()
	if id == "" {
		return accounts.Account{}, "", withHint(fmt.Errorf("%w: profile %q names no account (no role_arn, sso_account_id or curfew credentials line), and no account map was found to say which one it should reach", ErrInvalidInput, p.Name),
			"pass --map PATH (or set CURFEW_MAP) so curfew can check the account, or use a profile curfew profiles wrote")
	}
	return accounts.Account{Name: name, ID: id}, p.Region, nil
}

// accountRegion is the account's first region, or the home region when it lists none,
// as its profile says.
func accountRegion(m *accounts.Map, a accounts.Account) string {
	if r := a.DefaultRegion(); r != "" {
		return r
	}
	return m.HomeRegion
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
