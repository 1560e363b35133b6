package snoozelink_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/lambdatest"
	"github.com/curfew/curfew/internal/snoozelink"
)

// The key: missing, LoadKey fails and EnsureKey creates a SecureString of 32 random bytes;
// heads-up runs creating it at once all get the one key that was stored; a key shorter
// than 32 bytes is refused.
func TestKey(t *testing.T) {
	s := emulator.Shared(t)
	client := ssm.NewFromConfig(s.Account(t, emulator.NewAccountID(), west))
	ctx := t.Context()
	var missing *ssmtypes.ParameterNotFound
	if _, err := snoozelink.LoadKey(ctx, client); !errors.As(err, &missing) {
		t.Fatalf("LoadKey of a missing key = %v", err)
	}
	keys := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			key, err := snoozelink.EnsureKey(ctx, client)
			if err != nil {
				t.Error(err)
			}
			keys[i] = key
		})
	}
	wg.Wait()
	stored, err := snoozelink.LoadKey(ctx, client)
	if err != nil || len(stored) != snoozelink.MinKey {
		t.Fatalf("LoadKey = %d bytes, %v", len(stored), err)
	}
	for i, k := range keys {
		if !bytes.Equal(k, stored) {
			t.Errorf("run %d got another key than the one stored", i)
		}
	}
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(accounts.HeadsUpKeyParameter)})
	if err != nil || out.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		t.Errorf("the key is %+v, %v; want a SecureString", out, err)
	}

	short := ssm.NewFromConfig(s.Account(t, emulator.NewAccountID(), west))
	if _, err := short.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(accounts.HeadsUpKeyParameter), Type: ssmtypes.ParameterTypeSecureString,
		Value: aws.String(base64.StdEncoding.EncodeToString(make([]byte, 16)))}); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() ([]byte, error){
		"LoadKey":   func() ([]byte, error) { return snoozelink.LoadKey(ctx, short) },
		"EnsureKey": func() ([]byte, error) { return snoozelink.EnsureKey(ctx, short) },
	} {
		if _, err := f(); !errors.Is(err, snoozelink.ErrShortKey) {
			t.Errorf("%s of a 16-byte key = %v, want ErrShortKey", name, err)
		}
	}
}

// Without its key the link function does not start: it says which parameter it could not
// read, and serves no page.
func TestLinkFunctionNeedsItsKey(t *testing.T) {
	s := emulator.Shared(t)
	home := s.Account(t, emulator.NewAccountID(), west)
	creds, err := home.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m := emulator.FreshMap(t, mapYAML, 4)
	f := lambdatest.Start(t, "snooze-link", m, map[string]string{
		"AWS_ENDPOINT_URL": s.URL, "AWS_REGION": west, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": creds.SessionToken, "CURFEW_BUCKET": "curfew-runs",
	})
	if _, err := f.Invoke(t.Context(), request("GET", "t=x", "")); err == nil {
		t.Fatal("the function served a page without its key")
	}
	if out := f.Output(); !strings.Contains(out, "read the link key "+accounts.HeadsUpKeyParameter) {
		t.Errorf("the function's output does not name the key:\n%s", out)
	}
}
