package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/curfew/curfew/internal/profiles"
)

// Issue 28, item 8: profiles --json prints the profiles that would be written, in the
// stable form docs/operations.md gives, instead of the diff.
func Example_profilesJSON() {
	example("--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--mfa-per-profile", "--operator",
		"--config-file", "testdata/user-config", "--dry-run", "--json")
	// Output:
	// {
	//   "configFile": "testdata/user-config",
	//   "changed": true,
	//   "written": false,
	//   "profiles": [
	//     {
	//       "name": "identity",
	//       "section": "profile",
	//       "settings": {
	//         "region": "eu-west-1"
	//       }
	//     },
	//     {
	//       "name": "staging",
	//       "section": "profile",
	//       "accountId": "222222222222",
	//       "settings": {
	//         "duration_seconds": "3600",
	//         "mfa_serial": "arn:aws:iam::111111111111:mfa/alice",
	//         "region": "eu-west-1",
	//         "role_arn": "arn:aws:iam::222222222222:role/DeveloperAccess",
	//         "role_session_name": "alice",
	//         "source_profile": "identity"
	//       }
	//     },
	//     {
	//       "name": "sandbox",
	//       "section": "profile",
	//       "accountId": "333333333333",
	//       "settings": {
	//         "duration_seconds": "3600",
	//         "mfa_serial": "arn:aws:iam::111111111111:mfa/alice",
	//         "region": "eu-west-1",
	//         "role_arn": "arn:aws:iam::333333333333:role/DeveloperAccess",
	//         "role_session_name": "alice",
	//         "source_profile": "identity"
	//       }
	//     },
	//     {
	//       "name": "production",
	//       "section": "profile",
	//       "accountId": "444444444444",
	//       "settings": {
	//         "duration_seconds": "3600",
	//         "mfa_serial": "arn:aws:iam::111111111111:mfa/alice",
	//         "region": "eu-west-1",
	//         "role_arn": "arn:aws:iam::444444444444:role/DeveloperAccess",
	//         "role_session_name": "alice",
	//         "source_profile": "identity"
	//       }
	//     },
	//     {
	//       "name": "operator",
	//       "section": "profile",
	//       "accountId": "111111111111",
	//       "settings": {
	//         "duration_seconds": "3600",
	//         "mfa_serial": "arn:aws:iam::111111111111:mfa/alice",
	//         "region": "eu-west-1",
	//         "role_arn": "arn:aws:iam::111111111111:role/curfew-operator",
	//         "role_session_name": "alice",
	//         "source_profile": "identity"
	//       }
	//     }
	//   ]
	// }
}

// profiles --json after writing says so and names the backup; run again, it says the
// file was already right and wrote nothing. A credential_process profile and an
// Identity Center one name their account; the sso-session is a section of its own.
func TestProfilesJSON(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[profile personal]\nregion = eu-south-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func(r result) profiles.Listing {
		t.Helper()
		if r.err != nil {
			t.Fatalf("profiles --json: %v\n%s", r.err, r.stderr)
		}
		var l profiles.Listing
		if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
			t.Fatalf("stdout is not the JSON listing: %v\n%s", err, r.stdout)
		}
		return l
	}
	args := []string{"--map", "testdata/accounts.yaml", "profiles", "--user", "alice", "--config-file", config, "--json"}
	first := read(curfew(t, "", args...))
	if !first.Changed || !first.Written || first.Backup != config+".curfew-20261127T183000Z.bak" || first.ConfigFile != config {
		t.Errorf("first run: %+v, want changed, written, with its backup", first)
	}
	if len(first.Profiles) != 4 || first.Profiles[1].Name != "staging" || first.Profiles[1].AccountID != "222222222222" ||
		first.Profiles[1].Settings["credential_process"] == "" || first.Profiles[0].AccountID != "" {
		t.Errorf("profiles %+v", first.Profiles)
	}
	again := read(curfew(t, "", args...))
	if again.Changed || again.Written || again.Backup != "" || len(again.Profiles) != 4 {
		t.Errorf("second run: %+v, want neither changed nor written", again)
	}

	sso := read(curfew(t, "", "--map", "testdata/accounts-identity-center.yaml", "profiles", "--config-file", config, "--dry-run", "--json"))
	if s := sso.Profiles[0]; s.Section != "sso-session" || s.Name != "curfew" || s.Settings["sso_start_url"] != "https://acme.awsapps.com/start" || s.AccountID != "" {
		t.Errorf("the sso-session: %+v", s)
	}
	if p := sso.Profiles[1]; p.Section != "profile" || p.AccountID != "222222222222" || p.Settings["sso_role_name"] != "DeveloperAccess-non-production" {
		t.Errorf("an Identity Center profile: %+v", p)
	}
	if sso.Written || !sso.Changed {
		t.Errorf("a dry run: %+v", sso)
	}
}
