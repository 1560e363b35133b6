package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func newVersionCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version and source revision of this binary",
		Long: `Print curfew's module version (as go install gives it, or (devel) for a local build),
the source revision and its time when the binary was built from a git checkout, and the
Go version. It needs no account map.`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if asJSON {
				e := json.NewEncoder(a.stdout)
				e.SetIndent("", "  ")
				return e.Encode(readVersion(a.buildInfo))
			}
			_, err := io.WriteString(a.stdout, versionText(a))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version as JSON")
	return cmd
}

// buildVersion is what the binary says of its build; its JSON form is `curfew version
// --json`'s (docs/operations.md).
type buildVersion struct {
	// Version is the module version, "(devel)" for a local build, "" when the binary
	// carries no build information.
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	Go       string `json:"go,omitempty"`
}

// readVersion reads the build information, when there is any.
func readVersion(buildInfo func() (*debug.BuildInfo, bool)) buildVersion {
	if buildInfo == nil {
		return buildVersion{}
	}
	info, ok := buildInfo()
	if !ok {
		return buildVersion{}
	}
	v := buildVersion{Version: info.Main.Version, Go: info.GoVersion}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// versionText is what `curfew --version` prints: the same as `curfew version`.
func versionText(a *app) string {
	var b strings.Builder
	_ = writeVersion(&b, readVersion(a.buildInfo))
	return b.String()
}

// writeVersion prints the module version, the VCS revision with its time (and whether
// the tree had uncommitted changes) when Go recorded one, and the Go version.
func writeVersion(w io.Writer, v buildVersion) error {
	if v.Version == "" {
		_, err := fmt.Fprintln(w, "curfew (unknown version: the binary carries no build information)")
		return err
	}
	fmt.Fprintf(w, "curfew %s\n", v.Version)
	if v.Revision != "" {
		line := "revision " + v.Revision
		if v.Time != "" {
			line += " (" + v.Time + ")"
		}
		if v.Modified {
			line += ", with uncommitted changes"
		}
		fmt.Fprintln(w, line)
	}
	_, err := fmt.Fprintf(w, "built with %s\n", v.Go)
	return err
}
