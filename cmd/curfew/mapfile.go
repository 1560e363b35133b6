package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/preflight"
)

// ErrNoMap means no account map was given and none was found where curfew looks.
var ErrNoMap = errors.New("no account map found")

// mapFileName is the account map's file name in the working directory and in the user's
// configuration directory.
const mapFileName = "accounts.yaml"

// userMapPath is where a user keeps the map for use outside a clone of the repository:
// <user config dir>/curfew/accounts.yaml, "" when the system names no such directory.
func (a *app) userMapPath() string {
	if a.userConfigDir == "" {
		return ""
	}
	return filepath.Join(a.userConfigDir, "curfew", mapFileName)
}

// findMap returns the path of the account map and where it came from: --map when given,
// then CURFEW_MAP, then accounts.yaml in the working directory, then the user's
// configuration directory. A map named by --map or CURFEW_MAP is used even if missing
// (the error then says which one named it): a typo must not silently pick another map.
func (a *app) findMap(flagGiven bool) (path, source string, err error) {
	switch {
	case flagGiven:
		return a.mapPath, "--map", nil
	case a.mapEnv != "":
		return a.mapEnv, "CURFEW_MAP", nil
	}
	looked := []string{"--map: not given", "CURFEW_MAP: not set"}
	candidates := []struct{ path, source string }{{mapFileName, "the working directory"}}
	if p := a.userMapPath(); p != "" {
		candidates = append(candidates, struct{ path, source string }{p, "your configuration directory"})
	}
	for _, c := range candidates {
		if _, err := os.Stat(c.path); err == nil {
			return c.path, c.source, nil
		}
		shown := c.path
		if abs, err := filepath.Abs(c.path); err == nil {
			shown = abs
		}
		looked = append(looked, shown+": no such file")
	}
	return "", "", withHint(fmt.Errorf("%w; looked at:\n    %s", ErrNoMap, strings.Join(looked, "\n    ")),
		"pass --map PATH, set CURFEW_MAP=PATH (in your shell profile, to use curfew anywhere), or copy the map to %s", a.userMapPathOrDefault())
}

// userMapPathOrDefault names the user's map path even where the system gives no
// configuration directory, for messages.
func (a *app) userMapPathOrDefault() string {
	if p := a.userMapPath(); p != "" {
		return p
	}
	return filepath.Join("<your configuration directory>", "curfew", mapFileName)
}

// loadMap finds and loads the account map for cmd.
func (a *app) loadMap(cmd *cobra.Command) error {
	path, source, err := a.findMap(mapFlagGiven(cmd))
	if err != nil {
		return err
	}
	m, err := accounts.Load(path)
	if err != nil {
		return withHint(fmt.Errorf("%w (from %s)", err, source),
			"pass the account map with --map PATH, or set CURFEW_MAP=PATH; without either curfew reads ./%s, then %s", mapFileName, a.userMapPathOrDefault())
	}
	a.m, a.mapPath = m, path
	return nil
}

// mapIfAny loads the account map for a command that can do without one (exec, env):
// the map --map or CURFEW_MAP names (which must load), else one found where curfew looks,
// else none.
func (a *app) mapIfAny(cmd *cobra.Command) error {
	if _, _, err := a.findMap(mapFlagGiven(cmd)); errors.Is(err, ErrNoMap) {
		return nil
	}
	return a.loadMap(cmd)
}

// mapFlagGiven says the user passed --map to cmd or a parent.
func mapFlagGiven(cmd *cobra.Command) bool {
	f := cmd.Flags().Lookup("map")
	return f != nil && f.Changed
}

// needsMap says whether cmd reads the account map. Help, version and completion work
// anywhere, without a map: a .bashrc that sources `curfew completion bash` must not
// break in a directory without accounts.yaml. The shell's completion requests (cobra's
// __complete) load the map themselves, quietly, to offer account names.
func needsMap(cmd *cobra.Command) bool {
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		// credentials takes all it needs from its command line: it runs in the directory of
		// whatever tool calls the profile, where no map (or another one) may be. exec and
		// env read the profile, login and logout the session: a map found is used
		// (mapIfAny), none is needed.
		case "help", "version", "completion", "credentials", "exec", "env", "login", "logout", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return false
		}
	}
	return true
}

// addAccountCompletion makes the shell offer the map's account names for every --account
// flag and for the ACCOUNT argument of snooze, exec and env: the accounts each command accepts (non-production
// swept accounts for stop, start, plan and snooze; every account for preflight).
func addAccountCompletion(root *cobra.Command, a *app) {
	for _, c := range root.Commands() {
		names := a.completionNames(c.Name())
		if c.Flags().Lookup("account") != nil {
			_ = c.RegisterFlagCompletionFunc("account", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
				return names(cmd), cobra.ShellCompDirectiveNoFileComp
			})
		}
		if (c.Name() == "snooze" || c.Name() == "exec" || c.Name() == "env") && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 && cmd.Name() == "exec" {
					return nil, cobra.ShellCompDirectiveDefault // the command to run
				}
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return names(cmd), cobra.ShellCompDirectiveNoFileComp
			}
		}
	}
}

// completionNames returns the function listing the account names command accepts, from
// the map found as every command finds it; none when there is no valid map (completion
// prints no error: the shell would show it mid-line).
func (a *app) completionNames(command string) func(*cobra.Command) []string {
	return func(cmd *cobra.Command) []string {
		path, _, err := a.findMap(mapFlagGiven(cmd))
		if err != nil {
			return nil
		}
		m, err := accounts.Load(path)
		if err != nil {
			return nil
		}
		switch command {
		case "stop", "start", "plan", "snooze":
			return sweptNames(m)
		case "preflight":
			return preflight.Completion(m)
		}
		return targetNames(m)
	}
}
