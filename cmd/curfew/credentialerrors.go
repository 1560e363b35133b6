package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/credcause"
	"github.com/curfew/curfew/internal/credprocess"
	"github.com/curfew/curfew/internal/redact"
)

var (
	// ErrNoMFACode means a profile asked for an MFA code and none was read.
	ErrNoMFACode = credcause.ErrNoCode
	// ErrUnreachable means curfew could not reach an AWS endpoint: DNS, network, proxy.
	ErrUnreachable = credcause.ErrUnreachable
)

// explain turns a failure to get or check credentials into its cause and next step
// (package credcause), and logs the SDK's own error for --debug.
func (a *app) explain(err error, p credcause.Profile) error {
	if err == nil {
		return nil
	}
	p.StdinTerminal = a.stdinIsTerminal()
	if a.log != nil {
		a.log.Debug("credentials failed", "profile", p.Name, "error", redact.Secrets(err.Error()))
	}
	return credcause.Explain(err, p)
}

// explainProfile is explain for a profile of the AWS config files, read for what it is
// (Identity Center, credential_process, role) to give the next step that fits.
func (a *app) explainProfile(ctx context.Context, err error, profile string) error {
	if err == nil {
		return nil
	}
	p, _ := credprocess.LoadProfile(ctx, profile) // a missing profile keeps its name
	return a.explain(err, p.Cause())
}

// terminalMFACode asks for the code on the terminal itself: stdout may go to a pipe
// (curfew env) and stdin to the command curfew exec runs.
func (a *app) terminalMFACode(what string) func(serial string, expires time.Time) (string, error) {
	return func(serial string, expires time.Time) (string, error) {
		if a.openTerminal == nil {
			return "", fmt.Errorf("%w: no terminal", ErrNoMFACode)
		}
		tty, err := a.openTerminal()
		if err != nil {
			return "", fmt.Errorf("%w: no terminal to ask on (%w)", ErrNoMFACode, err)
		}
		defer tty.Close()
		fmt.Fprintf(tty, "curfew: MFA code of %s for %s (one code serves every account until %s): ",
			serial, what, expires.Local().Format("Mon 15:04"))
		line, err := bufio.NewReader(tty).ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" && err != nil && err != io.EOF {
			return "", fmt.Errorf("%w: %w", ErrNoMFACode, err)
		}
		if code == "" {
			return "", fmt.Errorf("%w: an empty line", ErrNoMFACode)
		}
		return code, nil
	}
}

// profileName names profile for a command line; "" is the default chain.
func profileName(profile string) string {
	if profile == "" {
		return "default"
	}
	return profile
}
