// Package credcause names why getting AWS credentials failed, in a few words a person
// reads, and the one next step that fits that cause: a wrong MFA code, no terminal to type
// it on, no MFA session open today, an expired session, Identity Center not signed in, an
// unreachable endpoint, a credential_process program that moved, a role that refused the
// caller, a profile without keys. Every curfew command that gets credentials (exec, env,
// plan, stop, start, snooze, preflight, profiles, credentials) explains its failure with
// Explain, so the hint "put access keys in the credentials file" appears only where keys
// are what is missing. Errors are classified with errors.Is/As on the SDK's types and
// API error codes, never by their text; the SDK's own wording stays in the wrapped error,
// for --debug.
package credcause

import (
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/mfasession"
	"github.com/curfew/curfew/internal/problem"
)

// Cause is one reason credentials could not be had.
type Cause int

// The causes Explain tells apart.
const (
	Unknown        Cause = iota
	NeedsLogin           // no MFA session open today: curfew login
	WrongCode            // STS refused the MFA code
	NoTerminal           // a code was needed and there is no terminal to type it on
	SessionExpired       // STS says the session's keys expired
	SSONotSignedIn       // Identity Center: no valid token of the sso-session
	Unreachable          // DNS, connection, timeout
	BinaryMoved          // the credential_process program is not where curfew profiles wrote it
	ProcessFailed        // the credential_process failed and said why on stderr
	ProcessTimeout       // the SDK killed the credential_process after its 60 s
	RoleRefused          // AssumeRole was refused
	BadKeys              // AWS does not know the access keys (deleted, mistyped)
	NoKeys               // the profile (or its source profile) holds no access keys
	MissingProfile       // no such profile in the AWS config and credentials files
	UnsafeCache          // the session cache could be read or replaced by others
	CacheBusy            // another curfew holds the session cache (asking for a code)
)

// Sentinels callers test with errors.Is on an *Error.
var (
	// ErrNoCode means a profile needed an MFA code and none was read.
	ErrNoCode = errors.New("no MFA code read")
	// ErrUnreachable means curfew could not reach an AWS endpoint: DNS, network, proxy.
	ErrUnreachable = errors.New("AWS unreachable")
	// ErrMissingProfile means the profile, or the keys it needs, are not there.
	ErrMissingProfile = problem.ErrMissingProfile
	// ErrLogin means a session must be opened first: curfew login, or aws sso login.
	ErrLogin = errors.New("sign in first")
)

// Profile is what Explain knows of the profile whose credentials failed.
type Profile struct {
	// Name is the profile ("" is the SDK's default chain).
	Name string
	// SSOSession is the profile's sso_session (Identity Center), "" otherwise.
	SSOSession string
	// CredentialProcess says the profile's credentials come from a credential_process.
	CredentialProcess bool
	// SourceProfile is the profile holding the IAM user's keys, when known.
	SourceProfile string
	// RoleARN is the role the profile assumes, when known.
	RoleARN string
	// Stdin says whether stdin is a terminal (a code asked on stdin can be typed there).
	StdinTerminal bool
	// ByLogin says curfew login itself asked for the code: its next step cannot be to
	// run curfew login.
	ByLogin bool
}

// Error is a credential failure as a person reads it: what failed, its cause in a few
// words, and the next step. The SDK's error is kept for errors.As and --debug.
type Error struct {
	Cause Cause
	// What is the one line without the next step.
	What string
	// Next is the one step that fits the cause.
	Next string
	kind error
	err  error
}

func (e *Error) Error() string { return e.What + "\n  next: " + e.Next }

// Unwrap gives the cause's sentinel (ErrLogin, ErrUnreachable, ...) and the SDK's error.
func (e *Error) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// CredentialProcessExit is the exit status of `curfew credentials` when it needs
// `curfew login` first: the curfew that ran it through the SDK reads it (the SDK keeps
// only the status), while the AWS CLI shows the line the process printed.
const CredentialProcessExit = problem.ExitLogin

// Label names profile in messages.
func Label(profile string) string {
	if profile == "" {
		return `the default credentials (environment keys, AWS_PROFILE or the default profile)`
	}
	return fmt.Sprintf("profile %q", profile)
}

// name is profile on a command line.
func name(profile string) string {
	if profile == "" {
		return "default"
	}
	return profile
}

// LoginCommand is what opens the day's MFA session for profile: `curfew login` opens
// the session of every profile curfew profiles wrote (one identity, normally), so it
// fits whatever prefix they were written with.
func LoginCommand(string) string { return "curfew login" }

