package markdown

import (
	"regexp"
	"strings"
	"unicode"
)

// ShellWords splits a command as a shell would, keeping quoted text and a <placeholder> in
// its word, and stops at a comment or an operator that ends the command.
func ShellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
			w.WriteRune(r)
		case r == '<':
			quote, inWord = '>', true
			w.WriteRune(r)
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case !inWord && r == '#':
			return words
		case strings.ContainsRune(";&)`", r):
			if inWord {
				words = append(words, w.String())
			}
			return words
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// Commands finds each command named in the code of docs that starts with the program
// name (make, curfew), preceded by nothing, a space, a slash (build/curfew) or an opening
// bracket, and returns the words that follow it, by page.
func Commands(docs []Doc, program string) map[string][][]string {
	start := regexp.MustCompile(`(?:^|[\s/("'$])` + regexp.QuoteMeta(program) + `[ \t]+`)
	found := map[string][][]string{}
	for _, d := range docs {
		for _, code := range d.Code {
			for _, loc := range start.FindAllStringIndex(code, -1) {
				if words := ShellWords(code[loc[1]:]); len(words) > 0 {
					found[d.Path] = append(found[d.Path], words)
				}
			}
		}
	}
	return found
}
