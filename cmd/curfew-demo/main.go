// Command curfew-demo is `make demo`: curfew's whole night on an emulated organisation,
// locally — deploy with the CDK CLI into moto, a small fleet, the night shutdown, the
// morning restart and the cost report. It exits non-zero naming the step that failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/curfew/curfew/internal/demo"
	"github.com/curfew/curfew/internal/lambdarun"
)

func main() {
	var o demo.Options
	flag.StringVar(&o.CDK, "cdk", "", "the CDK CLI (default .tools/node_modules/.bin/cdk)")
	flag.StringVar(&o.CLI, "curfew", "", "the curfew CLI binary (default: built from ./cmd/curfew)")
	flag.StringVar(&o.Endpoint, "endpoint", "", "use this running moto (fresh accounts) instead of starting one")
	flag.StringVar(&o.Report, "report", "build/demo/cost-report.html", "where to write the HTML cost report")
	flag.StringVar(&o.State, "state", "", "write the fleet observed before the night, after it and after the morning to this JSON file")
	flag.BoolVar(&o.Keep, "keep", false, "keep the work directory (AWS config, cloud assembly, logs)")
	flag.Parse()

	if err := setup(&o); err != nil {
		fmt.Fprintln(os.Stderr, "curfew-demo:", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo.Run(ctx, o); err != nil {
		// A *demo.StepError names the step.
		fmt.Fprintf(os.Stderr, "\ncurfew-demo: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("\ncurfew-demo: done. Next: `make test` runs every test; the README says how to deploy on AWS.")
}

// setup makes the paths of the flags absolute and moves to the repository, where the demo
// finds accounts.yaml, cdk.json and .tools/.
func setup(o *demo.Options) error {
	for _, p := range []*string{&o.Report, &o.State, &o.CDK, &o.CLI} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	root, err := lambdarun.ModuleRoot()
	if err != nil {
		return err
	}
	o.Root = root
	o.Out = os.Stdout
	return os.Chdir(root)
}