// Explain returns err as an *Error naming its cause and next step for p, or nil when err
// is nil. An error it cannot place keeps its SDK text behind "could not get credentials".
func Explain(err error, p Profile) *Error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return already
	}
	c := classify(err, p)
	e := &Error{Cause: c, err: err}
	who := Label(p.Name)
	source := p.SourceProfile
	if source == "" {
		source = name(p.Name)
	}
	switch c {
	case NeedsLogin:
		e.kind = ErrLogin
		e.What = fmt.Sprintf("%s: no MFA session is open today", who)
		e.Next = fmt.Sprintf("run `%s` in a terminal: it asks for your MFA code once, and the session serves every account for %g hours", LoginCommand(p.Name), accounts.MFASessionMax.Hours())
	case WrongCode:
		e.What = fmt.Sprintf("%s: AWS did not accept the MFA code", who)
		e.Next = "run it again with the code your device shows now (each code works once, for about 30 seconds)"
	case NoTerminal:
		e.kind = ErrNoCode
		switch {
		case p.ByLogin:
			e.What = fmt.Sprintf("%s needs a terminal to read the MFA code of %s, and there is none", LoginCommand(p.Name), who)
			e.Next = fmt.Sprintf("run `%s` in a terminal window (not from a pipe, cron or CI): it asks for the code there", LoginCommand(p.Name))
		case p.CredentialProcess:
			e.What = fmt.Sprintf("%s asks for an MFA code, and there is no terminal to type it on", who)
			e.Next = fmt.Sprintf("run `%s` in a terminal first; after that no code is asked until the session ends", LoginCommand(p.Name))
		case p.StdinTerminal:
			e.What = fmt.Sprintf("%s asks for an MFA code, and none was typed", who)
			e.Next = "run the command again and type the code your MFA device shows"
		default:
			e.What = fmt.Sprintf("%s asks for an MFA code, and stdin is not a terminal to type it on", who)
			e.Next = fmt.Sprintf("run curfew in a terminal, pipe the code in (echo 123456 | curfew ...), or give it credentials in the environment: aws-vault exec %s -- curfew ... --profile \"\"", name(p.Name))
		}
	case SessionExpired:
		e.kind = ErrLogin
		e.What = fmt.Sprintf("%s: the session has expired", who)
		switch {
		case p.SSOSession != "":
			e.Next = "aws sso login --sso-session " + p.SSOSession
		case p.CredentialProcess || p.SourceProfile != "":
			e.Next = fmt.Sprintf("run `%s --force` in a terminal", LoginCommand(p.Name))
		default:
			e.Next = "get new credentials for the profile (the session in the environment or credentials file has ended)"
		}
	case SSONotSignedIn:
		e.kind = ErrLogin
		e.What = fmt.Sprintf("%s: not signed in to IAM Identity Center (sso-session %s), or the sign-in has expired", who, p.SSOSession)
		e.Next = "aws sso login --sso-session " + p.SSOSession
	case Unreachable:
		e.kind = ErrUnreachable
		e.What = fmt.Sprintf("%s: %s", who, unreachable(err))
		e.Next = "check your network connection, DNS, VPN and proxy (HTTPS_PROXY); if AWS_ENDPOINT_URL or the profile's endpoint_url is set, check that it answers; nothing was changed"
	case BinaryMoved:
		e.What = fmt.Sprintf("%s: its credential_process program is not there any more (curfew moved or deleted since `curfew profiles` wrote it)", who)
		e.Next = "run `curfew profiles` again with the curfew you use now: it writes that binary's path into the profiles"
	case ProcessFailed:
		e.What = fmt.Sprintf("%s: its credential_process failed (the line above says why)", who)
		e.Next = fmt.Sprintf("do what that line says; or run `%s` in a terminal", LoginCommand(p.Name))
	case ProcessTimeout:
		e.What = fmt.Sprintf("%s: its credential_process did not answer within the SDK's 60 seconds", who)
		e.Next = fmt.Sprintf("run `%s` in a terminal first, then run this again", LoginCommand(p.Name))
	case RoleRefused:
		e.What = fmt.Sprintf("%s: AWS refused to let you assume %s", who, orTheRole(p.RoleARN))
		e.Next = roleNext(p.RoleARN)
	case BadKeys:
		e.What = fmt.Sprintf("%s: AWS does not accept the access keys of profile %q (deleted, deactivated or mistyped)", who, source)
		e.Next = fmt.Sprintf("put your IAM user's current access keys in the credentials file: aws configure --profile %s", source)
	case NoKeys:
		e.kind = ErrMissingProfile
		e.What = fmt.Sprintf("%s: profile %q holds no access keys", who, source)
		if source == name(p.Name) {
			e.What = fmt.Sprintf("%s holds no access keys", who)
		}
		e.Next = fmt.Sprintf("put access keys in the credentials file (aws configure --profile %s), or pass --profile with one that has them", source)
	case MissingProfile:
		e.kind = ErrMissingProfile
		var missing config.SharedConfigProfileNotExistError
		errors.As(err, &missing)
		e.What = fmt.Sprintf("%s %q: no such profile in the AWS config and credentials files", ErrMissingProfile, missing.Profile)
		e.Next = "run `curfew profiles --user YOUR_IAM_USER` to write curfew's profiles (if you gave it --prefix, pass the same --prefix here), or pass --profile with one you have (aws configure list-profiles)"
	case UnsafeCache:
		e.What = fmt.Sprintf("%s: %v", who, err) // curfew's own words, naming the file
		e.Next = "remove the file or directory named above (curfew asks for a new MFA code and writes it again as 0600 in a 0700 directory), and find out who else could read it"
	case CacheBusy:
		e.What = fmt.Sprintf("%s: another curfew holds the MFA session cache (it is probably asking for a code)", who)
		e.Next = fmt.Sprintf("type the code where it asks (or end it), then run this again; `%s` opens the session", LoginCommand(p.Name))
	default:
		e.What = fmt.Sprintf("%s could not get credentials (%s)", who, cause.Of(err))
		e.Next = fmt.Sprintf("check the profile with aws sts get-caller-identity --profile %s; --debug shows the whole error", name(p.Name))
	}
	return e
}

