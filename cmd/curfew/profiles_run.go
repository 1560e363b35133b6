package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/profiles"
)

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
	listing := profiles.NewListing(u.Path, ps)
	listing.Changed = u.Changed()
	if in.dryRun {
		switch {
		case in.json:
			return listing.WriteJSON(a.stdout)
		case !u.Changed():
			fmt.Fprintf(a.stdout, "%s already holds these profiles; nothing to change\n", u.Path)
		default:
			fmt.Fprint(a.stdout, u.Diff())
		}
		return nil
	}
	if !u.Changed() {
		fmt.Fprintf(a.stderr, "%s already holds these profiles; nothing written\n", u.Path)
		if in.json {
			return listing.WriteJSON(a.stdout)
		}
		return nil
	}
	backup, err := u.Write(a.now())
	if err != nil {
		return err
	}
	listing.Written, listing.Backup = true, backup
	if in.json {
		if err := listing.WriteJSON(a.stdout); err != nil {
			return err
		}
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
