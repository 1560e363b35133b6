package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/lambdarun"
)

// morning ends the month's last night: `curfew start` (the operator's on-demand restart)
// with the home account's profile, curfew-restart's clock at the scheduled start; the CLI's Lambda client reaches curfew-restart under the RIE through a
// Lambda-API-shaped router. Then it checks the fleet: what ran before the night runs again,
// what a person stopped stays stopped, no mark is left.
func (d *Demo) morning(ctx context.Context, w io.Writer) error {
	cli := d.cli
	f, _, err := d.startFunction(ctx, w, accounts.RestartFunction, "restart", d.month.nights[len(d.month.nights)-1].morning, "")
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
	// --yes: the demo runs no terminal, and restarting every account is what it shows.
	args := []string{"--map", d.mapPath, "start", "--profile", profile, "--yes"}
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
	after, err := d.keep(ctx, &d.state.Morning)
	if err != nil {
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
	d.summary.started += len(d.state.Stops)
	return nil
}
