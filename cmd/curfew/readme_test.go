package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/curfew/curfew/internal/emulator"
)

// readmeInvoke finds the documented `aws lambda invoke ...` commands (in backquotes).
var readmeInvoke = regexp.MustCompile("`(aws lambda invoke [^`]+)`")

// The `aws lambda invoke` commands of the README and docs/ run as written on the AWS CLI
// the project pins (v1, which has no --cli-binary-format), and the payload reaches the
// function as written. moto's Lambda without Docker answers with the payload it was given.
func TestREADMELambdaInvokeRunsOnThePinnedCLI(t *testing.T) {
	awsCLI := filepath.Join(moduleRoot(t), ".tools", "venv", "bin", "aws")
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatalf("the pinned AWS CLI is not installed at %s: run `make tools` (awscli is pinned in .tools/requirements.txt)", awsCLI)
	}
	var commands [][]string
	for _, d := range readDocs(t) {
		commands = append(commands, readmeInvoke.FindAllStringSubmatch(d.text, -1)...)
	}
	if len(commands) == 0 {
		t.Fatal("neither the README nor docs/ has an `aws lambda invoke` command: update this test with what they document instead")
	}

	s := emulator.Shared(t)
	resp, err := http.Post(s.URL+"/moto-api/config", "application/json", strings.NewReader(`{"lambda": {"use_docker": false}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	home := emulator.NewAccountID()
	cfg := s.Account(t, home, "eu-west-1")
	role, err := iam.NewFromConfig(cfg).CreateRole(t.Context(), &iam.CreateRoleInput{
		RoleName:                 aws.String("curfew-restart"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var code bytes.Buffer
	z := zip.NewWriter(&code)
	if w, err := z.Create("bootstrap"); err != nil {
		t.Fatal(err)
	} else if _, err := w.Write([]byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	for _, function := range []string{"curfew-restart", "curfew-shutdown"} {
		if _, err := lambda.NewFromConfig(cfg).CreateFunction(t.Context(), &lambda.CreateFunctionInput{
			FunctionName: aws.String(function), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: role.Role.Arn, Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()},
		}); err != nil {
			t.Fatal(err)
		}
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	payload := regexp.MustCompile(`--payload '([^']*)'`)
	for _, c := range commands {
		command := c[1]
		t.Run(command, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("sh", "-c", command)
			cmd.Dir = dir
			cmd.Env = []string{
				"PATH=" + filepath.Dir(awsCLI) + ":" + os.Getenv("PATH"),
				"HOME=" + dir,
				"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
				"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
				"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
				"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
				"AWS_SESSION_TOKEN=" + creds.SessionToken,
				"AWS_DEFAULT_REGION=eu-west-1",
				"AWS_ENDPOINT_URL=" + s.URL,
				"AWS_EC2_METADATA_DISABLED=true",
				"AWS_PAGER=",
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(string(out), `"StatusCode": 200`) {
				t.Errorf("no StatusCode 200 in the output:\n%s", out)
			}
			if m := payload.FindStringSubmatch(command); m != nil {
				if got, err := os.ReadFile(filepath.Join(dir, "out.json")); err != nil || string(got) != m[1] {
					t.Errorf("the function got %q (%v), want the payload %s", got, err, m[1])
				}
			}
		})
	}
}

// doc is one Markdown file a person reads: README.md or a page of docs/.
type doc struct {
	path string // relative to the module root, e.g. docs/deploy.md
	text string
	// code is the text of its code spans and of each line of its shell code blocks
	// (```sh), without comments: the commands it names.
	code []string
	// prose is the text outside fenced code blocks, each code span emptied (so that
	// brackets inside code are never taken for a link).
	prose string
	// anchors are the ids GitHub gives its headings.
	anchors map[string]bool
}

// readDocs reads README.md and every docs/*.md.
func readDocs(t *testing.T) []doc {
	t.Helper()
	root := moduleRoot(t)
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []doc
	for _, p := range append([]string{filepath.Join(root, "README.md")}, pages...) {
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, parseDoc(filepath.ToSlash(rel), string(text)))
	}
	return docs
}

var (
	fence    = regexp.MustCompile("^ {0,3}(```|~~~)[ \t]*([A-Za-z]*)")
	heading  = regexp.MustCompile(`^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$`)
	codeSpan = regexp.MustCompile("`([^`]+)`")
	mdLink   = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)
)

