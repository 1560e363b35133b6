package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/mfasession"
	"github.com/curfew/curfew/internal/profiles"
)

// ErrNoAccountList means the accounts found in organisational units could not be read.
var ErrNoAccountList = errors.New("cannot read the accounts found in organisational units")

// listReader is who reads the published list of accounts: the developer's IAM user
// through the identity profile (or --source-profile), in the day's MFA session, since the
// developers' self-service policy denies everything else to keys without MFA.
type listReader struct {
	profile string
	// mfaSerial is the user's MFA device; "" asks IAM for the user's one device.
	mfaSerial string
}

// withFound returns the map that profiles and console links are made from: a.m itself,
// with no AWS call, when the map finds no accounts in organisational units; otherwise a.m
// with the accounts the last shutdown or restart found (package accountlist).
func (a *app) withFound(ctx context.Context, r listReader) (*accounts.Map, error) {
	if a.m.Organization == nil {
		return a.m, nil
	}
	l, err := a.readAccountList(ctx, r)
	if err != nil {
		return nil, err
	}
	found := l.Found(a.m)
	fmt.Fprintf(a.stderr, "%d account(s) found in organisational units by run %s (%s)\n", len(found), l.RunID, l.Published.Format("2006-01-02 15:04 MST"))
	return l.WithFound(a.m), nil
}

// readAccountList reads the list in the home account's curfew-accounts bucket through
// the day's MFA session (package mfasession, the one every curfew profile uses): a
// session open today serves it without a code; otherwise the code is asked here, and
// the session it opens serves the profiles too.
func (a *app) readAccountList(ctx context.Context, r listReader) (accountlist.List, error) {
	cfg, err := a.awsConfig(ctx, r.profile, a.m.HomeRegion)
	if err != nil {
		return accountlist.List{}, err
	}
	if err := a.checkCredentials(ctx, cfg, r.profile); err != nil {
		return accountlist.List{}, err
	}
	serial := r.mfaSerial
	if serial == "" {
		if serial, err = accountlist.OwnMFADevice(ctx, sts.NewFromConfig(cfg), iam.NewFromConfig(cfg)); err != nil {
			return accountlist.List{}, withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err), "pass --mfa-serial with your MFA device's ARN; nothing was written")
		}
	}
	opts := a.credentialOptions(a.listMFACode())
	opts.Load = func(context.Context, string) (aws.Config, error) { return cfg, nil }
	session, err := credprocess.Session(ctx, mfasession.Request{SourceProfile: r.profile, MFASerial: serial}, opts)
	if err != nil {
		return accountlist.List{}, a.explain(err, credcause.Profile{Name: r.profile, SourceProfile: r.profile})
	}
	l, err := accountlist.Read(ctx, cfg, session, a.m)
	switch {
	case errors.Is(err, accountlist.ErrNotPublished):
		return l, withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err),
			"every shutdown and restart publishes it; ask an operator to run `curfew plan --profile operator` once (a dry run, it changes nothing), then run this again; nothing was written")
	case errors.Is(err, accountlist.ErrInvalidList):
		return l, invalidListError(err, a.m, "nothing was written")
	case err != nil:
		return l, withHint(fmt.Errorf("%w: %s", ErrNoAccountList, cause.Of(err)),
			"your IAM user must be in the %s group of %s (%s), and curfew's stacks deployed with this version of curfew (curfew-identity and curfew-service); nothing was written",
			"developers", a.m.IdentityAccount().Name, a.m.IdentityAccount().ID)
	}
	return l, nil
}

// listMFACode asks for the code on the terminal, or on stdin when there is no terminal
// to open (echo 123456 | curfew console): reading the list is a command of its own, not
// a credential_process.
func (a *app) listMFACode() func(string, time.Time) (string, error) {
	onTerminal := a.terminalMFACode("every account")
	return func(serial string, expires time.Time) (string, error) {
		if a.openTerminal != nil {
			if tty, err := a.openTerminal(); err == nil {
				tty.Close()
				return onTerminal(serial, expires)
			}
		}
		fmt.Fprintf(a.stderr, "MFA code of %s (one code serves every account until %s): ", serial, expires.Local().Format("Mon 15:04"))
		line, err := a.stdinReader().ReadString('\n')
		if code := strings.TrimSpace(line); code != "" {
			return code, nil
		}
		return "", fmt.Errorf("%w: %w", ErrNoMFACode, err)
	}
}

// invalidListError is the error of a published list that Validate refused: someone other
// than curfew's functions may have written it, so it is a matter for whoever runs the
// home account, and no run of this command can fix it.
func invalidListError(err error, m *accounts.Map, done string) error {
	return withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err),
		"tell whoever administers the home account %s (%s): curfew's functions never write such a list, so someone else may have; the next shutdown or restart replaces it (`curfew plan --profile operator` runs one that changes nothing); %s",
		m.HomeAccount().Name, m.HomeAccount().ID, done)
}

// foundProfiles returns the profiles of the map and of the accounts found in its units
// when it has any (ps, made from the map alone, otherwise), read as the identity profile
// (or --source-profile) with the user's MFA device.
func (a *app) foundProfiles(ctx context.Context, o profiles.Options, ps []profiles.Profile) ([]profiles.Profile, error) {
	r := listReader{profile: o.SourceProfile, mfaSerial: o.MFASerial}
	if r.mfaSerial == "" {
		r.mfaSerial = fmt.Sprintf("arn:aws:iam::%s:mfa/%s", a.m.IdentityAccount().ID, o.User)
	}
	m, err := a.withFound(ctx, r.orIdentity(a))
	if err != nil || m == a.m {
		return ps, err
	}
	return profiles.Generate(m, o)
}

// orIdentity fills in the identity profile curfew profiles writes when no profile is given.
func (r listReader) orIdentity(a *app) listReader {
	if r.profile == "" {
		r.profile = a.prefix + a.m.IdentityAccount().Name
	}
	return r
}

// addListReaderFlags are the flags of a command that reads the list of accounts.
func addListReaderFlags(cmd *cobra.Command, r *listReader) {
	f := cmd.Flags()
	f.StringVar(&r.profile, "source-profile", "", "with a map that finds accounts in organisational units: the profile with your IAM user's keys that reads their list (default: --prefix and the identity account's name)")
	f.StringVar(&r.mfaSerial, "mfa-serial", "", "with a map that finds accounts in organisational units: ARN of your MFA device (default: your IAM user's one device)")
}
