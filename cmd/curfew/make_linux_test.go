package main

import (
	"os/exec"
	"strings"
	"testing"
)

// makeDryRun is what `make -n -B target` would run in the repository: every recipe of the
// target and of all it depends on, as if nothing had been built or installed yet.
func makeDryRun(t *testing.T, target string) string {
	t.Helper()
	cmd := exec.Command("make", "-n", "-B", target)
	cmd.Dir = moduleRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n -B %s: %v\n%s", target, err, out)
	}
	return string(out)
}

// The CLI and the Lambdas need only Go: a fresh clone must not download the CDK module
// (279 MB), Node, moto or Chromium to build `curfew`.
func TestMakeCurfewNeedsOnlyGo(t *testing.T) {
	for _, target := range []string{"curfew", "lambdas"} {
		out := makeDryRun(t, target)
		for _, unwanted := range []string{"go mod download", "npm ci", "pip install", "apt-get"} {
			if strings.Contains(out, unwanted) {
				t.Errorf("make %s would run %q on a fresh clone:\n%s", target, unwanted, out)
			}
		}
		if !strings.Contains(out, "go build") {
			t.Errorf("make %s builds nothing:\n%s", target, out)
		}
	}
}

// The demo deploys with the CDK CLI into moto: it needs Node and moto, never the template
// linters or Chromium, which only tests use.
func TestMakeDemoInstallsOnlyWhatItNeeds(t *testing.T) {
	out := makeDryRun(t, "demo")
	// The demo runs its functions under the emulator on this machine: an arm64 build (what
	// Lambda runs) would compile the SDK a second time, minutes on a cold machine.
	for _, unwanted := range []string{"lint-venv", "chromium", "apt-get", "GOARCH=arm64"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("make demo would install or build %q:\n%s", unwanted, out)
		}
	}
	for _, wanted := range []string{"npm ci", "requirements.txt", "go run ./cmd/curfew-demo"} {
		if !strings.Contains(out, wanted) {
			t.Errorf("make demo does not run %q:\n%s", wanted, out)
		}
	}
}
