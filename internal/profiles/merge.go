package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrConflict means the user's file already defines a profile curfew would write.
var ErrConflict = errors.New("profile already defined outside curfew's block")

// ErrMarkers means curfew's BEGIN/END marker lines in the file are unbalanced.
var ErrMarkers = errors.New("curfew's block markers are unbalanced")

// ConflictError lists the profiles the user's file defines outside curfew's block that
// curfew would also write. Writing both would leave two sections of one name, and the AWS
// CLI and SDKs would merge them silently.
type ConflictError struct{ Names []string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s: %s", ErrConflict, strings.Join(e.Names, ", "))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Merge returns existing with curfew's block holding profiles: the block between the
// markers is replaced where it is, or appended at the end when there is none. Every byte
// outside the block is kept; the block uses the file's own line endings. Keys that the
// old block's sections hold and curfew does not write (`output = json`, added by `aws
// configure --profile identity`) are kept in the new block's section of the same name.
// Merging the result again with the same profiles returns it unchanged. Profiles with
// text the file cannot hold safely are refused (ErrUnsafeValue).
func Merge(existing []byte, profiles []Profile) ([]byte, error) {
	if err := checkText(profiles); err != nil {
		return nil, err
	}
	newline := newlineOf(existing)
	start, end, found, err := findBlock(existing)
	if err != nil {
		return nil, err
	}
	outside := existing
	var kept map[string][]string
	if found {
		outside = slices.Concat(existing[:start], existing[end:])
		kept = userKeys(existing[start:end], profiles)
	}
	block := render(profiles, newline, kept)
	if clash := definedProfiles(outside, Names(profiles)); len(clash) > 0 {
		return nil, &ConflictError{Names: clash}
	}
	if found {
		return slices.Concat(existing[:start], block, existing[end:]), nil
	}
	out := slices.Clone(existing)
	if len(out) > 0 {
		if !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, newline...)
		}
		if !bytes.HasSuffix(out, []byte(newline+newline)) {
			out = append(out, newline...)
		}
	}
	return append(out, block...), nil
}

// findBlock returns the byte range of curfew's block, from the start of the BEGIN line to
// the end of the END line with its line ending.
func findBlock(data []byte) (start, end int, found bool, err error) {
	start, end = -1, -1
	offset := 0
	for i, line := range lines(data) {
		text := strings.TrimSpace(string(line))
		switch {
		case strings.HasPrefix(text, BeginMarker):
			if start >= 0 {
				return 0, 0, false, fmt.Errorf("%w: a second %q on line %d; remove one of the two blocks by hand", ErrMarkers, BeginMarker, i+1)
			}
			start = offset
		case text == EndMarker:
			if start < 0 || end >= 0 {
				return 0, 0, false, fmt.Errorf("%w: %q on line %d has no %q before it; fix the file by hand", ErrMarkers, EndMarker, i+1, BeginMarker)
			}
			end = offset + len(line)
		}
		offset += len(line)
	}
	if start >= 0 && end < 0 {
		return 0, 0, false, fmt.Errorf("%w: %q has no %q after it; restore the END line or remove the block by hand", ErrMarkers, BeginMarker, EndMarker)
	}
	return start, end, start >= 0, nil
}

// definedProfiles returns those of names that data defines as sections.
func definedProfiles(data []byte, names []string) []string {
	var clash []string
	for _, line := range lines(data) {
		name, header := sectionName(string(line))
		if header && slices.Contains(names, name) && !slices.Contains(clash, name) {
			clash = append(clash, name)
		}
	}
	return clash
}

// userKeys returns, by profile name, the lines of block's sections that set keys curfew
// does not write in that profile, with their indented continuation lines (a nested
// setting such as s3 =), without line endings. The AWS CLI writes into the section it
// finds, so `aws configure` puts a user's settings inside curfew's block; the block
// belongs to curfew, but these keys are the user's and a rerun must not delete them.
// Keys curfew writes are curfew's: their values come from the map and are replaced, and
// in its role profiles so are the keys of its other profile style (styleKeys), which a
// rerun in another style drops. (The identity profile keeps a user's mfa_serial, which
// aws-vault reads there.)
func userKeys(block []byte, profiles []Profile) map[string][]string {
	ours := map[string][]string{}
	for _, p := range profiles {
		for _, s := range p.Settings {
			ours[p.key()] = append(ours[p.key()], s.Key)
		}
		if p.get("role_arn") != "" || p.get("credential_process") != "" {
			ours[p.Name] = append(ours[p.Name], styleKeys...)
		}
	}
	kept := map[string][]string{}
	section, keeping := "", false
	for _, line := range lines(block) {
		text := strings.TrimRight(string(line), "\r\n")
		if name, header := sectionName(text); header {
			section, keeping = name, false
			continue
		}
		keys, known := ours[section]
		trimmed := strings.TrimSpace(text)
		switch {
		case !known || trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			keeping = false
		case text[0] == ' ' || text[0] == '\t':
			if keeping {
				kept[section] = append(kept[section], text)
			}
		default:
			key, _, isKey := strings.Cut(strings.ReplaceAll(trimmed, ":", "="), "=")
			keeping = isKey && !slices.Contains(keys, strings.ToLower(strings.TrimSpace(key)))
			if keeping {
				kept[section] = append(kept[section], text)
			}
		}
	}
	return kept
}

// sectionName returns the profile a section header line names: "default" for [default],
// NAME for [profile NAME], "sso-session NAME" for [sso-session NAME], "" for other
// sections (services); header is false
// when the line is no section header. It reads headers as the AWS CLI does (Python's
// configparser, then shlex): whatever follows the closing bracket, such as a "; old"
// comment, is ignored, the two words may be separated by any blanks and NAME may be
// quoted. A header curfew did not recognise would make it write a second section of the
// same name, and the AWS CLI then fails on every profile.
func sectionName(line string) (name string, header bool) {
	text := strings.TrimSpace(line)
	if !strings.HasPrefix(text, "[") {
		return "", false
	}
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return "", false
	}
	words := strings.Fields(text[1:end])
	switch {
	case len(words) == 1 && words[0] == "default":
		return "default", true
	case len(words) == 2 && words[0] == "profile":
		return unquote(words[1]), true
	case len(words) == 2 && words[0] == SSOSessionSection:
		// Named by both words: an sso-session may share a profile's name.
		return SSOSessionSection + " " + unquote(words[1]), true
	}
	return "", true
}

// unquote removes one pair of matching quotes around s, as shlex does.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// lines splits data after every "\n", keeping the line endings; the last line may have
// none.
func lines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return append(out, data)
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// newlineOf is the file's line ending: that of its first line, "\n" when it has none.
func newlineOf(data []byte) string {
	i := bytes.IndexByte(data, '\n')
	if i > 0 && data[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// Written returns the profiles and sso-sessions in curfew's block of data (an AWS config
// file), by name: what `curfew login` opens sessions for.
func Written(data []byte) (profiles, ssoSessions []string, err error) {
	start, end, found, err := findBlock(data)
	if err != nil || !found {
		return nil, nil, err
	}
	for _, line := range lines(data[start:end]) {
		name, header := sectionName(string(line))
		switch {
		case !header || name == "":
		case strings.HasPrefix(name, SSOSessionSection+" "):
			ssoSessions = append(ssoSessions, strings.TrimPrefix(name, SSOSessionSection+" "))
		default:
			profiles = append(profiles, name)
		}
	}
	return profiles, ssoSessions, nil
}
