package accounts_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// invalidMaps are the maps of the repository that are wrong on purpose, each tested for
// its mistakes where it is used.
var invalidMaps = map[string]bool{
	"cdk/testdata/bad.yaml":                              true,
	"internal/accounts/testdata/invalid-everything.yaml": true,
}

// TestEveryMapInTheRepoIsValid loads every account map of the repository (a YAML file
// with an externalId) so that no test, demo or example runs on a map the validator
// refuses; the intentionally bad ones must still be refused.
func TestEveryMapInTheRepoIsValid(t *testing.T) {
	const repo = "../.."
	var found int
	err := filepath.WalkDir(repo, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Tool installs, VCS data and CDK output hold no maps of ours.
			if path != repo && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "cdk.out") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(data, []byte("externalId:")) {
			return err
		}
		rel, _ := filepath.Rel(repo, path)
		rel = filepath.ToSlash(rel)
		found++
		t.Run(rel, func(t *testing.T) {
			_, err := accounts.Load(path)
			var verr *accounts.ValidationError
			switch {
			case invalidMaps[rel] && !errors.As(err, &verr):
				t.Errorf("Load = %v, want a *ValidationError: this map is wrong on purpose", err)
			case !invalidMaps[rel] && err != nil:
				t.Error(err)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The example map, its copies in cmd/curfew/, internal/console/ and
	// internal/profiles/, the OIDC maps and the bad ones: a walk that finds fewer lost them.
	if found < 10 {
		t.Errorf("found %d account maps in the repository, want at least 10", found)
	}
}
