// Command curfew is what developers and operators type: it writes the AWS profiles that
// reach every account of the account map, prints console switch-role links, snoozes one
// resource past tonight's shutdown, and runs a shutdown or restart on demand.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/term"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/invoke"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	app := &app{
		stdin:      os.Stdin,
		stdout:     os.Stdout,
		stderr:     os.Stderr,
		now:        clock.Now,
		configFile: defaultConfigFile(),
		mapEnv:     os.Getenv("CURFEW_MAP"),
		buildInfo:  debug.ReadBuildInfo,
	}
	// Without a configuration directory (no $HOME) curfew only skips that place.
	app.userConfigDir, _ = os.UserConfigDir()
	if dir, err := os.UserCacheDir(); err == nil {
		app.cacheDir = filepath.Join(dir, "curfew")
	}
	app.openTerminal = func() (io.ReadWriteCloser, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }
	app.executable = credentialProcessCommand
	app.environ = os.Environ
	if term.IsTerminal(int(os.Stderr.Fd())) {
		app.progress = func(what string) func() { return invoke.Progress(os.Stderr, what, progressQuiet, time.Second) }
	}
	root := newRootCommand(app)
	if _, err := root.ExecuteContextC(ctx); err != nil {
		err = unknownCommand(root, err)
		var exit exitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode()) // curfew exec: the child's status, its own words
		}
		fmt.Fprintln(os.Stderr, "curfew:", err)
		os.Exit(exitKinds.Exit(err))
	}
}

// progressQuiet is how long a run goes without a word before the progress line shows.
const progressQuiet = 3 * time.Second

// defaultConfigFile is where the AWS CLI and SDKs read profiles: AWS_CONFIG_FILE when set,
// ~/.aws/config otherwise.
func defaultConfigFile() string {
	if f := os.Getenv("AWS_CONFIG_FILE"); f != "" {
		return f
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".aws", "config")
	}
	return config.DefaultSharedConfigFilename()
}
