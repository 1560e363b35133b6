package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/profiles"
)

// profilesInput is what `curfew profiles` is asked to do.
type profilesInput struct {
	options    profiles.Options
	configFile string
	dryRun     bool
	// mfaPerProfile writes mfa_serial on each profile instead of curfew's credential_process.
	mfaPerProfile bool
}

func (in profilesInput) validate() error {
	if in.configFile == "" {
		return withHint(fmt.Errorf("%w: --config-file is empty", ErrInvalidInput), "pass the AWS config file, usually ~/.aws/config")
	}
	if filepath.Base(in.configFile) == "credentials" {
		return withHint(fmt.Errorf("%w: %s looks like the credentials file, and curfew never writes credentials", ErrInvalidInput, in.configFile),
			"pass the config file with --config-file (usually ~/.aws/config)")
	}
	return nil
}

func newProfilesCommand(a *app) *cobra.Command {
	in := profilesInput{configFile: a.configFile}
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "Write AWS CLI profiles for every account of the map into ~/.aws/config",
		Long: `Write the AWS CLI/SDK profiles that reach every target account: an identity profile for
your IAM user, and one profile per account that assumes DeveloperAccess with MFA, its
session named after your IAM user, as DeveloperAccess requires.

By default each account's profile gets its credentials from this curfew binary
(credential_process = <absolute path of curfew> credentials ...): the first use of the
day asks for your MFA code once, and every account's profile then works without a code
for 12 hours, in the AWS CLI, the SDKs, Terraform and Pulumi (see curfew credentials
--help). Move or remove the binary and run curfew profiles again. --mfa-per-profile writes
plain profiles instead (role_arn, source_profile, mfa_serial, role_session_name): no
curfew at use time, but the AWS CLI asks a code for every account and every session, and
tools that cannot prompt (Terraform, Pulumi) cannot use them.
With --operator, also an operator profile that assumes curfew-operator in the home account
the same way: members of the identity account's operators group use it to invoke curfew's
functions (curfew plan, stop, start, uninstall --profile operator).

The profiles go between "# BEGIN curfew profiles" and "# END curfew profiles" in your AWS
config file; that block is replaced on every run and every other byte of the file is kept.
Keys you or aws configure add to one of curfew's profiles (output = json) are kept; the
keys curfew writes take the map's values again. A backup (<file>.curfew-<time>.bak, then
-2, -3, ... within one second) is written before any change. curfew never writes
credentials: put your access keys in the credentials file yourself (aws configure).

With access: identity-center in the map, curfew writes an [sso-session curfew] section
(the access portal's URL and region) and one profile per account with its environment's
DeveloperAccess permission set (sso_session, sso_account_id, sso_role_name, region);
--operator adds CurfewOperator in the home account. Sign in with aws sso login; --user,
--mfa-serial and --source-profile do not apply, and the session lasts what the permission
set allows.`,
		Example: `  curfew profiles --user alice --dry-run      # show the diff, write nothing
  curfew profiles --user alice
  curfew profiles --user alice --mfa-serial arn:aws:iam::111111111111:mfa/alice-phone --prefix acme-
  curfew profiles --user alice --ci           # also CurfewCI profiles, for pipelines
  curfew profiles --user alice --operator     # also the operator profile (operators group)
  curfew profiles --user alice --mfa-per-profile  # mfa_serial on each profile, no curfew at use time`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := in.validate(); err != nil {
				return err
			}
			return runProfiles(cmd.Context(), a, in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.options.User, "user", "", "your IAM user name in the identity account (required): the session name DeveloperAccess requires, and mfa_serial is built from it")
	f.StringVar(&in.options.MFASerial, "mfa-serial", "", "ARN of your MFA device, when it is not named after your user")
	f.StringVar(&in.options.SourceProfile, "source-profile", "", "use this existing profile with your IAM user's keys instead of writing an identity profile")
	f.DurationVar(&in.options.Duration, "duration", profiles.DefaultDuration, fmt.Sprintf("session length of the assumed role (duration_seconds), %s to %s (DeveloperAccess's maximum)",
		profiles.MinDuration, profiles.MaxDuration))
	f.BoolVar(&in.options.CI, "ci", false, "also write CurfewCI profiles (ci-<account>) for pipelines")
	f.BoolVar(&in.options.Operator, "operator", false, "also write the operator profile: curfew-operator in the home account, for members of the operators group (curfew plan|stop|start|uninstall --profile operator)")
	f.StringVar(&in.options.WebIdentityTokenFile, "web-identity-token-file", "", "with --ci and an OIDC CI principal: where CI finds its token")
	f.BoolVar(&in.mfaPerProfile, "mfa-per-profile", false, "write role_arn/mfa_serial profiles instead of curfew's credential_process: a code per account and session, and no Terraform or Pulumi")
	f.StringVar(&in.configFile, "config-file", in.configFile, "the AWS config file to merge into")
	f.BoolVar(&in.dryRun, "dry-run", false, "print the change as a unified diff and write nothing")
	return cmd
}

