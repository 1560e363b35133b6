package demo

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
	"strings"
	"syscall"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/lambdarun"
)

// morning runs `curfew start` (the operator's on-demand restart) with the home account's
// profile; the CLI's Lambda client reaches curfew-restart under the RIE through a
// Lambda-API-shaped router. Then it checks the fleet: what ran before the night runs again,
// what a person stopped stays stopped, no mark is left.
func (d *Demo) morning(ctx context.Context, w io.Writer) error {
	cli := d.cli
	f, _, err := d.startFunction(ctx, w, accounts.RestartFunction, "restart")
	if err != nil {
		return err
	}
	defer f.Close()
	router := lambdarun.NewRouter(map[string]lambdarun.Invoker{accounts.RestartFunction: f})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	lambdaURL := "http://" + l.Addr().String()

	profile := d.m.HomeAccount().Name
	args := []string{"--map", d.mapPath, "start", "--profile", profile}
	fmt.Fprintf(w, "AWS_ENDPOINT_URL_LAMBDA=%s %s %s\n\n", lambdaURL, d.rel(cli), strings.Join(args, " "))
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Dir = d.work
	cmd.Env = append(d.env[:len(d.env):len(d.env)], "AWS_ENDPOINT_URL_LAMBDA="+lambdaURL)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	runErr := cmd.Run()
	w.Write(out.Bytes())
	if runErr != nil {
		var exit *exec.ExitError
		if errors.As(runErr, &exit) {
			return fmt.Errorf("curfew start exited with %d\n%s", exit.ExitCode(), f.Output())
		}
		return fmt.Errorf("curfew start: %w", runErr)
	}
	if calls := router.Calls(); len(calls) != 1 || calls[0].Function != accounts.RestartFunction {
		return fmt.Errorf("%w: the router received %d invocation(s), want one of %s", ErrCheck, len(calls), accounts.RestartFunction)
	}
	after, err := d.observe(ctx)
	if err != nil {
		return err
	}
	d.state.Morning = after
	if err := d.writeState(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, name := range d.state.StoppedByPerson {
		fmt.Fprintf(w, "%s (%s), stopped by a person before the night: %s\n", name, after[name].ID, after[name].State)
	}
	if problems := d.state.CheckMorning(); len(problems) > 0 {
		return fmt.Errorf("%w: after the morning:\n  %s", ErrCheck, strings.Join(problems, "\n  "))
	}
	fmt.Fprintf(w, "checked in AWS: %s running again, nothing else changed, no curfew mark left\n", strings.Join(d.state.Stops, ", "))
	return nil
}

// writeState writes the observed fleet to Options.State, when set.
func (d *Demo) writeState() error {
	if d.opts.State == "" {
		return nil
	}
	data, err := jsonIndent(d.state)
	if err != nil {
		return err
	}
	return os.WriteFile(d.opts.State, data, 0o644)
}

func jsonIndent(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// functions are the folders under lambdas/ the demo runs.
var functions = []string{"shutdown", "restart", "cost-report"}

// build builds the functions for this machine (Lambda runs the linux/arm64 build of `make
// lambdas`; the emulator runs them here) and the curfew CLI unless Options.CLI names one.
func (d *Demo) build(ctx context.Context, w io.Writer) error {
	for _, name := range functions {
		fmt.Fprintf(w, "go build -tags lambda.norpc ./lambdas/%s (for this machine, to run under the Lambda RIE)\n", name)
		if err := os.MkdirAll(filepath.Dir(d.binary(name)), 0o755); err != nil {
			return err
		}
		if err := lambdarun.Build(ctx, d.opts.Root, name, d.binary(name)); err != nil {
			return err
		}
	}
	d.cli = d.opts.CLI
	if d.cli == "" {
		d.cli = d.path("bin", "curfew")
		fmt.Fprintln(w, "go build ./cmd/curfew")
		if err := d.command(ctx, "build-curfew", d.opts.Root, "go", "build", "-trimpath", "-o", d.cli, "./cmd/curfew"); err != nil {
			return err
		}
	} else if _, err := os.Stat(d.cli); err != nil {
		return fmt.Errorf("the curfew CLI: %w (make curfew builds it)", err)
	} else {
		fmt.Fprintf(w, "curfew CLI: %s\n", d.rel(d.cli))
	}
	return nil
}

// binary is where build puts a function's binary.
func (d *Demo) binary(name string) string { return d.path("bin", name, "bootstrap") }
