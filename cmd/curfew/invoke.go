package main

import (
	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
)

// invokeKind is one of the commands that run curfew's Lambdas on demand.
type invokeKind struct {
	use, short, long string
	function         string
	// dryRun forces a dry run: plan is a shutdown that changes nothing.
	dryRun bool
}

var (
	stopCommand = invokeKind{
		use:      "stop",
		short:    "Run the night shutdown now",
		function: accounts.ShutdownFunction,
	}
	startCommand = invokeKind{
		use:      "start",
		short:    "Start again what curfew stopped (the on-demand restart)",
		function: accounts.RestartFunction,
	}
	planCommand = invokeKind{
		use:      "plan",
		short:    "Show what the shutdown would stop, changing nothing",
		function: accounts.ShutdownFunction,
		dryRun:   true,
	}
)

func newInvokeCommand(a *app, k invokeKind) *cobra.Command {
	return &cobra.Command{Use: k.use, Short: k.short}
}
