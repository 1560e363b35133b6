package markdown_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/curfew/curfew/internal/markdown"
)

func TestSlug(t *testing.T) {
	for h, want := range map[string]string{
		"Daily use and operators":                     "daily-use-and-operators",
		"Keep a resource up tonight: `curfew snooze`": "keep-a-resource-up-tonight-curfew-snooze",
		"[`make demo`](docs/x.md) in detail":          "make-demo-in-detail",
		"Scripts: `--json` and exit statuses":         "scripts---json-and-exit-statuses",
		"Über_große Kosten (€)":                       "über_große-kosten-",
	} {
		if got := markdown.Slug(h); got != want {
			t.Errorf("Slug(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestShellWords(t *testing.T) {
	for s, want := range map[string][]string{
		"make deploy STACK=curfew-staging  # one stack":  {"make", "deploy", "STACK=curfew-staging"},
		`curfew exec staging -- sh -c 'echo "hi there"'`: {"curfew", "exec", "staging", "--", "sh", "-c", `'echo "hi there"'`},
		"curfew snooze <account id> i-0abc; make test":   {"curfew", "snooze", "<account id>", "i-0abc"},
		"a && b":    {"a"},
		"# comment": nil,
	} {
		if got := markdown.ShellWords(s); !slices.Equal(got, want) {
			t.Errorf("ShellWords(%q) = %q, want %q", s, got, want)
		}
	}
}

const page = "# Title\n\nSee [deploy](deploy.md#first-deploy) and [`make x`](#title).\n\n" +
	"## Title\n\n```sh\nmake demo   # the night\n```\n\n```yaml\nmake: nothing\n```\n\nRun `curfew\nplan --json` or [web](https://example.com).\n"

// Parse keeps a shell block's commands without comments, code spans (over a line break
// too) as code, other blocks out of both, and a repeated heading's anchor with -1.
func TestParse(t *testing.T) {
	d := markdown.Parse("docs/a.md", page)
	if want := []string{"make demo", "make x", "curfew plan --json"}; !slices.Equal(d.Code, want) {
		t.Errorf("code %q, want %q", d.Code, want)
	}
	if want := map[string]bool{"title": true, "title-1": true}; !reflect.DeepEqual(d.Anchors, want) {
		t.Errorf("anchors %v, want %v", d.Anchors, want)
	}
	if got := markdown.Commands([]markdown.Doc{d}, "make"); !reflect.DeepEqual(got, map[string][][]string{"docs/a.md": {{"demo"}, {"x"}}}) {
		t.Errorf("make commands %q", got)
	}
}

// BrokenLinks finds each kind of broken link, and passes good ones and other schemes.
func TestBrokenLinks(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"Makefile": "demo:\n", "README.md": "# Top\n", "docs/deploy.md": "# First deploy\n"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs := []markdown.Doc{
		markdown.Parse("README.md", "# Top\n[ok](docs/deploy.md#first-deploy) [ok](#top) [ok](Makefile) [web](https://x.example/#nothing)\n"+
			"[a](docs/missing.md) [b](docs/deploy.md#second) [c](#nowhere) [d](../outside.md) [e](Makefile#demo) `[not](a-link.md)`\n"),
		markdown.Parse("docs/deploy.md", "# First deploy\n[back](../README.md#top)\n"),
	}
	broken, checked := markdown.BrokenLinks(root, docs)
	want := []string{
		"README.md: link docs/missing.md: no file docs/missing.md",
		"README.md: link docs/deploy.md#second: no heading of docs/deploy.md has the anchor #second",
		"README.md: link #nowhere: no heading of README.md has the anchor #nowhere",
		"README.md: link ../outside.md leaves the repository",
		"README.md: link Makefile#demo: an anchor in Makefile, which is neither README.md nor a page of docs/",
	}
	if !slices.Equal(broken, want) || checked != 9 {
		t.Errorf("broken (%d checked):\n%q\nwant (9 checked):\n%q", checked, broken, want)
	}
}
