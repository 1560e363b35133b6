package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/profiles"
)

// app holds what every command shares: the account map, the terminal and the clock.
type app struct {
	stdin          io.Reader
	stdinLines     *bufio.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	// configFile is the default of `curfew profiles --config-file`.
	configFile string
	// mapEnv is CURFEW_MAP, read by main: the account map when --map is not given.
	mapEnv string
	// userConfigDir is the user's configuration directory (os.UserConfigDir), "" when
	// the system has none; curfew looks for curfew/accounts.yaml there last.
	userConfigDir string
	// buildInfo reports how the binary was built, for `curfew version`.
	buildInfo func() (*debug.BuildInfo, bool)
	// The daily MFA session (credentials.go, exec.go): where it is cached, the terminal
	// its code is asked on, the binary the profiles' credential_process runs, and the
	// environment curfew exec passes on.
	cacheDir     string
	openTerminal func() (io.ReadWriteCloser, error)
	executable   func() (string, error)
	environ      func() []string

	// mapPath is --map, and once loaded the path of the map in use.
	mapPath string
	// prefix is put in front of the names of curfew's profiles, as `curfew profiles
	// --prefix` wrote them; every command reads it, so one flag means one thing everywhere.
	prefix string
	debug  bool
	// progress shows a long run's progress line on stderr (invoke.Progress) and returns
	// what clears it; nil when stderr is not a terminal: nothing is written then.
	progress func(what string) (stop func())
	log      *slog.Logger
	m        *accounts.Map
}

func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "curfew",
		Short: "Reach every account of the account map; keep non-production asleep at night",
		Long: `curfew reads the account map (accounts.yaml: --map, else $CURFEW_MAP, else the working
directory's, else the one in your configuration directory) and gives developers and
operators what they type every day:

  curfew profiles --user alice      AWS CLI profiles for every account (MFA, DeveloperAccess)
  curfew login                      your MFA code once a day: every profile then works
  curfew console                    console switch-role links and browser-extension config
  curfew snooze staging i-0abc --until 12h
                                    keep one instance or database up tonight
  curfew plan | stop | start        run the shutdown or restart now (operators)
  curfew preflight --profile P      check an account before curfew's first deploy there
  curfew uninstall                  start what curfew stopped, then print how to remove it
  curfew version                    the version and source revision of this binary

The commands that call AWS use the profiles curfew profiles wrote (pass the same --prefix
to every command when you gave it one), and before anything else check with STS that
the profile reaches the account the map says: a profile of the same name in another
account is refused, and nothing is changed. plan, stop, start, snooze --list, preflight,
console, profiles and version print JSON with --json, in a stable form for scripts
(docs/operations.md).` + exitHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelWarn
			if a.debug {
				level = slog.LevelDebug
			}
			a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
			if err := profiles.CheckPrefix(a.prefix); err != nil {
				return withHint(fmt.Errorf("%w: %w", ErrInvalidInput, err), "pass the prefix you gave `curfew profiles`, e.g. --prefix acme-")
			}
			if !needsMap(cmd) {
				return nil
			}
			return a.loadMap(cmd)
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.PersistentFlags().StringVar(&a.mapPath, "map", "",
		"path of the account map (default: $CURFEW_MAP, then ./accounts.yaml, then "+a.userMapPathOrDefault()+")")
	root.PersistentFlags().StringVar(&a.prefix, "prefix", "",
		"prefix of curfew's profile names (acme- gives acme-staging): written by profiles, used by console, snooze, plan, stop, start, preflight and uninstall")
	root.Flags().BoolP("version", "v", false, "print the version and source revision (as curfew version does)")
	root.PersistentFlags().BoolVar(&a.debug, "debug", false, "log debug detail, AWS requests and retries to stderr")
	root.AddCommand(
		newProfilesCommand(a),
		newConsoleCommand(a),
		newSnoozeCommand(a),
		newInvokeCommand(a, stopCommand),
		newInvokeCommand(a, startCommand),
		newInvokeCommand(a, planCommand),
		newPreflightCommand(a),
		newUninstallCommand(a),
		newVersionCommand(a),
		newCredentialsCommand(a),
		newExecCommand(a),
		newEnvCommand(a),
		newLoginCommand(a),
		newLogoutCommand(a),
	)
	addAccountCompletion(root, a)
	usageErrors(root)
	root.Version = versionText(a)
	root.SetVersionTemplate("{{.Version}}")
	return root
}