// parseDoc splits a Markdown file into its code, its prose and its headings' anchors.
func parseDoc(path, text string) doc {
	d := doc{path: path, text: text, anchors: map[string]bool{}}
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
				d.code = append(d.code, strings.Join(shellWords(line), " "))
			}
			prose.WriteString("\n")
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			slug := githubSlug(m[2])
			if n, ok := seen[slug]; ok {
				seen[slug] = n + 1
				slug = fmt.Sprintf("%s-%d", slug, n+1)
			} else {
				seen[slug] = 0
			}
			d.anchors[slug] = true
		}
		prose.WriteString(line + "\n")
	}
	// Code spans may run over a line break, as Markdown allows.
	d.prose = codeSpan.ReplaceAllStringFunc(prose.String(), func(span string) string {
		d.code = append(d.code, strings.Join(strings.Fields(span[1:len(span)-1]), " "))
		return "``"
	})
	return d
}

// githubSlug is the id GitHub gives a heading: its text without Markdown, lower case, with
// every character but letters, digits, spaces, hyphens and underscores dropped, and spaces
// made hyphens. A repeated slug gets -1, -2, … (parseDoc adds those).
func githubSlug(h string) string {
	h = mdLink.ReplaceAllString(h, "$1")
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

// Every relative link of the README and docs/ reaches a file of the repository, and every
// #anchor, in the page or in another, a heading of its target as GitHub names it.
func TestDocsLinksAndAnchors(t *testing.T) {
	root := moduleRoot(t)
	docs := readDocs(t)
	byPath := map[string]doc{}
	for _, d := range docs {
		byPath[d.path] = d
	}
	links := 0
	for _, d := range docs {
		for _, m := range mdLink.FindAllStringSubmatch(d.prose, -1) {
			target := m[2]
			if regexp.MustCompile(`^[a-z][a-z0-9+.-]*:`).MatchString(target) {
				continue // https:, mailto:: not ours to check
			}
			links++
			file, anchor, _ := strings.Cut(target, "#")
			where := d
			if file != "" {
				rel := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(d.path), file)))
				if strings.HasPrefix(rel, "../") {
					t.Errorf("%s: link %s leaves the repository", d.path, target)
					continue
				}
				if _, err := os.Stat(filepath.Join(root, rel)); err != nil {
					t.Errorf("%s: link %s: no file %s", d.path, target, rel)
					continue
				}
				if anchor == "" {
					continue
				}
				var ok bool
				if where, ok = byPath[rel]; !ok {
					t.Errorf("%s: link %s: an anchor in %s, which is neither README.md nor a page of docs/", d.path, target, rel)
					continue
				}
			}
			if !where.anchors[anchor] {
				t.Errorf("%s: link %s: no heading of %s has the anchor #%s", d.path, target, where.path, anchor)
			}
		}
	}
	if links == 0 {
		t.Error("no relative link found in the README or docs/: is the parser broken?")
	}
}

// shellWords splits a command as a shell would, keeping quoted text and a <placeholder> in
// its word, and stops at a comment or an operator that ends the command.
func shellWords(s string) []string {
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

// commandsIn finds each command named in the code of the docs that starts with the program
// name (make, curfew), preceded by nothing, a space, a slash (build/curfew) or an opening
// bracket, and returns the words that follow it.
func commandsIn(docs []doc, program string) map[string][][]string {
	start := regexp.MustCompile(`(?:^|[\s/("'$])` + program + `[ \t]+`)
	found := map[string][][]string{}
	for _, d := range docs {
		for _, code := range d.code {
			for _, loc := range start.FindAllStringIndex(code, -1) {
				if words := shellWords(code[loc[1]:]); len(words) > 0 {
					found[d.path] = append(found[d.path], words)
				}
			}
		}
	}
	return found
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
	for path, commands := range commandsIn(readDocs(t), "make") {
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
	for path, commands := range commandsIn(readDocs(t), "curfew") {
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
	if lines := strings.Count(readme.text, "\n"); lines > 250 {
		t.Errorf("README.md has %d lines, more than 250: move what is not the front door into a page of docs/", lines)
	}
	var first []string
	for _, c := range readme.code {
		if w := shellWords(c); len(w) > 0 {
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
		if !strings.Contains(readme.prose, "]("+d.path+")") && !strings.Contains(readme.prose, "]("+d.path+"#") {
			t.Errorf("README.md links nowhere to %s", d.path)
		}
	}
}
