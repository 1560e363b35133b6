package profiles_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/profiles"
)

// The profiles of a map with organisational units: the listed accounts exactly as
// before, then the accounts the last run found (a published list), named after
// Organizations' names with the end of their ids, production ones included; a suspended
// account gets none.
func TestFoundProfilesGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "accounts-found.json"))
	if err != nil {
		t.Fatal(err)
	}
	var l accountlist.List
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	m := loadMap(t, "accounts-organization.yaml")
	for name, o := range map[string]profiles.Options{
		"found":         {User: "alice"},
		"found-ci-user": {User: "alice", CI: true, Prefix: "acme-"},
	} {
		t.Run(name, func(t *testing.T) {
			ps, err := profiles.Generate(l.WithFound(m), o)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".golden", profiles.Render(ps, "\n"))
		})
	}
}
