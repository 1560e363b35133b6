package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/emulator"
)

// One MFA code a day, end to end: the built curfew writes its default profiles; the
// first morning the pinned AWS CLI's call fails at once, in curfew's one line saying to
// run curfew login (no prompt under the SDK's limit, no instance-metadata error); curfew
// login asks for the code once; then the AWS CLI asks STS who it is in three accounts
// with no prompt, twice, and curfew exec and env ask nothing. After curfew logout,
// curfew exec asks for the code itself, in its own process.
func TestOneMFACodeServesEveryAccountThroughTheAWSCLI(t *testing.T) {
	awsCLI := pinnedAWSCLI(t)
	bin := buildCurfew(t)
	s := emulator.Shared(t)
	mapPath, ids := testMap(t)
	home := t.TempDir()
	configFile, credentials := filepath.Join(home, "config"), filepath.Join(home, "credentials")
	cache := filepath.Join(home, "cache")
	// moto accepts any keys; GetSessionToken and AssumeRole are its real ones.
	if err := os.WriteFile(credentials, []byte("[identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = alice-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CACHE_HOME=" + cache,
		"AWS_CONFIG_FILE=" + configFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + credentials,
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	profiles := exec.Command(bin, "--map", mapPath, "profiles", "--user", "alice", "--config-file", configFile)
	profiles.Env = env
	if out, err := profiles.CombinedOutput(); err != nil {
		t.Fatalf("curfew profiles: %v\n%s", err, out)
	}
	written, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "credential_process = " + bin + " credentials staging --role-arn arn:aws:iam::" + ids["staging"] + ":role/DeveloperAccess"; !strings.Contains(string(written), want) {
		t.Fatalf("the profiles do not run this curfew (%s):\n%s", want, written)
	}

	// The first morning: no session. The AWS CLI shows curfew's line and nothing else.
	out, screen, err := runOnTerminal(t, env, "123456\n", awsCLI, "sts", "get-caller-identity", "--profile", "staging")
	if err == nil || strings.Contains(screen, "MFA code of") || !strings.Contains(screen, "no MFA session is open today") ||
		!strings.Contains(screen, "next: run `curfew login` in a terminal") || strings.Contains(strings.ToLower(screen), "metadata") || out != "" {
		t.Errorf("the first morning: %v, terminal %q, stdout %q; want curfew's line saying to run curfew login, and no prompt", err, screen, out)
	}
	t.Logf("the first morning: %q", screen)
	prompt := fmt.Sprintf("curfew: MFA code of arn:aws:iam::%s:mfa/alice for every account", ids["identity"])
	_, screen = onTerminal(t, env, "123456\n", bin, "login")
	if strings.Count(screen, "MFA code") != 1 || !strings.Contains(screen, prompt) {
		t.Errorf("curfew login: terminal %q, want one prompt saying %q", screen, prompt)
	}
	whoami := func(profile string) (identity struct{ Account, Arn string }, screen string) {
		t.Helper()
		out, screen := onTerminal(t, env, "123456\n", awsCLI, "sts", "get-caller-identity", "--profile", profile, "--output", "json")
		if err := json.Unmarshal([]byte(out), &identity); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
		return identity, screen
	}
	for round := 1; round <= 2; round++ {
		var screens strings.Builder
		for _, account := range []string{"staging", "sandbox", "production"} {
			identity, screen := whoami(account)
			screens.WriteString(screen)
			want := fmt.Sprintf("arn:aws:sts::%s:assumed-role/DeveloperAccess/alice", ids[account])
			if identity.Account != ids[account] || identity.Arn != want {
				t.Errorf("round %d, %s: identity = %+v, want %s", round, account, identity, want)
			}
		}
		prompts := strings.Count(screens.String(), "MFA code")
		t.Logf("round %d terminals: %q", round, screens.String())
		if prompts != 0 {
			t.Errorf("round %d asked for a code; terminals: %q", round, screens.String())
		}
	}
	dir := filepath.Join(cache, "curfew")
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory %s: %v, %v; want mode 0700", dir, fi, err)
	}

	// curfew exec and env use the same profiles: no code asked, the child sees the
	// account's credentials and region and no AWS_PROFILE.
	out, screen = onTerminal(t, append(env, "AWS_PROFILE=sandbox"), "", bin, "--map", mapPath, "exec", "staging", "--",
		awsCLI, "sts", "get-caller-identity", "--query", "Arn", "--output", "text")
	if want := fmt.Sprintf("arn:aws:sts::%s:assumed-role/DeveloperAccess/alice", ids["staging"]); strings.TrimSpace(out) != want || strings.Contains(screen, "MFA code") {
		t.Errorf("curfew exec staging: %q (terminal %q), want %s without a prompt", out, screen, want)
	}
	out, _ = onTerminal(t, env, "", bin, "--map", mapPath, "env", "sandbox")
	holds(t, "curfew env sandbox", out, "export AWS_ACCESS_KEY_ID='", "export AWS_SESSION_TOKEN='", "export AWS_REGION='eu-west-1'", "unset AWS_PROFILE")
	// After logout, exec asks for the code itself (its own process: no SDK limit), and
	// works from a directory with no map.
	if _, screen := onTerminal(t, env, "", bin, "logout"); !strings.Contains(screen, "removed") {
		t.Errorf("curfew logout: terminal %q", screen)
	}
	out, screen = onTerminal(t, env, "123456\n", bin, "exec", "sandbox", "--", awsCLI, "sts", "get-caller-identity", "--query", "Arn", "--output", "text")
	if want := fmt.Sprintf("arn:aws:sts::%s:assumed-role/DeveloperAccess/alice", ids["sandbox"]); strings.TrimSpace(out) != want || strings.Count(screen, "MFA code") != 1 {
		t.Errorf("curfew exec sandbox after logout, without a map: %q (terminal %q), want %s after one prompt", out, screen, want)
	}
	exit := exec.Command(bin, "--map", mapPath, "exec", "staging", "--", "sh", "-c", "exit 7")
	exit.Env = env
	if err := exit.Run(); err == nil || exit.ProcessState.ExitCode() != 7 {
		t.Errorf("curfew exec of a command exiting 7: %v, want exit status 7", err)
	}
}

// onTerminal runs name with args on a terminal of its own (the MFA prompt reads
// /dev/tty), types answer after the first MFA prompt, and returns its stdout and what
// the terminal showed.
func onTerminal(t *testing.T, env []string, answer, name string, args ...string) (stdout, screen string) {
	t.Helper()
	stdout, screen, err := runOnTerminal(t, env, answer, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nterminal: %q", filepath.Base(name), strings.Join(args, " "), err, screen)
	}
	return stdout, screen
}

// runOnTerminal is onTerminal for a command that may fail: its error, with stderr shown
// on the terminal's screen as a person sees it.
func runOnTerminal(t *testing.T, env []string, answer, name string, args ...string) (stdout, screen string, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	terminal, tty := openPTY(t)
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &out, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var shown lockedBuffer
	go func() {
		buf := make([]byte, 1024)
		typed := false
		for {
			n, err := terminal.Read(buf)
			shown.Write(buf[:n])
			if !typed && answer != "" && strings.Contains(shown.String(), "MFA code") && strings.HasSuffix(strings.TrimRight(shown.String(), " "), ":") {
				terminal.Write([]byte(answer))
				typed = true
			}
			if err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s did not finish; terminal: %q", filepath.Base(name), shown.String())
	}
	time.Sleep(50 * time.Millisecond) // the last of the screen
	return out.String(), shown.String(), err
}

// buildCurfew builds the curfew binary into a temporary directory.
func buildCurfew(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v (install Go, https://go.dev/dl/)", err)
	}
	bin := filepath.Join(t.TempDir(), "curfew")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
