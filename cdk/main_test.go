package cdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// org is one account map synthesised once per test binary (each synthesis takes seconds)
// with cdk-nag's AwsSolutions checks applied, shared by every test.
type org struct {
	m         *accounts.Map
	outdir    string
	stacks    cdk.Stacks
	templates map[string]map[string]any
}

var (
	// seed is the repository's example organisation with a CI user (testdata/ci-user.yaml,
	// the root accounts.yaml with an IAM user as CI): identity and home in one account,
	// one shared schedule.
	seed *org
	// oidcOrg has an OIDC CI principal, a home account that is a target never shut down,
	// and accounts on different schedules.
	oidcOrg *org
	// lambdaDir holds the fake Lambda builds every synthesis uses.
	lambdaDir string
)

func TestMain(m *testing.M) {
	code := run(m)
	jsii.Close()
	os.Exit(code)
}

func run(m *testing.M) int {
	// Fake Lambda builds: Code_FromAsset needs each folder, not a real binary. The
	// assemblies stay until the end, as Annotations reads them.
	tmp, err := os.MkdirTemp("", "curfew-cdk-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	lambdaDir = filepath.Join(tmp, "lambda")
	for _, folder := range []string{cdk.ShutdownFolder, cdk.RestartFolder, cdk.CostReportFolder, cdk.HeadsUpFolder, cdk.SnoozeLinkFolder} {
		dir := filepath.Join(lambdaDir, folder)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("fake "+folder), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	for i, o := range []struct {
		dst  **org
		path string
	}{{&seed, "testdata/ci-user.yaml"}, {&oidcOrg, "testdata/oidc.yaml"}} {
		*o.dst, err = synth(o.path, lambdaDir, filepath.Join(tmp, fmt.Sprintf("cdk.out.%d", i)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// synthMap synthesises the map at path for one test only, for maps that few tests read.
func synthMap(t *testing.T, path string) *org {
	t.Helper()
	o, err := synth(path, lambdaDir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// appContext is the context of cdk.json, so tests synthesise what `cdk synth` does.
func appContext(mapPath string) (map[string]any, error) {
	data, err := os.ReadFile("../cdk.json")
	if err != nil {
		return nil, err
	}
	var config struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &config); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	config.Context[cdk.MapContextKey] = mapPath
	return config.Context, nil
}

// synth builds every stack of the map at path, applies cdk-nag and synthesises them.
func synth(path, lambdaDir, outdir string) (*org, error) {
	return synthWith(path, lambdaDir, outdir, true)
}

// onceOrg makes an organisation once per test binary, for the first test that asks for
// it, and fails each test that asks when making it failed.
func onceOrg(make func(t *testing.T) (*org, error)) func(t *testing.T) *org {
	var once sync.Once
	var o *org
	var err error
	return func(t *testing.T) *org {
		t.Helper()
		once.Do(func() { o, err = make(t) })
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}

// synthOnce synthesises the map at path once per test binary, with cdk-nag, into dir
// beside the test binary's Lambda folder.
func synthOnce(path, dir string) func(t *testing.T) *org {
	return onceOrg(func(*testing.T) (*org, error) {
		return synth(path, lambdaDir, filepath.Join(lambdaDir, "..", dir))
	})
}

// synthText synthesises, without cdk-nag, the account map text written as name in a
// folder of the test's own.
func synthText(t *testing.T, name, text string) *org {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := synthWith(path, lambdaDir, filepath.Join(dir, "cdk.out"), false)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// synthStack synthesises curfew's app for m into outdir, without cdk-nag, and returns the
// template of the stack that pick chooses, as the CDK CLI deploys it.
func synthStack(t *testing.T, m *accounts.Map, outdir string, pick func(cdk.Stacks) awscdk.Stack) map[string]any {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	stacks, err := cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: lambdaDir})
	if err != nil {
		t.Fatal(err)
	}
	assembly := app.Synth(nil)
	stack := pick(stacks)
	template, ok := assembly.GetStackArtifact(stack.ArtifactId()).Template().(map[string]any)
	if !ok {
		t.Fatalf("no %s template", *stack.StackName())
	}
	return template
}

// synthWith is synth, with cdk-nag only if nag.
func synthWith(path, lambdaDir, outdir string, nag bool) (*org, error) {
	context, err := appContext(path)
	if err != nil {
		return nil, err
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(outdir)})
	stacks, err := cdk.Build(app, cdk.CurfewProps{LambdaDir: lambdaDir})
	if err != nil {
		return nil, err
	}
	if nag {
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
			Verbose: jsii.Bool(true),
			Reports: jsii.Bool(false),
		}), nil)
	}
	m, err := accounts.Load(path)
	if err != nil {
		return nil, err
	}
	o := &org{m: m, outdir: outdir, stacks: stacks, templates: map[string]map[string]any{}}
	for _, s := range o.all() {
		tmpl := assertions.Template_FromStack(s, nil).ToJSON()
		o.templates[*s.StackName()] = *tmpl
	}
	return o, nil
}

// all returns every stack of the organisation.
func (o *org) all() []awscdk.Stack {
	out := []awscdk.Stack{o.stacks.Identity}
	for _, a := range o.m.Targets() {
		out = append(out, o.stacks.Members[a.Name])
	}
	out = append(out, o.stacks.Service)
	if o.stacks.IdentityCenter != nil {
		out = append(out, o.stacks.IdentityCenter)
	}
	if o.stacks.Organization != nil {
		out = append(out, o.stacks.Organization)
	}
	return out
}

// resources returns the properties of the stack's resources of one type, by logical id.
func (o *org) resources(t *testing.T, stack, typ string) map[string]map[string]any {
	t.Helper()
	tmpl, ok := o.templates[stack]
	if !ok {
		t.Fatalf("no stack %s", stack)
	}
	return ofType(tmpl, typ)
}

// ofType returns the properties of a template's resources of one type, by logical id.
func ofType(template map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range template["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == typ {
			props, _ := r["Properties"].(map[string]any)
			out[id] = props
		}
	}
	return out
}

// resource returns the properties of the stack's only resource of typ whose property key
// equals value, failing the test unless there is exactly one.
func (o *org) resource(t *testing.T, stack, typ, key string, value any) map[string]any {
	t.Helper()
	return o.resources(t, stack, typ)[o.logicalID(t, stack, typ, key, value)]
}

// role returns the properties of the stack's role with the given name.
func (o *org) role(t *testing.T, stack, name string) map[string]any {
	t.Helper()
	return o.resource(t, stack, "AWS::IAM::Role", "RoleName", name)
}

// logicalID returns the logical id of the stack's only resource of typ with key=value.
func (o *org) logicalID(t *testing.T, stack, typ, key string, value any) string {
	t.Helper()
	var ids []string
	for id, props := range o.resources(t, stack, typ) {
		if equalJSON(props[key], value) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: %d %s with %s=%v, want 1", stack, len(ids), typ, key, value)
	}
	return ids[0]
}

// equalJSON compares two values by their JSON encoding.
func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// assertJSON fails the test when got and want differ as JSON.
func assertJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if !equalJSON(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// parseJSON decodes a JSON literal written in a test.
func parseJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in test: %v\n%s", err, s)
	}
	return v
}

// stringOrList returns a statement's Action or Resource, one string or a list of them,
// as a list.
func stringOrList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

// statements returns a policy document's named statements by Sid.
func statements(t *testing.T, doc any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	d, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("not a policy document: %v", doc)
	}
	for _, s := range d["Statement"].([]any) {
		s := s.(map[string]any)
		sid, _ := s["Sid"].(string)
		if sid == "" {
			continue
		}
		if _, dup := out[sid]; dup {
			t.Fatalf("two statements with Sid %q", sid)
		}
		out[sid] = s
	}
	return out
}

// contains reports whether v's JSON encoding contains s.
func contains(v any, s string) bool {
	j, _ := json.Marshal(v)
	return strings.Contains(string(j), s)
}
