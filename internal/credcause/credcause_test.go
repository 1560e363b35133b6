package credcause_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/mfasession"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// stsAt is STS at endpoint with alice's keys, one attempt per call.
func stsAt(endpoint string) *sts.Client {
	return sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAALICEEXAMPLE", "alice-secret", "")})
}

// faulty is STS behind a proxy that answers every call of action with code.
func faulty(t *testing.T, action, code string, status int) *sts.Client {
	t.Helper()
	proxy := faultproxy.For(t, emulator.Shared(t).URL)
	proxy.Add(faultproxy.Rule{Service: "sts", Action: action, Kind: faultproxy.Error, Code: code, Status: status})
	return stsAt(proxy.URL)
}

func getSessionToken(c *sts.Client) error {
	_, err := c.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::111111111111:mfa/alice"), TokenCode: aws.String("123456")})
	return fmt.Errorf("open an MFA session: %w", err)
}

func assumeRole(c *sts.Client) error {
	_, err := c.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/DeveloperAccess"), RoleSessionName: aws.String("alice")})
	return fmt.Errorf("assume: %w", err)
}

// process is the error of a credential_process running command under the SDK.
func process(t *testing.T, command string, timeout time.Duration) error {
	t.Helper()
	p := processcreds.NewProvider(command, func(o *processcreds.Options) { o.Timeout = timeout })
	_, err := aws.NewCredentialsCache(p).Retrieve(context.Background())
	if err == nil {
		t.Fatalf("%s gave credentials", command)
	}
	return err
}

// profileError is the error of getting the credentials of profile from config, as the
// SDK's LoadDefaultConfig and its credential chain give it.
func profileError(t *testing.T, profile, configText string) error {
	t.Helper()
	home := t.TempDir()
	cfgFile := filepath.Join(home, "config")
	if err := os.WriteFile(cfgFile, []byte(configText), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		t.Setenv(v, "")
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithSharedConfigProfile(profile),
		config.WithSharedConfigFiles([]string{cfgFile}), config.WithSharedCredentialsFiles([]string{filepath.Join(home, "credentials")}))
	if err != nil {
		return err
	}
	_, err = cfg.Credentials.Retrieve(context.Background())
	if err == nil {
		t.Fatalf("profile %s gave credentials", profile)
	}
	return err
}

