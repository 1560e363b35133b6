//go:build !unix

package mfasession

import (
	"context"
	"errors"
	"io/fs"
	"os"
)

// ownedByUser cannot tell a file's owner apart here, so no cache is trusted: the daily
// MFA session needs a Unix-like system (Linux, macOS); elsewhere use the plain
// mfa_serial profiles (curfew profiles --mfa-per-profile).
func ownedByUser(fs.FileInfo) error {
	return errors.New("cannot be checked for its owner on this system: use curfew profiles --mfa-per-profile")
}

func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

// lockFile is never reached: no cache opens here (ownedByUser).
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
