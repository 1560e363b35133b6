// Package mfasession turns one MFA code a day into credentials for a role in any
// account, as aws-vault and granted do: the code goes into one sts:GetSessionToken call
// whose MFA session lasts as long as the roles accept an MFA sign-in
// (accounts.MFASessionMax), the session is kept in a file only the user can read, and
// every role is assumed from it, each answer cached until shortly before it expires.
package mfasession

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
)

// Bounds of the credentials handed out.
const (
	// minRoleSession is STS's shortest AssumeRole session; an MFA session with less left
	// cannot give a role session that ends with it, so a new code is asked for.
	minRoleSession = 15 * time.Minute
	// RefreshBefore is how long before expiry cached role credentials are no longer
	// handed out: a caller gets at least this long to use them, as the AWS CLI and SDKs
	// refresh credential_process credentials 5 to 15 minutes early.
	RefreshBefore = 10 * time.Minute
)

// Request says which role to assume, from which identity.
type Request struct {
	// SourceProfile names the AWS profile holding the IAM user's long-lived keys; it
	// keys the MFA session, so two identities never share one.
	SourceProfile string
	// MFASerial is the IAM user's MFA device.
	MFASerial string
	// RoleARN is the role to assume, SessionName its session name (the IAM user's name,
	// as DeveloperAccess requires).
	RoleARN, SessionName string
	// Duration is the role session asked for; it is cut to the MFA session's remaining
	// life, so no role session outlives the code it came from.
	Duration time.Duration
}