func runProfiles(ctx context.Context, a *app, in profilesInput) error {
	in.options.Prefix = a.prefix
	if !in.mfaPerProfile {
		exe, err := a.executable()
		if err != nil {
			return withHint(err, "install curfew (go install, or make curfew and put the binary on PATH) and run curfew profiles with it, or pass --mfa-per-profile")
		}
		in.options.CredentialProcess = exe
	}
	ps, err := profiles.Generate(a.m, in.options)
	if err != nil {
		return withHint(fmt.Errorf("%w: %w", ErrInvalidInput, err), "fix the flags above; curfew profiles --help lists them")
	}
	if err := checkSourceProfile(ctx, in); err != nil {
		return err
	}
	if ps, err = a.foundProfiles(ctx, in.options, ps); err != nil {
		return err
	}
	u, err := profiles.Plan(in.configFile, ps)
	if err != nil {
		var conflict *profiles.ConflictError
		if errors.As(err, &conflict) {
			return withHint(err, "pass --prefix (e.g. --prefix acme-) so curfew's names differ, --source-profile %s if it holds your keys, or rename yours",
				conflict.Names[0])
		}
		if errors.Is(err, profiles.ErrUnsafeValue) {
			return withHint(err, "nothing was written; correct the text where it comes from: the account map, the flags, or the path curfew runs from (credential_process names it; or pass --mfa-per-profile)")
		}
		return err
	}
	if in.dryRun {
		if !u.Changed() {
			fmt.Fprintf(a.stdout, "%s already holds these profiles; nothing to change\n", u.Path)
			return nil
		}
		fmt.Fprint(a.stdout, u.Diff())
		return nil
	}
	if !u.Changed() {
		fmt.Fprintf(a.stderr, "%s already holds these profiles; nothing written\n", u.Path)
		return nil
	}
	backup, err := u.Write(a.now())
	if err != nil {
		return err
	}
	if backup != "" {
		fmt.Fprintf(a.stderr, "wrote %d profiles to %s (backup: %s)\n", len(ps), u.Path, backup)
	} else {
		fmt.Fprintf(a.stderr, "wrote %d profiles to %s\n", len(ps), u.Path)
	}
	fmt.Fprintln(a.stderr, "next: "+nextSteps(a.m, in, ps[0].Name))
	if in.options.Operator {
		fmt.Fprintf(a.stderr, "operators run curfew's functions with curfew plan|stop|start --profile %s%s\n", in.options.Prefix, profiles.OperatorProfile)
	}
	if a.prefix != "" {
		// Without it the other commands look for the unprefixed names, which may be the
		// user's own profiles: the account check refuses those, but better said now.
		fmt.Fprintf(a.stderr, "curfew's other commands need the same prefix: curfew --prefix %s snooze|plan|stop|start ...\n", a.prefix)
	}
	return nil
}

// nextSteps is what a person does after curfew profiles wrote the profiles: sign in to
// Identity Center; or put the keys in (unless --source-profile has them), open the day's
// MFA session (curfew login) and try one account.
func nextSteps(m *accounts.Map, in profilesInput, identity string) string {
	first := in.options.Prefix + m.Targets()[0].Name
	if m.UsesIdentityCenter() {
		return fmt.Sprintf("sign in with `aws sso login --sso-session %s%s`, then try `aws sts get-caller-identity --profile %s`",
			in.options.Prefix, profiles.SSOSession, first)
	}
	keys := ""
	if in.options.SourceProfile == "" {
		keys = fmt.Sprintf("put your access keys in the credentials file with `aws configure --profile %s`, then ", identity)
	}
	if in.mfaPerProfile {
		return keys + fmt.Sprintf("try `aws sts get-caller-identity --profile %s` (it asks for your MFA code)", first)
	}
	return keys + fmt.Sprintf("run `curfew login` (it asks for your MFA code once: every account's profile then works without one for %s), then try `aws sts get-caller-identity --profile %s`",
		hours(accounts.MFASessionMax), first)
}

// checkSourceProfile refuses a --source-profile that neither the AWS files nor the config
// file being written define: every profile would then fail at its first use.
func checkSourceProfile(ctx context.Context, in profilesInput) error {
	name := in.options.SourceProfile
	if name == "" {
		return nil
	}
	if _, err := credprocess.LoadProfile(ctx, name); err == nil {
		return nil
	}
	if _, err := credprocess.LoadProfileIn(ctx, name, in.configFile); err == nil {
		return nil
	}
	return withHint(fmt.Errorf("%w: --source-profile %q: no such profile in the AWS config and credentials files (nor in %s)", ErrInvalidInput, name, in.configFile),
		"name the profile that holds your IAM user's keys (aws configure list-profiles), or leave out --source-profile: curfew then writes an identity profile for them")
}
