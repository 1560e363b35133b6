// Package markdown reads the project's Markdown pages (README.md and docs/*.md) as its
// docs tests check them: the links and the headings' anchors as GitHub makes them, and
// the commands named in code spans and shell blocks (make targets, curfew commands).
package markdown

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Doc is one Markdown file a person reads: README.md or a page of docs/.
type Doc struct {
	Path string // relative to the module root, e.g. docs/deploy.md
	Text string
	// Code is the text of its code spans and of each line of its shell code blocks
	// (```sh), without comments: the commands it names.
	Code []string
	// Prose is the text outside fenced code blocks, each code span emptied (so that
	// brackets inside code are never taken for a link).
	Prose string
	// Anchors are the ids GitHub gives its headings.
	Anchors map[string]bool
}

// Read reads README.md and every docs/*.md under root, README.md first.
func Read(root string) ([]Doc, error) {
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	var docs []Doc
	for _, p := range append([]string{filepath.Join(root, "README.md")}, pages...) {
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Parse(filepath.ToSlash(rel), string(text)))
	}
	return docs, nil
}

var (
	fence    = regexp.MustCompile("^ {0,3}(```|~~~)[ \t]*([A-Za-z]*)")
	heading  = regexp.MustCompile(`^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$`)
	codeSpan = regexp.MustCompile("`([^`]+)`")
	// Link is a Markdown link: [text](target).
	Link   = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)
	scheme = regexp.MustCompile(`^[a-z][a-z0-9+.-]*:`)
)

// Parse splits a Markdown file into its code, its prose and its headings' anchors.
func Parse(path, text string) Doc {
	d := Doc{Path: path, Text: text, Anchors: map[string]bool{}}
	seen := map[string]int{}
	var prose strings.Builder
	inFence, shell := "", false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := fence.FindStringSubmatch(strings.TrimLeft(line, " ")); m != nil && (inFence == "" || m[1] == inFence) {
			if inFence == "" {
				inFence, shell = m[1], m[2] == "sh" || m[2] == "bash" || m[2] == "shell"
			} else {
				inFence = ""
			}
			prose.WriteString("\n")
			continue
		}
		if inFence != "" {
			// Diagrams, output and YAML name no command; a shell block's comments are prose.
			if shell {
				d.Code = append(d.Code, strings.Join(ShellWords(line), " "))
			}
			prose.WriteString("\n")
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			slug := Slug(m[2])
			if n, ok := seen[slug]; ok {
				seen[slug] = n + 1
				slug = fmt.Sprintf("%s-%d", slug, n+1)
			} else {
				seen[slug] = 0
			}
			d.Anchors[slug] = true
		}
		prose.WriteString(line + "\n")
	}
	// Code spans may run over a line break, as Markdown allows.
	d.Prose = codeSpan.ReplaceAllStringFunc(prose.String(), func(span string) string {
		d.Code = append(d.Code, strings.Join(strings.Fields(span[1:len(span)-1]), " "))
		return "``"
	})
	return d
}

// Slug is the id GitHub gives a heading: its text without Markdown, lower case, with
// every character but letters, digits, spaces, hyphens and underscores dropped, and spaces
// made hyphens. A repeated slug gets -1, -2, … (Parse adds those).
func Slug(h string) string {
	h = Link.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || unicode.IsLetter(r) || unicode.Is(unicode.M, r) || unicode.IsNumber(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// BrokenLinks checks every relative link of docs (read from root): it reaches a file of
// the repository, and its #anchor, in the page or in another, a heading of its target as
// GitHub names it. It returns one line per broken link and how many links it checked.
func BrokenLinks(root string, docs []Doc) (broken []string, checked int) {
	byPath := map[string]Doc{}
	for _, d := range docs {
		byPath[d.Path] = d
	}
	for _, d := range docs {
		for _, m := range Link.FindAllStringSubmatch(d.Prose, -1) {
			target := m[2]
			if scheme.MatchString(target) {
				continue // https:, mailto:: not ours to check
			}
			checked++
			file, anchor, _ := strings.Cut(target, "#")
			where := d
			if file != "" {
				rel := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(d.Path), file)))
				if strings.HasPrefix(rel, "../") {
					broken = append(broken, fmt.Sprintf("%s: link %s leaves the repository", d.Path, target))
					continue
				}
				if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
					broken = append(broken, fmt.Sprintf("%s: link %s: no file %s", d.Path, target, rel))
					continue
				}
				if anchor == "" {
					continue
				}
				var ok bool
				if where, ok = byPath[rel]; !ok {
					broken = append(broken, fmt.Sprintf("%s: link %s: an anchor in %s, which is neither README.md nor a page of docs/", d.Path, target, rel))
					continue
				}
			}
			if !where.Anchors[anchor] {
				broken = append(broken, fmt.Sprintf("%s: link %s: no heading of %s has the anchor #%s", d.Path, target, where.Path, anchor))
			}
		}
	}
	return broken, checked
}
