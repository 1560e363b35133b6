package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/emulator"
)

// Without a terminal (an IDE, a CI job) login says to run it in one.
func TestLoginWithoutTerminal(t *testing.T) {
	s := emulator.Shared(t)
	identityKeys(t, s.URL)
	config := curfewProfile(t, credentialsArgs(emulator.NewAccountID()))
	r := curfewWith(t, strings.NewReader("123456\n"), func(a *app) {
		a.configFile = config
		a.openTerminal = func() (io.ReadWriteCloser, error) { return nil, errors.New("open /dev/tty: no such device or address") }
	}, "login")
	// It says that login itself needs the terminal: "run curfew login in a terminal first"
	// read as if another command had failed.
	want := "curfew: curfew login needs a terminal to read the MFA code of profile \"staging\", and there is none\n" +
		"  next: run `curfew login` in a terminal window (not from a pipe, cron or CI): it asks for the code there"
	if !errors.Is(r.err, ErrNoMFACode) || "curfew: "+r.err.Error() != want {
		t.Errorf("err = %v, want ErrNoMFACode reading:\n%s", r.err, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", r.stdout)
	}
}

// An STS that does not answer is a network problem, and said so: not a bad key or code.
func TestLoginUnreachable(t *testing.T) {
	identityKeys(t, "http://127.0.0.1:1")
	config := curfewProfile(t, credentialsArgs(emulator.NewAccountID()))
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.openTerminal, a.configFile = tty.open, config }, "login")
	if !errors.Is(r.err, ErrUnreachable) || !strings.Contains(r.err.Error(), "check your network connection") {
		t.Errorf("err = %v, want ErrUnreachable with the network hint", r.err)
	}
}

// With access: identity-center, curfew login signs in through the AWS CLI for curfew's
// sso-session (a stand-in aws on PATH records what it was asked), and asks no MFA code.
func TestLoginSignsInToIdentityCenter(t *testing.T) {
	isolateAWSEnv(t)
	config, _ := identityCenterProfiles(t)
	t.Setenv("AWS_CONFIG_FILE", config)
	bin := t.TempDir()
	asked := filepath.Join(bin, "asked")
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte("#!/bin/sh\necho \"$@\" >> "+asked+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.configFile, a.openTerminal = config, tty.open }, "login")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.stderr)
	}
	got, _ := os.ReadFile(asked)
	if string(got) != "sso login --sso-session curfew\n" || len(tty.prompts) != 0 {
		t.Errorf("aws was asked %q, prompts %q; want one sso login for curfew and no MFA code", got, tty.prompts)
	}
}

// The first morning without keys: curfew login says the identity profile holds none, and
// asks no code it would waste.
func TestLoginWithoutKeysAsksNothing(t *testing.T) {
	isolateAWSEnv(t)
	config := curfewProfile(t, credentialsArgs(emulator.NewAccountID()))
	tty := &fakeTerminal{code: "123456"}
	r := curfewWith(t, strings.NewReader(""), func(a *app) { a.configFile, a.openTerminal = config, tty.open }, "login")
	if !errors.Is(r.err, ErrMissingProfile) || !strings.Contains(r.err.Error(), `profile "identity" holds no access keys`) ||
		!strings.Contains(r.err.Error(), "aws configure --profile identity") || len(tty.prompts) != 0 {
		t.Errorf("login without keys: %v, prompts %q; want the keys named and no prompt", r.err, tty.prompts)
	}
	causetest.NoSDKText(t, "login's error", r.err.Error())
}
