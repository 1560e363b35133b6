package main

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The pinned AWS CLI (v1) reads the profiles `curfew profiles` writes with access:
// identity-center: `aws configure list --profile staging` finds the sso-session, takes the
// cached portal token for it, and asks the access portal for staging's
// DeveloperAccess-non-production credentials. moto has no access portal
// (sso:GetRoleCredentials), so a stand-in answers that one call and records it; signing in
// (aws sso login) needs a browser and is not tested.
func TestAWSCLIReadsSSOProfiles(t *testing.T) {
	awsCLI := pinnedAWSCLI(t)
	config, r := identityCenterProfiles(t)
	if !strings.Contains(r.stderr, "aws sso login --sso-session curfew") {
		t.Errorf("curfew profiles does not say how to sign in: %s", r.stderr)
	}

	var mu sync.Mutex
	var asked []string
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		asked = append(asked, req.URL.Path+"?"+req.URL.RawQuery+" token="+req.Header.Get("x-amz-sso_bearer_token"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"roleCredentials": map[string]any{
			"accessKeyId": "ASIAPORTALEXAMPLE", "secretAccessKey": "secret", "sessionToken": "token", "expiration": 1893456000000,
		}})
	}))
	defer portal.Close()

	// What `aws sso login --sso-session curfew` leaves: the portal token, cached under the
	// SHA-1 of the session's name.
	home := t.TempDir()
	cache := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte("curfew"))
	token, _ := json.Marshal(map[string]string{"startUrl": "https://acme.awsapps.com/start", "region": "eu-west-1",
		"accessToken": "portal-token", "expiresAt": "2030-01-01T00:00:00Z"})
	if err := os.WriteFile(filepath.Join(cache, hex.EncodeToString(sum[:])+".json"), token, 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(awsCLI, "configure", "list", "--profile", "staging")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-credentials"),
		"AWS_ENDPOINT_URL_SSO=" + portal.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws configure list --profile staging: %v\n%s", err, out)
	}
	for _, want := range []string{"****************MPLE              sso", "eu-west-1      config-file"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("aws configure list does not show %q:\n%s", want, out)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	want := "/federation/credentials?role_name=DeveloperAccess-non-production&account_id=222222222222 token=portal-token"
	if len(asked) != 1 || asked[0] != want {
		t.Errorf("the portal was asked %q, want once %q", asked, want)
	}
}
