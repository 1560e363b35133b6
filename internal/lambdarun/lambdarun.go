// Package lambdarun runs curfew's Lambda binaries locally as Lambda runs them: built from
// lambdas/<name> for the host and served by the AWS Lambda Runtime Interface Emulator
// (`go tool aws-lambda-rie`) on 127.0.0.1, invoked over HTTP. Tests reach it through
// package lambdatest; `make demo` and `make bench` use it directly.
package lambdarun

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
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/childproc"
	"github.com/curfew/curfew/internal/clock"
)

// InstallHint tells a developer how to get the emulator.
const InstallHint = "the tool is pinned in go.mod; restore it with `go get -tool github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d` and `go mod download` (or `make tools`)"

// readyTimeout bounds the wait for the emulator to listen.
const readyTimeout = 30 * time.Second

// readyPoll is how often the wait dials the emulator: often enough that a timed start (the
// bench's cold start) is not rounded up by the wait.
const readyPoll = 2 * time.Millisecond

// FunctionError is a handler error, which the emulator answers with HTTP 200 and a body
// carrying errorMessage and errorType.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// Options say which function to run and how.
type Options struct {
	// Name is the folder of the function under lambdas/ (shutdown, restart, cost-report).
	Name string
	// Map is the account map the function reads at cold start: Start writes it into a task
	// root of its own, as the deployed code carries it next to bootstrap, and points
	// LAMBDA_TASK_ROOT there, as Lambda does (see TaskRoot).
	Map *accounts.Map
	// Env is the function's whole environment, passed on by the emulator; PATH and
	// LAMBDA_TASK_ROOT are added, and HOME is set to an empty directory so no developer
	// configuration leaks in.
	Env map[string]string
	// Dir receives the binary, the task root, the empty home and the log; a new
	// temporary directory, removed by Close, when empty.
	Dir string
	// Root is the directory of curfew's go.mod; found with `go env GOMOD` when empty.
	Root string
	// Binary is the function's binary, already built with Build or BuildFor; when empty,
	// Start builds it.
	Binary string
	// Emulator is the emulator's binary, from EmulatorPath; looked up when empty. Given,
	// Start runs no go command once Binary is given too, so that it can be timed.
	Emulator string
	// TaskRoot, when set, is the function's code as deployed (an asset folder of a cloud
	// assembly): the function reads the account map CDK put there, and Map is not used.
	TaskRoot string
	// At, when set, is what the function's clock reads when it starts (package clock):
	// the binary is built with clock.Tag (BuildMovable, when Binary is empty).
	At time.Time
}

// Function is one Lambda binary running under the emulator.
type Function struct {
	// Name is the folder of the function under lambdas/.
	Name string
	// URL is the emulator's invocation endpoint.
	URL string
	// Log is the file holding the emulator's and the function's output.
	Log string

	mu      sync.Mutex // the emulator crashes on concurrent invocations
	cmd     *exec.Cmd
	done    chan struct{}
	tempDir string
	once    sync.Once
}

// Start builds lambdas/<name> for the host (with -tags lambda.norpc, as deployed) and runs
// it under the emulator. Close stops the emulator with every process it started.
func Start(ctx context.Context, o Options) (*Function, error) {
	root := o.Root
	if root == "" {
		var err error
		if root, err = ModuleRoot(); err != nil {
			return nil, err
		}
	}
	dir, tempDir := o.Dir, ""
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "lambdarun-"+o.Name+"-"); err != nil {
			return nil, err
		}
		tempDir = dir
	}
	f, err := start(ctx, o, root, dir)
	if err != nil {
		if tempDir != "" {
			os.RemoveAll(tempDir)
		}
		return nil, err
	}
	f.tempDir = tempDir
	return f, nil
}

func start(ctx context.Context, o Options, root, dir string) (*Function, error) {
	rie := o.Emulator
	if rie == "" {
		var err error
		if rie, err = EmulatorPath(ctx, root); err != nil {
			return nil, err
		}
	}
	bin := o.Binary
	if bin == "" {
		bin = filepath.Join(dir, "bootstrap")
		build := Build
		if !o.At.IsZero() {
			build = BuildMovable
		}
		if err := build(ctx, root, o.Name, bin); err != nil {
			return nil, err
		}
	}
	apiPort, err := childproc.FreePort()
	if err != nil {
		return nil, err
	}
	rapidPort, err := childproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(rapidPort),
		bin)
	cmd.Dir = dir
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	taskRoot := o.TaskRoot
	if taskRoot == "" {
		if taskRoot, err = TaskRoot(filepath.Join(dir, "task"), o.Map); err != nil {
			return nil, err
		}
	}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LAMBDA_TASK_ROOT=" + taskRoot}
	if o.At.IsZero() {
		// A test run as of another date moves the function's clock with the test's.
		cmd.Env = append(cmd.Env, clock.Env()...)
	} else {
		cmd.Env = append(cmd.Env, clock.OffsetEnv+"="+time.Until(o.At).String())
	}
	for k, v := range o.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	f := &Function{
		Name: o.Name,
		URL:  fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", apiPort),
		Log:  filepath.Join(dir, "emulator.log"),
		cmd:  cmd,
		done: make(chan struct{}),
	}
	logFile, err := os.Create(f.Log)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so that Close reaches the function too; killed if the
	// parent dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w; %s", rie, err, InstallHint)
	}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(f.done)
	}()
	if err := f.waitReady(ctx, apiPort); err != nil {
		f.stop()
		return nil, fmt.Errorf("lambda %s under the emulator: %w\n%s", o.Name, err, f.Output())
	}
	return f, nil
}

