package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/markdown"
)

// readDocs reads README.md and every docs/*.md of the repository.
func readDocs(t *testing.T) []markdown.Doc {
	t.Helper()
	docs, err := markdown.Read(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// Every relative link of the README and docs/ reaches a file of the repository, and every
// #anchor, in the page or in another, a heading of its target as GitHub names it
// (markdown.BrokenLinks, whose own tests prove it finds each kind of broken link).
func TestDocsLinksAndAnchors(t *testing.T) {
	broken, checked := markdown.BrokenLinks(moduleRoot(t), readDocs(t))
	for _, b := range broken {
		t.Error(b)
	}
	if checked == 0 {
		t.Error("no relative link found in the README or docs/: is the parser broken?")
	}
}

var makeTarget = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9_. -]*?)[ \t]*:([^=]|$)`)

// Every `make <target>` the README and docs/ name is a target of the Makefile.
func TestDocsMakeTargets(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(moduleRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, line := range strings.Split(string(makefile), "\n") {
		if m := makeTarget.FindStringSubmatch(line); m != nil {
			for _, name := range strings.Fields(m[1]) {
				targets[name] = true
			}
		}
	}
	if !targets["test"] || !targets["demo"] {
		t.Fatalf("no test or demo among the Makefile's targets %v: is the parser broken?", targets)
	}
	named := 0
	for path, commands := range markdown.Commands(readDocs(t), "make") {
		for _, words := range commands {
			for _, w := range words {
				if strings.HasPrefix(w, "-") || strings.ContainsAny(w, "=<") {
					continue // a flag, a variable (STACK=curfew-staging) or a <placeholder>
				}
				named++
				if !targets[w] {
					t.Errorf("%s: `make %s`: the Makefile has no target %s", path, strings.Join(words, " "), w)
				}
			}
		}
	}
	if named == 0 {
		t.Error("no `make <target>` found in the README or docs/: is the parser broken?")
	}
}

// Every `curfew <command>` the README and docs/ name is a command of the CLI, down to its
// subcommands (curfew completion bash).
func TestDocsCurfewCommands(t *testing.T) {
	root := newRootCommand(&app{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	child := func(c *cobra.Command, name string) *cobra.Command {
		for _, sub := range c.Commands() {
			if sub.Name() == name || sub.HasAlias(name) {
				return sub
			}
		}
		return nil
	}
	bare := regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	named := 0
	for path, commands := range markdown.Commands(readDocs(t), "curfew") {
		for _, words := range commands {
			// curfew stop|start|plan, curfew stop/start/plan: each of them.
			first := strings.FieldsFunc(words[0], func(r rune) bool { return r == '|' || r == '/' })
			if len(first) == 0 || !bare.MatchString(first[0]) {
				continue // a flag or a value (--qualifier curfew --toolkit-stack-name …), not a command
			}
			for _, name := range first {
				named++
				c := child(root, name)
				if c == nil {
					t.Errorf("%s: `curfew %s`: curfew has no command %s", path, strings.Join(words, " "), name)
					continue
				}
				for _, w := range words[1:] {
					if !c.HasSubCommands() || !bare.MatchString(w) {
						break
					}
					if c = child(c, w); c == nil {
						t.Errorf("%s: `curfew %s`: no command %s under it", path, strings.Join(words, " "), w)
						break
					}
				}
			}
		}
	}
	if named == 0 {
		t.Error("no `curfew <command>` found in the README or docs/: is the parser broken?")
	}
}

// The README is a front door (STYLE.md 19): short, its first commands `make demo` then
// `make test` (the one test command, which .ci/run calls), and a link to every page of
// docs/, so that no page is found only by chance.
func TestReadmeIsAFrontDoor(t *testing.T) {
	docs := readDocs(t)
	readme := docs[0]
	if lines := strings.Count(readme.Text, "\n"); lines > 250 {
		t.Errorf("README.md has %d lines, more than 250: move what is not the front door into a page of docs/", lines)
	}
	var first []string
	for _, c := range readme.Code {
		if w := markdown.ShellWords(c); len(w) > 0 {
			first = append(first, strings.Join(w, " "))
		}
		if len(first) == 2 {
			break
		}
	}
	if strings.Join(first, "; ") != "make demo; make test" {
		t.Errorf("the README's first commands are %q, want make demo, then make test", first)
	}
	for _, d := range docs[1:] {
		if !strings.Contains(readme.Prose, "]("+d.Path+")") && !strings.Contains(readme.Prose, "]("+d.Path+"#") {
			t.Errorf("README.md links nowhere to %s", d.Path)
		}
	}
}
