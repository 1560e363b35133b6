package problem

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// maxQuoted bounds a value quoted in an error (the text may hold megabytes), and
// maxListed the problems listed, so that an error about text stays one line.
const (
	maxQuoted = 60
	maxListed = 5
)

// Printable says s holds no character that is not printable: no newline, carriage
// return, tab, terminal escape, line separator or bidirectional control.
func Printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// Quote quotes s on one line, escaping what is not printable, cut to 60 bytes.
func Quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "..."
	}
	return strconv.Quote(s)
}

// OneLine joins problems with "; ", the first five and "and N more" for the others.
func OneLine(problems []string) string {
	if n := len(problems) - maxListed; n > 0 {
		problems = append(problems[:maxListed], fmt.Sprintf("and %d more", n))
	}
	return strings.Join(problems, "; ")
}
