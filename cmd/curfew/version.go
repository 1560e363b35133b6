package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func newVersionCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and source revision of this binary",
		Long: `Print curfew's module version (as go install gives it, or (devel) for a local build),
the source revision and its time when the binary was built from a git checkout, and the
Go version. It needs no account map.`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			_, err := io.WriteString(a.stdout, versionText(a))
			return err
		},
	}
}

// versionText is what `curfew --version` prints: the same as `curfew version`.
func versionText(a *app) string {
	var info *debug.BuildInfo
	ok := false
	if a.buildInfo != nil {
		info, ok = a.buildInfo()
	}
	var b strings.Builder
	_ = writeVersion(&b, info, ok)
	return b.String()
}

// writeVersion prints what info says of the binary: its module version, the VCS revision
// with its time (and whether the tree had uncommitted changes) when Go recorded one, and
// the Go version.
func writeVersion(w io.Writer, info *debug.BuildInfo, ok bool) error {
	if !ok {
		_, err := fmt.Fprintln(w, "curfew (unknown version: the binary carries no build information)")
		return err
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	fmt.Fprintf(w, "curfew %s\n", version)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		line := "revision " + rev
		if t := settings["vcs.time"]; t != "" {
			line += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			line += ", with uncommitted changes"
		}
		fmt.Fprintln(w, line)
	}
	_, err := fmt.Fprintf(w, "built with %s\n", info.GoVersion)
	return err
}
