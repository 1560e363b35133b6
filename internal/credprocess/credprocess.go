// Package credprocess gets the credentials of curfew's profiles without the SDK's
// credential_process in between: `curfew credentials` (the credential_process itself,
// which never asks for a code: an SDK gives it 60 seconds and kills it after), `curfew
// login` (which asks, in its own process) and `curfew exec`/`env` (which ask in their own
// process too when no session is open). Everything comes from the AWS config files and
// the profile's credential_process line, so none of them needs an account map.
package credprocess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/mfasession"
	"github.com/curfew/curfew/internal/profiles"
)

// Profile is what the AWS config files say of one profile.
type Profile struct {
	Name, Region string
	// Curfew is the profile's `curfew credentials` line, when it has one.
	Curfew *profiles.CredentialProcess
	// SSOSession, SSOAccountID: an Identity Center profile.
	SSOSession, SSOAccountID string
	// RoleARN and SourceProfile: a role_arn profile.
	RoleARN, SourceProfile string
	// CredentialProcess is a credential_process line of any program.
	CredentialProcess string
}

// LoadProfile reads profile from the AWS config and credentials files (AWS_CONFIG_FILE
// and AWS_SHARED_CREDENTIALS_FILE as the SDK reads them). It makes no AWS call.
func LoadProfile(ctx context.Context, name string) (Profile, error) {
	return LoadProfileIn(ctx, name, "")
}

// LoadProfileIn is LoadProfile with configFile as the config file ("" is the SDK's).
func LoadProfileIn(ctx context.Context, name, configFile string) (Profile, error) {
	// The files the SDK's LoadDefaultConfig reads: AWS_CONFIG_FILE and
	// AWS_SHARED_CREDENTIALS_FILE, read by the SDK as it reads them there.
	env, err := config.NewEnvConfig()
	if err != nil {
		return Profile{Name: name}, err
	}
	sc, err := config.LoadSharedConfigProfile(ctx, name, func(o *config.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if configFile != "" {
			o.ConfigFiles = []string{configFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	if err != nil {
		return Profile{Name: name}, err
	}
	p := Profile{Name: name, Region: sc.Region, SSOSession: sc.SSOSessionName, SSOAccountID: sc.SSOAccountID,
		RoleARN: sc.RoleARN, SourceProfile: sc.SourceProfileName, CredentialProcess: sc.CredentialProcess}
	if cp, ok := profiles.ParseCredentialProcess(sc.CredentialProcess); ok {
		p.Curfew = &cp
		p.RoleARN, p.SourceProfile = cp.RoleARN, cp.SourceProfile
	}
	return p, nil
}

// Cause is what credcause.Explain needs to know of the profile.
func (p Profile) Cause() credcause.Profile {
	return credcause.Profile{Name: p.Name, SSOSession: p.SSOSession, CredentialProcess: p.CredentialProcess != "",
		SourceProfile: p.SourceProfile, RoleARN: p.RoleARN}
}

// Account is the account the profile says it acts in: its role's, or its Identity
// Center account; "" when it names none.
func (p Profile) Account() string {
	if p.SSOAccountID != "" {
		return p.SSOAccountID
	}
	if arn, err := parseRoleAccount(p.RoleARN); err == nil {
		return arn
	}
	return ""
}

func parseRoleAccount(arn string) (string, error) {
	// arn:aws:iam::123456789012:role/NAME
	const prefix = "arn:aws:iam::"
	if len(arn) < len(prefix)+13 || arn[:len(prefix)] != prefix || arn[len(prefix)+12] != ':' {
		return "", fmt.Errorf("%q is not a role ARN", arn)
	}
	return arn[len(prefix) : len(prefix)+12], nil
}

// Request is the MFA session request of a credential_process line.
func Request(cp profiles.CredentialProcess) mfasession.Request {
	return mfasession.Request{SourceProfile: cp.SourceProfile, MFASerial: cp.MFASerial, RoleARN: cp.RoleARN,
		SessionName: cp.SessionName, Duration: cp.Duration}
}

// Options are what getting credentials needs from the command.
type Options struct {
	// CacheDir holds the MFA sessions (mfasession.OpenCache).
	CacheDir string
	Now      func() time.Time
	// Load loads the SDK configuration of a profile (the IAM user's keys).
	Load func(ctx context.Context, profile string) (aws.Config, error)
	// Code asks the person for an MFA code; nil never asks (curfew credentials).
	Code func(serial string, expires time.Time) (string, error)
}

// deps builds the MFA session's dependencies for r: STS signed with the source profile's
// keys, which are checked before any code is asked (a profile without keys should not
// cost the person a code, then fail).
func (o Options) deps(ctx context.Context, r mfasession.Request) (mfasession.Deps, error) {
	cache, err := mfasession.OpenCache(o.CacheDir)
	if err != nil {
		return mfasession.Deps{}, err
	}
	cfg, err := o.Load(ctx, r.SourceProfile)
	if err != nil {
		return mfasession.Deps{}, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // STS answers in every region; the identity profile usually names one
	}
	d := mfasession.Deps{
		Cache: cache,
		Now:   o.Now,
		User:  sts.NewFromConfig(cfg),
		WithSession: func(session aws.Credentials) mfasession.AssumeRoleAPI {
			return sts.NewFromConfig(cfg, func(o *sts.Options) { o.Credentials = credentials.StaticCredentialsProvider{Value: session} })
		},
	}
	if o.Code != nil {
		d.Code = func(serial string, expires time.Time) (string, error) {
			if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
				return "", fmt.Errorf("get the keys of profile %s: %w", r.SourceProfile, err)
			}
			return o.Code(serial, expires)
		}
	}
	return d, nil
}

// Credentials returns the role credentials of r through the day's MFA session, asking
// for a code only when o.Code is set.
func Credentials(ctx context.Context, r mfasession.Request, o Options) (aws.Credentials, error) {
	d, err := o.deps(ctx, r)
	if err != nil {
		return aws.Credentials{}, err
	}
	return mfasession.Credentials(ctx, r, d)
}

// Login opens the day's MFA session of r's identity and device (see mfasession.Login).
func Login(ctx context.Context, r mfasession.Request, o Options, force bool) (aws.Credentials, bool, error) {
	if o.Code == nil {
		return aws.Credentials{}, false, errors.New("login needs a terminal to ask for the MFA code")
	}
	d, err := o.deps(ctx, r)
	if err != nil {
		return aws.Credentials{}, false, err
	}
	return mfasession.Login(ctx, r, d, force)
}

// Session returns the day's MFA session of r's identity and device itself, for calls
// the IAM user makes with MFA (reading the published account list).
func Session(ctx context.Context, r mfasession.Request, o Options) (aws.Credentials, error) {
	d, err := o.deps(ctx, r)
	if err != nil {
		return aws.Credentials{}, err
	}
	return mfasession.Session(ctx, r, d)
}

// output is the JSON a credential_process prints (Version 1).
type output struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// JSON is creds as a credential_process prints them.
func JSON(creds aws.Credentials) ([]byte, error) {
	return json.Marshal(output{1, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, creds.Expires.UTC().Format(time.RFC3339)})
}
