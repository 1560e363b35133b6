// Package lambdatest runs curfew's Lambda binaries in tests as Lambda runs them: built
// from lambdas/<name> for the host and served by the AWS Lambda Runtime Interface
// Emulator (`go tool aws-lambda-rie`) on 127.0.0.1, invoked over HTTP.
package lambdatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// installHint tells a developer how to get the emulator.
const installHint = "the tool is pinned in go.mod; restore it with `go get -tool github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d` and `go mod download` (or `make tools`)"

// FunctionError is a handler error, which the emulator answers with HTTP 200 and a body
// carrying errorMessage and errorType.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// Function is one Lambda binary running under the emulator.
type Function struct {
	// URL is the emulator's invocation endpoint.
	URL string
	// Log is the file holding the emulator's and the function's output.
	Log string

	mu   sync.Mutex // the emulator crashes on concurrent invocations
	cmd  *exec.Cmd
	done chan struct{}
}

// Start builds lambdas/<name> for the host (with -tags lambda.norpc, as deployed) and runs
// it under the emulator with exactly env (plus PATH, and HOME set to an empty directory so
// no developer configuration leaks in). The emulator passes env on to the function. It is
// stopped, with every process it started, when the test ends.
func Start(t testing.TB, name string, env map[string]string) *Function {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	rie := emulatorPath(t, root)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "./lambdas/"+name)
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build lambdas/%s: %v\n%s", name, err, out)
	}
	apiPort, rapidPort := freePort(t), freePort(t)
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(rapidPort),
		bin)
	cmd.Dir = dir
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	f := &Function{
		URL:  fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", apiPort),
		Log:  filepath.Join(dir, "emulator.log"),
		cmd:  cmd,
		done: make(chan struct{}),
	}
	logFile, err := os.Create(f.Log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so that Stop reaches the function too; killed if the test
	// binary dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v; %s", rie, err, installHint)
	}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(f.done)
	}()
	t.Cleanup(f.stop)
	if err := f.waitReady(apiPort, 30*time.Second); err != nil {
		t.Fatalf("lambda %s under the emulator: %v\n%s", name, err, f.Output())
	}
	return f
}

// Invoke sends payload (JSON bytes, a json.RawMessage, or any value to marshal) and
// returns the function's answer. A handler error comes back as a *FunctionError.
// Invocations are serialised.
func (f *Function) Invoke(ctx context.Context, payload any) (json.RawMessage, error) {
	var body []byte
	switch p := payload.(type) {
	case []byte:
		body = p
	case json.RawMessage:
		body = p
	case string:
		body = []byte(p)
	default:
		var err error
		if body, err = json.Marshal(p); err != nil {
			return nil, fmt.Errorf("encode payload: %w", err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke: HTTP %d: %s", resp.StatusCode, data)
	}
	var fe FunctionError
	if json.Unmarshal(data, &fe) == nil && (fe.Type != "" || fe.Message != "") {
		return nil, &fe
	}
	if resp.Header.Get("X-Amz-Function-Error") != "" {
		return nil, &FunctionError{Type: resp.Header.Get("X-Amz-Function-Error"), Message: string(data)}
	}
	return json.RawMessage(data), nil
}

// Output returns what the emulator and the function wrote so far.
func (f *Function) Output() string {
	data, _ := os.ReadFile(f.Log)
	return string(data)
}

func (f *Function) stop() {
	if f.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
		<-f.done
	}
	// The function may have outlived the emulator in the group.
	_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
}

func (f *Function) waitReady(port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-f.done:
			return errors.New("the emulator exited")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("the emulator did not listen on 127.0.0.1:%d within %s", port, limit)
}

// emulatorPath returns the emulator's binary, built by the go command from go.mod's tool.
func emulatorPath(t testing.TB, root string) string {
	t.Helper()
	cmd := exec.Command("go", "tool", "-n", "aws-lambda-rie")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("the Lambda Runtime Interface Emulator is missing (%v %s): %s", err, strings.TrimSpace(stderr), installHint)
	}
	return strings.TrimSpace(string(out))
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside curfew's module: run the tests from the repository")
	}
	return filepath.Dir(gomod), nil
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
