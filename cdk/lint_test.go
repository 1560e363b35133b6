package cdk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/curfew/curfew/cdk"
)

// lintBin is where `make tools` installs cfn-lint and checkov (.tools/requirements-lint.txt).
const lintBin = "../.tools/lint-venv/bin"

// linter is the path of an installed linter.
func linter(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(lintBin, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing (%v): run `make tools`, and run the tests with `make test`", name, err)
	}
	return path
}

// cfnLint runs cfn-lint over template files: every finding fails the test.
func cfnLint(t *testing.T, files ...string) {
	t.Helper()
	out, err := exec.Command(linter(t, "cfn-lint"), files...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}

// TestTemplatesPassTheLinters runs cfn-lint and checkov over every synthesised template of
// both organisations: every finding is fixed, or skipped in cdk/ next to its construct
// with the reason (skipLint).
func TestTemplatesPassTheLinters(t *testing.T) {
	lintTemplates(t, seed, oidcOrg)
}

// lintTemplates runs cfn-lint and checkov over every template of the organisations.
func lintTemplates(t *testing.T, orgs ...*org) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i, o := range orgs {
		for name, tmpl := range o.templates {
			files = append(files, writeTemplate(t, dir, fmt.Sprintf("%d-%s", i, name), tmpl))
		}
	}
	t.Run("cfn-lint", func(t *testing.T) { cfnLint(t, files...) })

	t.Run("checkov", func(t *testing.T) { checkov(t, dir) })
}

// lintWithUnits runs cfn-lint and checkov over o's templates of the named stacks and each
// unit's template as synthesised (with the linters' reasons, which the StackSet's body
// leaves out).
func (o *org) lintWithUnits(t *testing.T, stacks ...string) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, name := range stacks {
		files = append(files, writeTemplate(t, dir, name, o.templates[name]))
	}
	for _, u := range o.m.Organization.OUs {
		data, err := os.ReadFile(filepath.Join(o.outdir, "curfew-stacksets", u.ID, cdk.StackSetName(u)+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeTemplateFile(t, dir, cdk.StackSetName(u), data))
	}
	t.Run("cfn-lint", func(t *testing.T) { cfnLint(t, files...) })
	t.Run("checkov", func(t *testing.T) { checkov(t, dir) })
}

// writeTemplate writes tmpl as dir/<name>.template.json and returns the file's path.
func writeTemplate(t *testing.T, dir, name string, tmpl map[string]any) string {
	t.Helper()
	data, err := json.MarshalIndent(tmpl, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return writeTemplateFile(t, dir, name, data)
}

// writeTemplateFile writes data as dir/<name>.template.json and returns the file's path.
func writeTemplateFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name+".template.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkov runs checkov over the templates in dir: every failed check fails the test, and
// every skipped one must say why.
func checkov(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command(linter(t, "checkov"), "--directory", dir, "--framework", "cloudformation",
		"--output", "json", "--compact", "--skip-download")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("checkov: %v\n%s", err, stderr.String())
	}
	type check struct {
		ID       string `json:"check_id"`
		Name     string `json:"check_name"`
		File     string `json:"file_path"`
		Resource string `json:"resource"`
		Result   struct {
			Comment string `json:"suppress_comment"`
		} `json:"check_result"`
	}
	var report struct {
		Results struct {
			Passed  []check `json:"passed_checks"`
			Failed  []check `json:"failed_checks"`
			Skipped []check `json:"skipped_checks"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("checkov output: %v\n%s\n%s", err, out, stderr.String())
	}
	r := report.Results
	if len(r.Passed) == 0 {
		t.Fatalf("checkov checked nothing:\n%s", out)
	}
	for _, c := range r.Failed {
		t.Errorf("%s %s: %s %s", c.File, c.Resource, c.ID, c.Name)
	}
	for _, c := range r.Skipped {
		if c.Result.Comment == "" {
			t.Errorf("%s %s: %s skipped without a reason", c.File, c.Resource, c.ID)
		}
	}
	t.Logf("checkov: %d passed, %d skipped with a reason, %d failed", len(r.Passed), len(r.Skipped), len(r.Failed))
}