// SessionTokenAPI is the call made with the IAM user's long-lived keys.
type SessionTokenAPI interface {
	GetSessionToken(context.Context, *sts.GetSessionTokenInput, ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
}

// AssumeRoleAPI is the call made with the MFA session.
type AssumeRoleAPI interface {
	AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

var (
	_ SessionTokenAPI = (*sts.Client)(nil)
	_ AssumeRoleAPI   = (*sts.Client)(nil)
)

// Deps are what Credentials calls.
type Deps struct {
	Cache *Cache
	Now   func() time.Time
	// User is STS signed with the IAM user's long-lived keys.
	User SessionTokenAPI
	// WithSession returns STS signed with an MFA session.
	WithSession func(aws.Credentials) AssumeRoleAPI
	// Code asks the person for a code of their MFA device; expires is when the session
	// it opens will end. Nil never asks: without a usable session the answer is
	// ErrNoSession (curfew credentials under an SDK, which gives it 60 seconds).
	Code func(serial string, expires time.Time) (string, error)
}

// ErrNoSession means no usable MFA session is cached (none opened today, expired, or
// refused by STS) and the caller may not ask for a code: `curfew login` opens one.
var ErrNoSession = errors.New("no MFA session open")

// sessionKey names the MFA session of a request: one per identity and device.
func (r Request) sessionKey() string { return r.SourceProfile + "\x00" + r.MFASerial }

// Credentials returns credentials of the request's role: cached ones while they last,
// else assumed from the cached MFA session, else from a new MFA session opened with one
// code. A cached session that STS no longer accepts (revoked, or the clock moved) is
// dropped and the code asked again, once. Concurrent callers take turns, so one code
// serves them all.
func Credentials(ctx context.Context, r Request, d Deps) (aws.Credentials, error) {
	roleKey := r.SourceProfile + "\x00" + r.MFASerial + "\x00" + r.RoleARN + "\x00" + r.SessionName
	sessionKey := r.sessionKey()
	unlock, err := d.Cache.lock(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	defer unlock()
	now := d.Now()
	role, ok, err := d.Cache.load("role", roleKey)
	if err != nil {
		return aws.Credentials{}, err
	}
	if ok && role.Expires.After(now.Add(RefreshBefore)) {
		return role, nil
	}
	session, cached, err := d.Cache.load("session", sessionKey)
	if err != nil {
		return aws.Credentials{}, err
	}
	if !cached || !usable(session, now) {
		if d.Code == nil {
			return aws.Credentials{}, noSession(r, cached, session)
		}
		if session, err = newSession(ctx, r, d, sessionKey); err != nil {
			return aws.Credentials{}, err
		}
		cached = false
	}
	role, err = assume(ctx, r, d, session)
	if err != nil && cached && rejectedSession(err) {
		if err := d.Cache.remove("session", sessionKey); err != nil {
			return aws.Credentials{}, err
		}
		if d.Code == nil {
			return aws.Credentials{}, fmt.Errorf("%w for %s: STS no longer accepts the cached one (%w)", ErrNoSession, r.MFASerial, err)
		}
		if session, err = newSession(ctx, r, d, sessionKey); err != nil {
			return aws.Credentials{}, err
		}
		role, err = assume(ctx, r, d, session)
	}
	if err != nil {
		return aws.Credentials{}, err
	}
	if err := d.Cache.store("role", roleKey, role); err != nil {
		return aws.Credentials{}, err
	}
	return role, nil
}

// usable says whether session can still give a role session of STS's minimum length.
func usable(session aws.Credentials, now time.Time) bool {
	return session.Expires.After(now.Add(minRoleSession + time.Minute))
}

// noSession is ErrNoSession saying why there is none.
func noSession(r Request, cached bool, session aws.Credentials) error {
	if cached {
		return fmt.Errorf("%w for %s: the last one ends %s", ErrNoSession, r.MFASerial, session.Expires.Local().Format("Mon 15:04"))
	}
	return fmt.Errorf("%w for %s (profile %s)", ErrNoSession, r.MFASerial, r.SourceProfile)
}

// Login opens the day's MFA session of the request's identity and device with one code
// (d.Code), unless one with time left is cached and force is false; it returns the
// session and whether it opened a new one. Role credentials cached from an older
// session stay until they expire, as they would have.
func Login(ctx context.Context, r Request, d Deps, force bool) (session aws.Credentials, opened bool, err error) {
	if d.Code == nil {
		return aws.Credentials{}, false, errors.New("login needs a way to ask for the MFA code")
	}
	unlock, err := d.Cache.lock(ctx)
	if err != nil {
		return aws.Credentials{}, false, err
	}
	defer unlock()
	session, cached, err := d.Cache.load("session", r.sessionKey())
	if err != nil {
		return aws.Credentials{}, false, err
	}
	if cached && !force && usable(session, d.Now()) {
		return session, false, nil
	}
	session, err = newSession(ctx, r, d, r.sessionKey())
	return session, err == nil, err
}

// Session returns the cached MFA session of the request's identity and device, opening
// one with d.Code when there is none usable (ErrNoSession when d.Code is nil). Callers
// that need the session's own keys (reading the published account list, which the
// developers' policy allows only with MFA) use the day's session instead of one of
// their own.
func Session(ctx context.Context, r Request, d Deps) (aws.Credentials, error) {
	unlock, err := d.Cache.lock(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	defer unlock()
	session, cached, err := d.Cache.load("session", r.sessionKey())
	if err != nil {
		return aws.Credentials{}, err
	}
	if cached && usable(session, d.Now()) {
		return session, nil
	}
	if d.Code == nil {
		return aws.Credentials{}, noSession(r, cached, session)
	}
	return newSession(ctx, r, d, r.sessionKey())
}

// newSession asks for a code and opens an MFA session of accounts.MFASessionMax with it.
func newSession(ctx context.Context, r Request, d Deps, key string) (aws.Credentials, error) {
	code, err := d.Code(r.MFASerial, d.Now().Add(accounts.MFASessionMax))
	if err != nil {
		return aws.Credentials{}, err
	}
	out, err := d.User.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(int32(accounts.MFASessionMax.Seconds())),
		SerialNumber:    aws.String(r.MFASerial),
		TokenCode:       aws.String(code),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("open an MFA session with %s (sts:GetSessionToken, profile %s): %w", r.MFASerial, r.SourceProfile, err)
	}
	session, err := fromSTS(out.Credentials, "GetSessionToken")
	if err != nil {
		return aws.Credentials{}, err
	}
	return session, d.Cache.store("session", key, session)
}

// assume assumes the role from session for the request's duration, cut to what is left
// of the session.
func assume(ctx context.Context, r Request, d Deps, session aws.Credentials) (aws.Credentials, error) {
	duration := min(r.Duration, session.Expires.Sub(d.Now()).Truncate(time.Second))
	out, err := d.WithSession(session).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(r.RoleARN),
		RoleSessionName: aws.String(r.SessionName),
		DurationSeconds: aws.Int32(int32(duration.Seconds())),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume %s as %s: %w", r.RoleARN, r.SessionName, err)
	}
	return fromSTS(out.Credentials, "AssumeRole")
}

// rejectedSession reports whether STS refused the session's keys themselves, not the
// request: only then does a new code help.
func rejectedSession(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch":
		return true
	}
	return false
}

// fromSTS converts STS's answer to call, refusing one without keys or expiry.
func fromSTS(c *types.Credentials, call string) (aws.Credentials, error) {
	if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretAccessKey) == "" || aws.ToString(c.SessionToken) == "" || c.Expiration == nil {
		return aws.Credentials{}, fmt.Errorf("sts:%s answered without complete credentials", call)
	}
	return aws.Credentials{
		AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken),
		Source: "curfew " + call, CanExpire: true, Expires: *c.Expiration,
	}, nil
}