// TaskRoot makes dir a function's task root as Lambda unpacks the deployed code: with the
// account map m in accounts.FunctionMapFile (none when m is nil, which the function refuses
// at cold start). It returns dir, for LAMBDA_TASK_ROOT.
func TaskRoot(dir string, m *accounts.Map) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if m == nil {
		return dir, nil
	}
	if err := m.WriteFunctionMap(dir); err != nil {
		return "", fmt.Errorf("write the function's account map: %w", err)
	}
	return dir, nil
}

// Build builds lambdas/<name> of the module at root for the host, as deployed but for
// the host's architecture (-tags lambda.norpc, no cgo), into out. It keeps file paths
// (no -trimpath), so it shares the build cache with `go test` run without cgo.
// In a test run as of another date (package clock), the binary keeps the test's clock.
func Build(ctx context.Context, root, name, out string) error {
	tags := "lambda.norpc"
	if t := clock.BuildTag(); t != "" {
		tags += "," + t
	}
	return build(ctx, root, []string{name}, out, tags, nil, "CGO_ENABLED=0")
}

// BuildMovable is Build with clock.Tag, for a function whose clock a test sets
// (Options.At).
func BuildMovable(ctx context.Context, root, name, out string) error {
	return build(ctx, root, []string{name}, out, "lambda.norpc,"+clock.Tag, nil, "CGO_ENABLED=0")
}

// BuildMovableAll builds each of lambdas/<name> as BuildMovable does, in one go command (it
// compiles what they share once and links them in parallel), into out(name).
func BuildMovableAll(ctx context.Context, root string, names []string, out func(name string) string) error {
	dir, err := os.MkdirTemp("", "curfew-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := build(ctx, root, names, dir+string(os.PathSeparator), "lambda.norpc,"+clock.Tag, nil, "CGO_ENABLED=0"); err != nil {
		return err
	}
	for _, name := range names {
		if err := os.MkdirAll(filepath.Dir(out(name)), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(dir, name), out(name)); err != nil {
			return err
		}
	}
	return nil
}

// BuildFor builds lambdas/<name> of the module at root exactly as `make lambdas` does but
// for linux/goarch (-tags lambda.norpc, no cgo, -trimpath, stripped), into out.
func BuildFor(ctx context.Context, root, name, goarch, out string) error {
	return build(ctx, root, []string{name}, out, "lambda.norpc", []string{"-trimpath", "-ldflags=-s -w"}, "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
}

// build runs one go build of lambdas/<name> for each of names into out: the binary's path
// for one name, a folder (ending in the path separator) for several, where each binary is
// named after its folder.
func build(ctx context.Context, root string, names []string, out, tags string, flags []string, env ...string) error {
	args := append([]string{"build", "-tags", tags}, flags...)
	args = append(args, "-o", out)
	for _, name := range names {
		args = append(args, "./lambdas/"+name)
	}
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = root
	build.Env = append(os.Environ(), env...)
	if output, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build lambdas/%s: %w\n%s", strings.Join(names, ","), err, output)
	}
	return nil
}

// Invoke sends payload (JSON bytes, a json.RawMessage, a string, or any value to marshal)
// and returns the function's answer. A handler error comes back as a *FunctionError.
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

// PID is the emulator's process id, which is also its process group's.
func (f *Function) PID() int {
	if f.cmd.Process == nil {
		return 0
	}
	return f.cmd.Process.Pid
}

// Close stops the emulator and the function, and removes the temporary directory Start
// made. It may be called more than once.
func (f *Function) Close() {
	f.once.Do(func() {
		f.stop()
		if f.tempDir != "" {
			os.RemoveAll(f.tempDir)
		}
	})
}

func (f *Function) stop() {
	if f.cmd.Process == nil {
		return
	}
	childproc.StopGroup(f.cmd.Process.Pid, f.done)
	// The function may have outlived the emulator in the group.
	_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
}

func (f *Function) waitReady(ctx context.Context, port int) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-f.done:
			return errors.New("the emulator exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(readyPoll):
		}
	}
	return fmt.Errorf("the emulator did not listen on 127.0.0.1:%d within %s", port, readyTimeout)
}

// EmulatorPath returns the emulator's binary, built by the go command from the tool in
// go.mod of the module at root.
func EmulatorPath(ctx context.Context, root string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return "", fmt.Errorf("the Lambda Runtime Interface Emulator is missing (%v %s): %s", err, strings.TrimSpace(stderr), InstallHint)
	}
	return strings.TrimSpace(string(out)), nil
}

// ModuleRoot is the directory of the main module's go.mod, as the go command sees it from
// the working directory.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside curfew's module: run from the repository")
	}
	return filepath.Dir(gomod), nil
}
