package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// credentialProcessCommand is the program the profiles' credential_process runs: this
// very binary, by absolute path. Not a bare "curfew" looked up on PATH when the profile
// is used: IDEs, desktop apps and CI agents run tools with a PATH of their own, where
// curfew may be missing or be another version than the one that wrote the profiles. When
// the PATH of the shell running `curfew profiles` leads to this binary through a symbolic
// link (a package manager's bin directory), that link is written instead: it survives
// upgrades that move the binary itself. A binary moved by hand needs `curfew profiles`
// again, which it says when a profile is used (the AWS CLI reports the missing program).
func credentialProcessCommand() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the running curfew binary: %w", err)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", fmt.Errorf("find the running curfew binary: %w", err)
	}
	// go run builds into a temporary directory that is gone once the command ends.
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "", errors.New("this curfew is a temporary build (go run), which the profiles could not run later")
	}
	if onPath, err := exec.LookPath("curfew"); err == nil {
		if abs, err := filepath.Abs(onPath); err == nil {
			if resolved, err := filepath.EvalSymlinks(abs); err == nil && resolved == exe {
				return abs, nil
			}
		}
	}
	return exe, nil
}
