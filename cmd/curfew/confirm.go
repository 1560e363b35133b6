package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// ErrNotConfirmed means a command that acts on every account was not confirmed: the user
// answered no, or stdin is no terminal to ask on and --yes was not given.
var ErrNotConfirmed = errors.New("not confirmed")

// stdinIsTerminal says whether stdin is a terminal a person can answer on.
func (a *app) stdinIsTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stdinReader reads stdin line by line; the MFA prompt and the confirmation share it, so
// neither loses input the other buffered.
func (a *app) stdinReader() *bufio.Reader {
	if a.stdinLines == nil {
		a.stdinLines = bufio.NewReader(a.stdin)
	}
	return a.stdinLines
}

// confirm asks on the terminal whether to go ahead with what (a sentence saying what the
// command is about to do) and fails with ErrNotConfirmed unless the answer is yes. yes
// (--yes) skips the question. Without a terminal it refuses rather than reading an
// answer from a pipe: a script that meant one account must not act on all of them.
// instead is the narrower way the refusal offers ("--account NAME for one account").
func (a *app) confirm(what string, yes bool, instead string) error {
	if yes {
		return nil
	}
	if !a.stdinIsTerminal() {
		return withHint(fmt.Errorf("%w: %s, and stdin is not a terminal to ask you first; nothing was changed", ErrNotConfirmed, what),
			"pass --yes to proceed without asking (scripts, pipelines), or %s", instead)
	}
	fmt.Fprintf(a.stderr, "%s. Go ahead? [y/N] ", what)
	line, err := a.stdinReader().ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	case "":
		if err != nil {
			return withHint(fmt.Errorf("%w: no answer read (%w); nothing was changed", ErrNotConfirmed, err), "answer y, or pass --yes")
		}
	}
	return withHint(fmt.Errorf("%w: you did not answer yes; nothing was changed", ErrNotConfirmed),
		"pass %s", instead)
}
