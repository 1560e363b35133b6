package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/lambdarun"
)

// functions are the folders under lambdas/ the demo runs.
var functions = []string{"shutdown", "restart", "cost-report", "heads-up", "snooze-link"}

// build builds the functions for this machine (Lambda runs the linux/arm64 build of `make
// lambdas`; the emulator runs them here) and the curfew CLI unless Options.CLI names one.
func (d *Demo) build(ctx context.Context, w io.Writer) error {
	// One go command: what the functions share is compiled once, and they link in parallel.
	fmt.Fprintf(w, "go build -tags lambda.norpc,%s ./lambdas/{%s} (for this machine, to run under the Lambda RIE with its clock set)\n", clock.Tag, strings.Join(functions, ","))
	if err := lambdarun.BuildMovableAll(ctx, d.opts.Root, functions, d.binary); err != nil {
		return err
	}
	d.cli = d.opts.CLI
	if d.cli == "" {
		d.cli = d.path("bin", "curfew")
		fmt.Fprintln(w, "go build ./cmd/curfew")
		if err := d.command(ctx, "build-curfew", d.opts.Root, "go", "build", "-o", d.cli, "./cmd/curfew"); err != nil {
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
