package profiles

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/curfew/curfew/internal/problem"
)

// ErrUnsafeValue means a profile holds text the config file cannot hold as it is: a
// newline would add lines (a second credential_process runs a command on every use of the
// profile), and a name outside the safe set could end its section header.
var ErrUnsafeValue = errors.New("a profile holds text a config file cannot hold safely")

var (
	// sectionNamePattern is what the name in a section header may hold: IAM's name characters,
	// which every profile curfew writes is named with.
	sectionNamePattern = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]+$`)
	keyPattern         = regexp.MustCompile(`^[a-z0-9_]+$`)
)

// checkText refuses profiles whose names, keys, values or comments could change the
// file's structure or hide what it shows: names and keys from a safe set, values and
// comments printable (no newline, carriage return, tab, escape, line separator or
// bidirectional control). It holds whatever the text came from: the map, the published
// list of found accounts, the options.
func checkText(profiles []Profile) error {
	var problems []string
	for _, p := range profiles {
		if !sectionNamePattern.MatchString(p.Name) || p.Section != "" && !sectionNamePattern.MatchString(p.Section) {
			problems = append(problems, fmt.Sprintf("profile name %s may only hold letters, digits and +=,.@_-", problem.Quote(p.key())))
			continue
		}
		if !problem.Printable(p.Comment) {
			problems = append(problems, fmt.Sprintf("profile %q: the comment %s holds a character that is not printable", p.key(), problem.Quote(p.Comment)))
		}
		for _, s := range p.Settings {
			switch {
			case !keyPattern.MatchString(s.Key):
				problems = append(problems, fmt.Sprintf("profile %q: key %s may only hold a-z, 0-9 and _", p.key(), problem.Quote(s.Key)))
			case !problem.Printable(s.Value):
				problems = append(problems, fmt.Sprintf("profile %q: %s %s holds a character that is not printable", p.key(), s.Key, problem.Quote(s.Value)))
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrUnsafeValue, problem.OneLine(problems))
}
