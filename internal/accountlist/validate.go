package accountlist

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/problem"
)

// ErrInvalidList means the published list holds a value no run of curfew writes. It is
// refused whole: whoever can write the object may have shaped a value to reach the
// developers' ~/.aws/config (a newline adds lines there) or their terminals.
var ErrInvalidList = errors.New("the list of accounts holds values no run of curfew writes")

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// runTokenPattern bounds the run id and kind, which the CLI prints.
	runTokenPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

// Validate checks the list against m, the map of the runs that publish it: every id has
// 12 digits and appears once, every environment is production or non-production, every
// region is one the map names, and no text holds a character that is not printable (a
// newline, a terminal escape). The error wraps ErrInvalidList and names every entry at
// fault, on one line.
func (l List) Validate(m *accounts.Map) error {
	var problems []string
	add := func(field, value, why string) {
		problems = append(problems, fmt.Sprintf("%s %s %s", field, problem.Quote(value), why))
	}
	if !runTokenPattern.MatchString(l.RunID) {
		add("runId", l.RunID, "is not a run id")
	}
	if !runTokenPattern.MatchString(l.Kind) {
		add("kind", l.Kind, "is not a kind of run")
	}
	regions := mapRegions(m)
	seen := map[string]int{}
	for i, a := range l.Accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		if !accountIDPattern.MatchString(a.ID) {
			add(f+".id", a.ID, "is not 12 digits")
		} else if j, dup := seen[a.ID]; dup {
			add(f+".id", a.ID, fmt.Sprintf("is also the id of accounts[%d]", j))
		} else {
			seen[a.ID] = i
		}
		if a.Environment != accounts.Production && a.Environment != accounts.NonProduction {
			add(f+".environment", string(a.Environment), fmt.Sprintf("is not %s or %s", accounts.Production, accounts.NonProduction))
		}
		for j, r := range a.Regions {
			if !slices.Contains(regions, r) {
				add(fmt.Sprintf("%s.regions[%d]", f, j), r, "is not a region of the account map")
			}
		}
		for _, t := range []struct{ field, text string }{{".name", a.Name}, {".from", a.From}, {".reason", a.Reason}, {".unreachable", a.Unreachable}} {
			if !problem.Printable(t.text) {
				add(f+t.field, t.text, "holds a character that is not printable")
			}
		}
	}
	for i, n := range l.Units {
		for _, t := range []struct{ field, text string }{{".from", n.From}, {".outcome", n.Outcome}, {".reason", n.Reason}} {
			if !problem.Printable(t.text) {
				add(fmt.Sprintf("units[%d]%s", i, t.field), t.text, "holds a character that is not printable")
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidList, problem.OneLine(problems))
}

// mapRegions are the regions the map names: a run finds accounts with the regions of
// their unit, and lists the listed ones with their own.
func mapRegions(m *accounts.Map) []string {
	out := append([]string{m.HomeRegion}, m.ExtraRegions...)
	for _, a := range m.Accounts {
		out = append(out, a.Regions...)
	}
	if m.Organization != nil {
		for _, u := range m.Organization.OUs {
			out = append(out, u.Regions...)
		}
	}
	return out
}
