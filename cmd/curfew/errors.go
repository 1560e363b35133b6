package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/credcause"
)

// Kinds of user error, for errors.Is.
var (
	ErrUnknownAccount = errors.New("unknown account")
	ErrProduction     = errors.New("production account")
	ErrMissingProfile = credcause.ErrMissingProfile
	ErrInvalidInput   = errors.New("invalid input")
	ErrWrongAccount   = errors.New("wrong account")
)

// hintError is an error the user can fix; its message ends with what to run next.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + "\n  next: " + e.hint }

func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hint string, args ...any) error {
	return &hintError{err: err, hint: fmt.Sprintf(hint, args...)}
}

// targetAccount returns the named account of the map; the identity account is no
// target, it holds only users.
func targetAccount(m *accounts.Map, name string) (accounts.Account, error) {
	a, ok := m.Account(name)
	if !ok || name == m.Identity {
		return accounts.Account{}, withHint(fmt.Errorf("%w %q: the account map has no target account of that name", ErrUnknownAccount, name),
			"use one of %s (curfew console lists them)", strings.Join(targetNames(m), ", "))
	}
	return a, nil
}

// sweptAccount returns the named account if curfew may stop and start things in it.
func sweptAccount(m *accounts.Map, name string) (accounts.Account, error) {
	a, err := targetAccount(m, name)
	if err != nil {
		return a, err
	}
	if a.IsProduction() {
		return a, withHint(fmt.Errorf("%w %q: curfew never stops, starts or snoozes anything in production", ErrProduction, name),
			"choose a non-production account: %s", strings.Join(sweptNames(m), ", "))
	}
	if !a.ShutdownEnabled() {
		return a, withHint(fmt.Errorf("%w: account %q has the night shutdown turned off (shutdown: false)", ErrInvalidInput, name),
			"turn it on in the account map, or choose one of %s", strings.Join(sweptNames(m), ", "))
	}
	return a, nil
}

func targetNames(m *accounts.Map) []string {
	var names []string
	for _, a := range m.Targets() {
		names = append(names, a.Name)
	}
	return names
}

func sweptNames(m *accounts.Map) []string {
	var names []string
	for _, a := range m.Swept() {
		names = append(names, a.Name)
	}
	return names
}

// checkRegion fails unless region is one of the account's.
func checkRegion(a accounts.Account, region string) error {
	if slices.Contains(a.Regions, region) {
		return nil
	}
	return withHint(fmt.Errorf("%w: region %q is not one of account %s's regions (%s)", ErrInvalidInput, region, a.Name, strings.Join(a.Regions, ", ")),
		"pass --region with one of them, or add the region to the account in the account map")
}

// problems is several input errors reported together.
type problems []error

func (p problems) Error() string {
	lines := []string{fmt.Sprintf("%d problems:", len(p))}
	for _, err := range p {
		lines = append(lines, "- "+strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return strings.Join(lines, "\n")
}

func (p problems) Unwrap() []error { return p }

// joinProblems returns the one error, or all of them as problems.
func joinProblems(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return problems(errs)
}
