package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/profiles"
)

func newLoginCommand(a *app) *cobra.Command {
	var profile string
	var force bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Open the day's MFA session with one code (Identity Center: aws sso login)",
		Long: fmt.Sprintf(`Ask for your MFA code once, here on the terminal, and open the day's MFA session that
every profile curfew profiles wrote uses for %s: the AWS CLI, SDKs, Terraform and
Pulumi then get credentials at once, never a prompt (their credential_process, curfew
credentials, never asks: an SDK kills it after 60 seconds). A session that is still
open is kept unless --force. With access: identity-center it runs
aws sso login --sso-session for curfew's sso-session instead.`, hours(accounts.MFASessionMax)),
		Example: `  curfew login
  curfew login --profile acme-staging --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.login(cmd.Context(), profile, force) },
	}
	cmd.Flags().StringVar(&profile, "profile", "", "open the session of this profile only (default: every profile curfew profiles wrote)")
	cmd.Flags().BoolVar(&force, "force", false, "open a new session even if one is open")
	return cmd
}

// login opens the MFA session of every identity curfew's profiles use (one, normally),
// and signs in to each of curfew's sso-sessions.
func (a *app) login(ctx context.Context, profile string, force bool) error {
	names, ssoSessions, err := a.loginTargets(ctx, profile)
	if err != nil {
		return err
	}
	for _, s := range ssoSessions {
		if err := a.ssoLogin(ctx, s); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, name := range names {
		p, err := credprocess.LoadProfile(ctx, name)
		if err != nil || p.Curfew == nil {
			continue
		}
		r := credprocess.Request(*p.Curfew)
		if seen[r.SourceProfile+"\x00"+r.MFASerial] {
			continue
		}
		seen[r.SourceProfile+"\x00"+r.MFASerial] = true
		session, opened, err := credprocess.Login(ctx, r, a.credentialOptions(a.terminalMFACode("every account")), force)
		if err != nil {
			c := p.Cause()
			c.ByLogin = true // its next step is not "run curfew login"
			return a.explain(err, c)
		}
		until := session.Expires.Local().Format("Mon 15:04 MST")
		if opened {
			fmt.Fprintf(a.stderr, "MFA session of %s (profile %s) open until %s: every curfew profile answers without a code until then\n", r.MFASerial, r.SourceProfile, until)
		} else {
			fmt.Fprintf(a.stderr, "MFA session of %s (profile %s) already open until %s; --force opens a new one\n", r.MFASerial, r.SourceProfile, until)
		}
	}
	if len(seen) == 0 && len(ssoSessions) == 0 {
		where := a.configFile
		if profile != "" {
			where = "profile " + profile
		}
		return withHint(fmt.Errorf("%w: no profile of curfew's to log in for in %s", ErrMissingProfile, where),
			"run `curfew profiles --user YOUR_IAM_USER` to write them (or name one with --profile)")
	}
	return nil
}

// loginTargets are the profiles and sso-sessions to log in for: profile's own, or those
// of curfew's block in the AWS config file.
func (a *app) loginTargets(ctx context.Context, profile string) (names, ssoSessions []string, err error) {
	if profile != "" {
		p, err := credprocess.LoadProfile(ctx, profile)
		if err != nil {
			return nil, nil, a.explain(err, p.Cause())
		}
		if p.SSOSession != "" {
			return nil, []string{p.SSOSession}, nil
		}
		if p.Curfew == nil {
			return nil, nil, withHint(fmt.Errorf("%w: profile %q does not take its credentials from curfew credentials", ErrInvalidInput, profile),
				"name a profile curfew profiles wrote, or leave out --profile")
		}
		return []string{profile}, nil, nil
	}
	data, err := os.ReadFile(a.configFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("read %s: %w", a.configFile, err)
	}
	return profiles.Written(data)
}

// ssoLogin signs in to IAM Identity Center through the AWS CLI, which opens the browser.
func (a *app) ssoLogin(ctx context.Context, session string) error {
	fmt.Fprintf(a.stderr, "aws sso login --sso-session %s\n", session)
	cmd := exec.CommandContext(ctx, "aws", "sso", "login", "--sso-session", session)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.stdin, a.stderr, a.stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return withHint(fmt.Errorf("the AWS CLI is not on PATH, and it signs in to IAM Identity Center: %w", err),
				"install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), then run `aws sso login --sso-session %s`", session)
		}
		return withHint(fmt.Errorf("aws sso login --sso-session %s failed: %w", session, err), "run it yourself to see the portal's answer: aws sso login --sso-session %s", session)
	}
	return nil
}
