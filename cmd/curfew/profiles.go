package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/profiles"
)

// profilesInput is what `curfew profiles` is asked to do.
type profilesInput struct {
	options    profiles.Options
	configFile string
	dryRun     bool
	json       bool
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
	f.BoolVar(&in.json, "json", false, "print the profiles written (with --dry-run: that would be written) as JSON instead of the diff")
	return cmd
}
