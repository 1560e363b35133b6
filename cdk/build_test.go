package cdk_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// badMapProblems are the three mistakes of testdata/bad.yaml.
var badMapProblems = []string{
	`accounts[1].id: "22222" is not 12 digits`,
	`accounts[3].shutdown: account "production" is production`,
	`schedule.timezone: "Europe/Atlantis" is not an IANA time zone`,
}

func TestBadMapAddsNoStack(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{
		Context: &map[string]any{cdk.MapContextKey: "testdata/bad.yaml"},
		Outdir:  jsii.String(t.TempDir()),
	})
	_, err := cdk.Build(app, cdk.CurfewProps{LambdaDir: "testdata/no-lambdas"})
	var verr *accounts.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Build error = %v, want a *ValidationError", err)
	}
	for _, p := range badMapProblems {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not say %q:\n%v", p, err)
		}
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("the app has %d children after a bad map, want 0", n)
	}
}

// TestSynthOfBadMapFailsAndWritesNoTemplate runs the CDK app as the CDK CLI does: a bad
// map makes it exit non-zero, list every problem, and leave the output directory empty.
func TestSynthOfBadMapFailsAndWritesNoTemplate(t *testing.T) {
	dir := t.TempDir()
	bin := infraBinary(t)
	outdir := filepath.Join(dir, "cdk.out")
	if err := os.Mkdir(outdir, 0o755); err != nil {
		t.Fatal(err)
	}
	app := exec.Command(bin)
	app.Dir = ".."
	app.Env = append(os.Environ(),
		"CDK_OUTDIR="+outdir,
		`CDK_CONTEXT_JSON={"accountMap":"cdk/testdata/bad.yaml"}`,
	)
	out, err := app.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("app exit = %v, want status 1\n%s", err, out)
	}
	for _, p := range badMapProblems {
		if !strings.Contains(string(out), p) {
			t.Errorf("output does not say %q:\n%s", p, out)
		}
	}
	written, err := os.ReadDir(outdir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range written {
		t.Errorf("the app wrote %s", f.Name())
	}
}

// infraBinary builds the CDK app once per test binary.
var infraBinary = func() func(t *testing.T) string {
	var once sync.Once
	var bin string
	var err error
	return func(t *testing.T) string {
		t.Helper()
		once.Do(func() {
			bin = filepath.Join(lambdaDir, "..", "infra")
			if out, berr := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); berr != nil {
				err = fmt.Errorf("go build: %v\n%s", berr, out)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return bin
	}
}()

// TestSynthOverQuotaFails runs the CDK app as the CDK CLI does on a map whose templates
// break an IAM quota (a role's inline policies): it exits non-zero naming the document,
// so that neither `cdk synth` nor `cdk deploy` goes on.
func TestSynthOverQuotaFails(t *testing.T) {
	app := exec.Command(infraBinary(t))
	app.Dir = ".."
	app.Env = append(os.Environ(), "CDK_OUTDIR="+t.TempDir(), `CDK_CONTEXT_JSON={"accountMap":"cdk/testdata/many-regions.yaml"}`)
	out, err := app.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("app exit = %v, want status 1\n%s", err, out)
	}
	if want := "role's inline policies curfew-everywhere/Scheduler"; !strings.Contains(string(out), want) || !strings.Contains(string(out), "the quota is 10240") {
		t.Errorf("output does not say %q:\n%s", want, out)
	}
}

// TestMapOverIAMQuotasIsRefused: a map whose roles would need more managed policies than
// IAM attaches adds no stack and names each role.
func TestMapOverIAMQuotasIsRefused(t *testing.T) {
	m, err := accounts.Load("../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		m.Accounts[1].DeveloperPolicies = append(m.Accounts[1].DeveloperPolicies, fmt.Sprintf("Policy%d", i))
	}
	m.Accounts[2].CIPolicies = slices.Repeat([]string{"ReadOnlyAccess"}, 10)
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	_, err = cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: "testdata/no-lambdas"})
	for _, want := range []string{
		"accounts[1].developerPolicies: DeveloperAccess in staging would have 12 managed policies attached; IAM allows 10",
		"accounts[2].ciPolicies: CurfewCI in sandbox would have 11 managed policies attached; IAM allows 10",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewCurfew error = %v, want it to say %q", err, want)
		}
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("the app has %d children after a refused map, want 0", n)
	}
}

func TestUnbuiltLambdasAreNamed(t *testing.T) {
	m, err := accounts.Load("../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	_, err = cdk.NewCurfew(app, m, cdk.CurfewProps{LambdaDir: "testdata/no-lambdas"})
	// The example map names an owner: the heads-up's functions are built too.
	for _, folder := range []string{cdk.ShutdownFolder, cdk.RestartFolder, cdk.CostReportFolder, cdk.HeadsUpFolder, cdk.SnoozeLinkFolder} {
		want := filepath.Join("testdata/no-lambdas", folder, "bootstrap")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "make lambdas") {
			t.Errorf("NewCurfew error = %v, want it to name %s and make lambdas", err, want)
		}
	}
	if n := len(*app.Node().Children()); n != 0 {
		t.Errorf("the app has %d children without Lambdas, want 0", n)
	}
}