// Every credential failure names its real cause and the one next step that fits; the
// "put access keys in the credentials file" hint only where keys are missing; no SDK
// wording in what a person reads. The errors are the real SDK's, from STS behind a fault
// proxy, a real credential_process, real profiles.
func TestExplainNamesTheCauseAndTheNextStep(t *testing.T) {
	ssoConfig := "[sso-session curfew]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n[profile staging]\nsso_session = curfew\nsso_account_id = 222222222222\nsso_role_name = DeveloperAccess-non-production\nregion = eu-west-1\n"
	unsafeDir := filepath.Join(t.TempDir(), "curfew")
	if err := os.Mkdir(unsafeDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(unsafeDir, 0o755)
	curfewProfile := credcause.Profile{Name: "staging", CredentialProcess: true, SourceProfile: "identity", RoleARN: "arn:aws:iam::222222222222:role/DeveloperAccess"}
	tests := []struct {
		name    string
		err     func(t *testing.T) error
		profile credcause.Profile
		cause   credcause.Cause
		is      error
		what    string
		next    string
	}{
		{"wrong MFA code", func(t *testing.T) error { return getSessionToken(faulty(t, "GetSessionToken", "AccessDenied", 403)) },
			curfewProfile, credcause.WrongCode, nil, "did not accept the MFA code", "the code your device shows now"},
		{"no terminal for the code", func(*testing.T) error { return fmt.Errorf("%w: no terminal to ask on", credcause.ErrNoCode) },
			curfewProfile, credcause.NoTerminal, credcause.ErrNoCode, "no terminal to type it on", "run `curfew login` in a terminal"},
		{"no terminal for curfew login itself", func(*testing.T) error { return fmt.Errorf("%w: no terminal to ask on", credcause.ErrNoCode) },
			credcause.Profile{Name: "staging", CredentialProcess: true, SourceProfile: "identity", ByLogin: true}, credcause.NoTerminal, credcause.ErrNoCode,
			`curfew login needs a terminal to read the MFA code of profile "staging"`, "run `curfew login` in a terminal window"},
		{"no terminal, a role_arn profile asking on stdin", func(*testing.T) error { return fmt.Errorf("%w: EOF", credcause.ErrNoCode) },
			credcause.Profile{Name: "ops", SourceProfile: "identity"}, credcause.NoTerminal, credcause.ErrNoCode, "stdin is not a terminal", "run curfew in a terminal"},
		{"no session today", func(*testing.T) error {
			return fmt.Errorf("%w for arn:aws:iam::111111111111:mfa/alice", mfasession.ErrNoSession)
		},
			curfewProfile, credcause.NeedsLogin, credcause.ErrLogin, "no MFA session is open today", "run `curfew login` in a terminal"},
		{"no session, through the SDK's credential_process", func(t *testing.T) error {
			return process(t, fmt.Sprintf("echo 'curfew: no MFA session' >&2; exit %d", credcause.CredentialProcessExit), time.Minute)
		}, curfewProfile, credcause.NeedsLogin, credcause.ErrLogin, "no MFA session is open today", "curfew login"},
		{"expired session", func(t *testing.T) error { return assumeRole(faulty(t, "AssumeRole", "ExpiredToken", 400)) },
			curfewProfile, credcause.SessionExpired, credcause.ErrLogin, "the session has expired", "curfew login --force"},
		{"Identity Center not signed in", func(t *testing.T) error { return profileError(t, "staging", ssoConfig) },
			credcause.Profile{Name: "staging", SSOSession: "curfew"}, credcause.SSONotSignedIn, credcause.ErrLogin, "not signed in to IAM Identity Center", "aws sso login --sso-session curfew"},
		{"endpoint unreachable", func(*testing.T) error { return getSessionToken(stsAt("http://127.0.0.1:1")) },
			curfewProfile, credcause.Unreachable, credcause.ErrUnreachable, "no answer from AWS (connect: connection refused)", "check your network connection"},
		{"endpoint name does not resolve", func(*testing.T) error { return getSessionToken(stsAt("http://sts.curfew-test.invalid")) },
			curfewProfile, credcause.Unreachable, credcause.ErrUnreachable, "cannot resolve sts.curfew-test.invalid", "DNS"},
		{"binary moved after curfew profiles", func(t *testing.T) error {
			return process(t, "/nowhere/bin/curfew credentials staging --role-arn arn:aws:iam::222222222222:role/DeveloperAccess", time.Minute)
		}, curfewProfile, credcause.BinaryMoved, nil, "credential_process program is not there any more", "run `curfew profiles` again"},
		{"credential_process killed after the SDK's limit", func(t *testing.T) error { return process(t, "sleep 5", 200*time.Millisecond) },
			curfewProfile, credcause.ProcessTimeout, nil, "did not answer within the SDK's 60 seconds", "run `curfew login` in a terminal first"},
		{"role refused", func(t *testing.T) error { return assumeRole(faulty(t, "AssumeRole", "AccessDenied", 403)) },
			curfewProfile, credcause.RoleRefused, nil, "refused to let you assume arn:aws:iam::222222222222:role/DeveloperAccess", "developers group and tagged curfew:developer=true"},
		{"keys AWS does not know", func(t *testing.T) error {
			return getSessionToken(faulty(t, "GetSessionToken", "InvalidClientTokenId", 403))
		},
			curfewProfile, credcause.BadKeys, nil, `AWS does not accept the access keys of profile "identity"`, "aws configure --profile identity"},
		{"a profile with no keys at all", func(t *testing.T) error {
			return profileError(t, "identity", "[profile identity]\nregion = eu-west-1\n")
		},
			credcause.Profile{Name: "identity"}, credcause.NoKeys, credcause.ErrMissingProfile, `profile "identity" holds no access keys`, "put access keys in the credentials file (aws configure --profile identity)"},
		{"a role profile whose source has no keys", func(t *testing.T) error {
			return profileError(t, "ops", "[profile ops]\nrole_arn = arn:aws:iam::222222222222:role/curfew-operator\nsource_profile = identity\n\n[profile identity]\nregion = eu-west-1\n")
		}, credcause.Profile{Name: "ops", SourceProfile: "identity"}, credcause.NoKeys, credcause.ErrMissingProfile, `profile "identity" holds no access keys`, "aws configure --profile identity"},
		{"no such profile", func(t *testing.T) error { return profileError(t, "nosuch", "[profile identity]\n") },
			credcause.Profile{Name: "nosuch"}, credcause.MissingProfile, credcause.ErrMissingProfile, `"nosuch": no such profile`, "curfew profiles"},
		{"unsafe session cache", func(*testing.T) error { _, err := mfasession.OpenCache(unsafeDir); return err },
			curfewProfile, credcause.UnsafeCache, mfasession.ErrUnsafeCache, unsafeDir + " has mode 0755", "remove the file or directory named above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err(t)
			e := credcause.Explain(err, tt.profile)
			t.Logf("a person reads:\ncurfew: %s", e)
			if e.Cause != tt.cause {
				t.Errorf("cause = %d, want %d; error: %v", e.Cause, tt.cause, err)
			}
			if tt.is != nil && !errors.Is(e, tt.is) {
				t.Errorf("errors.Is(%v) = false", tt.is)
			}
			if !slices.ContainsFunc(e.Unwrap(), func(x error) bool { return x.Error() == err.Error() }) {
				t.Error("the SDK's error is not kept for --debug")
			}
			if !strings.Contains(e.What, tt.what) || !strings.Contains(e.Next, tt.next) {
				t.Errorf("reads %q, want it to say %q and next %q", e.Error(), tt.what, tt.next)
			}
			if strings.Count(e.Error(), "\n") != 1 {
				t.Errorf("want one line and its next step:\n%s", e)
			}
			if keys := strings.Contains(e.Next, "access keys"); keys != (tt.cause == credcause.NoKeys || tt.cause == credcause.BadKeys) {
				t.Errorf("the access-keys hint where keys are not the cause (or missing where they are):\n%s", e)
			}
			causetest.NoSDKText(t, "the explanation", e.Error())
		})
	}
}
