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
// outside the block is kept; the block uses the file's own line endings. Merging the
// result again with the same profiles returns it unchanged.
func Merge(existing []byte, profiles []Profile) ([]byte, error) {
	newline := newlineOf(existing)
	block := Render(profiles, newline)
	start, end, found, err := findBlock(existing)
	if err != nil {
		return nil, err
	}
	outside := existing
	if found {
		outside = slices.Concat(existing[:start], existing[end:])
	}
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
		text := strings.TrimSpace(string(line))
		if !strings.HasPrefix(text, "[") || !strings.HasSuffix(text, "]") {
			continue
		}
		section := strings.TrimSpace(text[1 : len(text)-1])
		name, ok := strings.CutPrefix(section, "profile ")
		if !ok && section != "default" {
			continue // sso-session, services and other section kinds
		}
		name = strings.TrimSpace(name)
		if slices.Contains(names, name) && !slices.Contains(clash, name) {
			clash = append(clash, name)
		}
	}
	return clash
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
