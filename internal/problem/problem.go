// Package problem holds the errors a person can fix: each carries the next step to take
// (Hint), several are reported together (List), and each kind maps to one exit status
// (Exit) that scripts can tell apart.
package problem

import (
	"errors"
	"fmt"
	"strings"
)

// Kinds of user error, for errors.Is.
var (
	ErrUnknownAccount = errors.New("unknown account")
	ErrProduction     = errors.New("production account")
	ErrMissingProfile = errors.New("missing AWS profile")
	ErrInvalidInput   = errors.New("invalid input")
	ErrWrongAccount   = errors.New("wrong account")
	// ErrUsage is a command line cobra could not parse: an unknown flag or command, or
	// the wrong number of arguments.
	ErrUsage = errors.New("usage")
)

// Hint is an error the user can fix; its message ends with what to run next.
type Hint struct {
	Err  error
	Next string
}

func (e *Hint) Error() string { return e.Err.Error() + "\n  next: " + e.Next }

func (e *Hint) Unwrap() error { return e.Err }

// WithHint returns err with the next step, hint formatted with args.
func WithHint(err error, hint string, args ...any) error {
	return &Hint{Err: err, Next: fmt.Sprintf(hint, args...)}
}

// List is several input errors reported together.
type List []error

func (p List) Error() string {
	lines := []string{fmt.Sprintf("%d problems:", len(p))}
	for _, err := range p {
		lines = append(lines, "- "+strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return strings.Join(lines, "\n")
}

func (p List) Unwrap() []error { return p }

// Join returns the one error, or all of them as a List; nil for none.
func Join(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return List(errs)
}

// shown is an error that reads as msg while errors.Is and errors.As still see err.
type shown struct {
	msg string
	err error
}

func (e *shown) Error() string { return e.msg }

func (e *shown) Unwrap() error { return e.err }

// Shown returns err reading as msg: the few words a person needs, where err's own text
// (an SDK error's attempts and request ids) belongs in the logs.
func Shown(msg string, err error) error { return &shown{msg: msg, err: err} }