// classify finds err's cause.
func classify(err error, p Profile) Cause {
	var (
		missing  config.SharedConfigProfileNotExistError
		noSource config.SharedConfigAssumeRoleError
		process  *processcreds.ProviderError
		exitErr  *exec.ExitError
		ssoToken *ssocreds.InvalidTokenError
		dnsErr   *net.DNSError
		opErr    *net.OpError
		netErr   net.Error
		apiErr   smithy.APIError
		opError  *smithy.OperationError
	)
	switch {
	case errors.Is(err, mfasession.ErrUnsafeCache):
		return UnsafeCache
	case errors.Is(err, mfasession.ErrNoSession):
		return NeedsLogin
	case errors.Is(err, mfasession.ErrLockBusy):
		return CacheBusy
	case errors.Is(err, ErrNoCode):
		return NoTerminal
	case errors.As(err, &missing):
		return MissingProfile
	case errors.As(err, &noSource):
		return NoKeys
	case errors.As(err, &process) && errors.As(err, &exitErr):
		switch exitErr.ExitCode() {
		case 126, 127: // sh: not executable, not found
			return BinaryMoved
		case CredentialProcessExit:
			return NeedsLogin
		case -1:
			return ProcessTimeout // killed: the SDK's limit
		}
		return ProcessFailed
	case errors.As(err, &process) && strings.Contains(process.Err.Error(), "timed out"):
		return ProcessTimeout
	case errors.As(err, &ssoToken):
		return SSONotSignedIn
	case errors.As(err, &dnsErr), errors.As(err, &opErr), errors.As(err, &netErr) && netErr.Timeout():
		return Unreachable
	}
	if errors.As(err, &apiErr) {
		op := ""
		if errors.As(err, &opError) {
			op = opError.Operation()
		}
		switch code := apiErr.ErrorCode(); {
		case code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired":
			return SessionExpired
		case p.SSOSession != "" && (code == "UnauthorizedException" || code == "InvalidGrantException"):
			return SSONotSignedIn
		case code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "UnrecognizedClientException":
			return BadKeys
		case (code == "AccessDenied" || code == "AccessDeniedException") && op == "GetSessionToken":
			return WrongCode
		case code == "AccessDenied" || code == "AccessDeniedException" || code == "ForbiddenException":
			return RoleRefused
		}
		return Unknown
	}
	if errors.As(err, &opError) && opError.Service() == "ec2imds" {
		return NoKeys // the SDK's chain ended at the instance metadata service: no keys anywhere
	}
	if p.SSOSession != "" {
		// The SDK's token provider says "cached SSO token is expired, or not present"
		// with no type of its own: every other failure of an SSO profile is placed above.
		return SSONotSignedIn
	}
	return Unknown
}

// unreachable says which endpoint did not answer and how, in a few words.
func unreachable(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return "cannot resolve " + dnsErr.Name + " (AWS unreachable)"
	case errors.As(err, &opErr) && opErr.Err != nil:
		return "no answer from AWS (" + opErr.Err.Error() + ")"
	}
	return "no answer from AWS (timed out)"
}

func orTheRole(arn string) string {
	if arn == "" {
		return "the profile's role"
	}
	return arn
}

// roleNext is the next step when a role refused the caller: the group, tag and stack that
// let a person in.
func roleNext(arn string) string {
	group, tag := "developers", accounts.DeveloperTag
	if strings.HasSuffix(arn, ":role/"+accounts.OperatorRole) {
		group, tag = "operators", accounts.OperatorTag
	}
	return fmt.Sprintf("check that your IAM user is in the identity account's %s group and tagged %s=%s, and that the account's curfew stack is deployed", group, tag, accounts.MemberTagValue)
}
