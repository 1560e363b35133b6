package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/problem"
)

// Kinds of user error, for errors.Is (package problem holds them, for the internal
// packages too).
var (
	ErrUnknownAccount = problem.ErrUnknownAccount
	ErrProduction     = problem.ErrProduction
	ErrMissingProfile = problem.ErrMissingProfile
	ErrInvalidInput   = problem.ErrInvalidInput
	ErrWrongAccount   = problem.ErrWrongAccount
)

// hintError is an error the user can fix; its message ends with what to run next.
type hintError = problem.Hint

func withHint(err error, hint string, args ...any) error {
	return problem.WithHint(err, hint, args...)
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

// joinProblems returns the one error, or all of them together.
func joinProblems(errs []error) error { return problem.Join(errs) }

// awsFailure says in one line that what failed and why (internal/cause), with the next
// step; AWS's own answer goes to the debug log. An error that already says what to do
// next is returned as it is.
func (a *app) awsFailure(what string, err error) error {
	var h *hintError
	if err == nil || errors.As(err, &h) {
		return err
	}
	a.log.Debug(what, "error", err)
	return withHint(problem.Shown(what+": "+cause.Of(err), err),
		"check that the profile may do this there (curfew profiles writes DeveloperAccess), then run the same command again; --debug shows AWS's answer")
}
