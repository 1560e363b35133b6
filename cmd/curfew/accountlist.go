package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/profiles"
)

// ErrNoAccountList means the accounts found in organisational units could not be read.
var ErrNoAccountList = errors.New("cannot read the accounts found in organisational units")

// listReader is who reads the published list of accounts: the developer's IAM user
// through the identity profile (or --source-profile), in a session with MFA, since the
// developers' self-service policy denies everything else to keys without MFA.
type listReader struct {
	profile string
	// mfaSerial is the user's MFA device; "" asks IAM for the user's one device.
	mfaSerial string
}

// listSession is how long the MFA session that reads the list lasts: STS's minimum; it
// makes one call.
const listSession = 900

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

// readAccountList reads the list in the home account's curfew-accounts bucket.
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
		if serial, err = ownMFADevice(ctx, sts.NewFromConfig(cfg), iam.NewFromConfig(cfg)); err != nil {
			return accountlist.List{}, withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err), "pass --mfa-serial with your MFA device's ARN; nothing was written")
		}
	}
	code, err := a.mfaCode(r.profile)()
	if err != nil {
		return accountlist.List{}, a.mfaError(err, r.profile)
	}
	tok, err := sts.NewFromConfig(cfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(serial), TokenCode: aws.String(code), DurationSeconds: aws.Int32(listSession),
	})
	if err != nil {
		return accountlist.List{}, withHint(fmt.Errorf("%w: sts:GetSessionToken with MFA device %s as %s: %w", ErrNoAccountList, serial, profileLabel(r.profile), err),
			"check the MFA code and the device (--mfa-serial); nothing was written")
	}
	c := tok.Credentials
	session := cfg.Copy()
	session.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	// A custom endpoint (an emulator) is reached path-style: bucket.localhost does not resolve.
	client := s3.NewFromConfig(session, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	store := accountlist.Store{Client: client, Bucket: accountlist.Bucket(a.m), Owner: a.m.HomeAccount().ID}
	l, err := store.Get(ctx, a.m)
	switch {
	case errors.Is(err, accountlist.ErrNotPublished):
		return l, withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err),
			"every shutdown and restart publishes it; ask an operator to run `curfew plan --profile operator` once (a dry run, it changes nothing), then run this again; nothing was written")
	case errors.Is(err, accountlist.ErrInvalidList):
		return l, invalidListError(err, a.m, "nothing was written")
	case err != nil:
		return l, withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err),
			"your IAM user must be in the %s group of %s (%s), and curfew's stacks deployed with this version of curfew (curfew-identity and curfew-service); nothing was written",
			"developers", a.m.IdentityAccount().Name, a.m.IdentityAccount().ID)
	}
	return l, nil
}

// invalidListError is the error of a published list that Validate refused: someone other
// than curfew's functions may have written it, so it is a matter for whoever runs the
// home account, and no run of this command can fix it.
func invalidListError(err error, m *accounts.Map, done string) error {
	return withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err),
		"tell whoever administers the home account %s (%s): curfew's functions never write such a list, so someone else may have; the next shutdown or restart replaces it (`curfew plan --profile operator` runs one that changes nothing); %s",
		m.HomeAccount().Name, m.HomeAccount().ID, done)
}

// mfaError is the error of an MFA code that could not be read, with its hint.
func (a *app) mfaError(err error, profile string) error {
	return a.explainProfile(context.Background(), err, profile)
}

// mfaDevicesAPI is the part of the IAM client that finds the user's MFA device.
type mfaDevicesAPI interface {
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
}

var _ mfaDevicesAPI = (*iam.Client)(nil)

// ownMFADevice returns the caller's one MFA device. STS names the caller (no policy can
// deny GetCallerIdentity), and the self-service policy lets keys without MFA list their
// own devices, for exactly this.
func ownMFADevice(ctx context.Context, who callerIdentityAPI, devices mfaDevicesAPI) (string, error) {
	id, err := who.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("ask STS who you are: %w", err)
	}
	arn := aws.ToString(id.Arn)
	resource, ok := strings.CutPrefix(arn, "arn:aws:iam::"+aws.ToString(id.Account)+":user/")
	if !ok {
		return "", fmt.Errorf("%s is not an IAM user: the list is read with your IAM user's keys", arn)
	}
	user := resource[strings.LastIndex(resource, "/")+1:]
	out, err := devices.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String(user)})
	if err != nil {
		return "", fmt.Errorf("list the MFA devices of %s: %w", user, err)
	}
	switch len(out.MFADevices) {
	case 0:
		return "", fmt.Errorf("IAM user %s has no MFA device: enrol one in the console first", user)
	case 1:
		return aws.ToString(out.MFADevices[0].SerialNumber), nil
	}
	return "", fmt.Errorf("IAM user %s has %d MFA devices", user, len(out.MFADevices))
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
