package profiles

import (
	"bytes"
	"fmt"
)

// The marker lines around curfew's block in the user's config file. Everything between
// them belongs to curfew and is replaced on every run; nothing outside is ever changed.
const (
	BeginMarker = "# BEGIN curfew profiles"
	EndMarker   = "# END curfew profiles"
)

// Render returns the profiles as curfew's block of an AWS config file, marker lines
// included, with newline ending every line.
func Render(profiles []Profile, newline string) []byte { return render(profiles, newline, nil) }

// render is Render with the user's own lines of each profile (by name) after curfew's
// settings.
func render(profiles []Profile, newline string, kept map[string][]string) []byte {
	var b bytes.Buffer
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString(newline)
	}
	line("%s: written by `curfew profiles` from the account map; edits between BEGIN and END are replaced.", BeginMarker)
	line("# curfew never writes credentials: access keys stay in the credentials file.")
	for _, p := range profiles {
		line("")
		if p.Comment != "" {
			line("# %s", p.Comment)
		}
		line("[%s]", p.header())
		for _, s := range p.Settings {
			line("%s = %s", s.Key, s.Value)
		}
		for _, k := range kept[p.key()] {
			line("%s", k)
		}
	}
	line("%s", EndMarker)
	return b.Bytes()
}

// Names returns the profile names, in order; a section that is no profile is named by its
// header's words ("sso-session curfew").
func Names(profiles []Profile) []string {
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = p.key()
	}
	return names
}

// key is how merge.go's sectionName names the profile's section.
func (p Profile) key() string {
	if p.Section == "" {
		return p.Name
	}
	return p.Section + " " + p.Name
}

// header is the text between the brackets of the profile's section header.
func (p Profile) header() string {
	if p.Section == "" {
		return "profile " + p.Name
	}
	return p.key()
}
