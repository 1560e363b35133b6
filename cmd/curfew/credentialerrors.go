package main

import (
	"errors"
	"fmt"
	"net"
)

var (
	// ErrNoMFACode means a profile asked for an MFA code and none was read.
	ErrNoMFACode = errors.New("no MFA code read")
	// ErrUnreachable means curfew could not reach an AWS endpoint: DNS, network, proxy.
	ErrUnreachable = errors.New("AWS unreachable")
)

// otherCause returns err with a hint of its own when getting or checking the profile's
// credentials failed for a reason that is not about credentials — no terminal to type
// the MFA code on, a name that does not resolve, a network that does not answer — and
// nil otherwise. Telling such a user to put access keys in the credentials file sends
// them after keys that are fine.
func (a *app) otherCause(err error, profile string) error {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case errors.Is(err, ErrNoMFACode) && !a.stdinIsTerminal():
		return withHint(fmt.Errorf("%s asks for an MFA code, and stdin is not a terminal to type it on: %w", profileLabel(profile), err),
			"run curfew in a terminal, pipe the code in (echo 123456 | curfew ...), or give it credentials in the environment: aws-vault exec %s -- curfew ... --profile \"\"", profileName(profile))
	case errors.Is(err, ErrNoMFACode):
		return withHint(fmt.Errorf("%s asks for an MFA code: %w", profileLabel(profile), err),
			"run the command again and type the code your MFA device shows")
	case errors.As(err, &dnsErr):
		return withHint(fmt.Errorf("%w: cannot resolve %s for %s: %w", ErrUnreachable, dnsErr.Name, profileLabel(profile), err),
			"check your network connection, DNS and VPN; if AWS_ENDPOINT_URL or the profile's endpoint_url is set, check its host name; nothing was changed")
	case errors.As(err, &opErr), errors.As(err, &netErr) && netErr.Timeout():
		return withHint(fmt.Errorf("%w: no answer from AWS for %s: %w", ErrUnreachable, profileLabel(profile), err),
			"check your network connection and proxy (HTTPS_PROXY); if AWS_ENDPOINT_URL is set, check that it answers; nothing was changed")
	}
	return nil
}

// profileName names profile for a command line; "" is the default chain.
func profileName(profile string) string {
	if profile == "" {
		return "default"
	}
	return profile
}
