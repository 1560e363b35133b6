package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/lambdatest"
)

// functionsWorld is the CLI's moto+RIE world: the test map with fresh ids, the built
// curfew-shutdown and curfew-restart running under the Lambda RIE with the home
// account's credentials (homeFunctions), and alice's developer profiles (developerEnv)
// pointing the CLI at moto.
type functionsWorld struct {
	mapPath    string
	ids        map[string]string
	home       aws.Credentials
	router     *lambdarun.Router
	configFile string
}

// newFunctionsWorld builds the world; the functions reach AWS at endpoint (moto, or a
// proxy in front of it), the CLI reaches s. With ops, the operator's own profile "ops"
// holds the home account's credentials (opsProfile).
func newFunctionsWorld(t *testing.T, s *emulator.Server, endpoint string, ops bool) *functionsWorld {
	t.Helper()
	w := &functionsWorld{}
	w.mapPath, w.ids = testMap(t)
	m, err := accounts.Load(w.mapPath)
	if err != nil {
		t.Fatal(err)
	}
	w.home, w.router = homeFunctions(t, s, m, w.ids, endpoint)
	w.configFile = developerEnv(t, w.mapPath, s.URL)
	if ops {
		opsProfile(t, w.configFile, w.home)
	}
	return w
}

// homeFunctions runs the built curfew-shutdown and curfew-restart under the Lambda RIE
// with the home account's credentials, reaching AWS at endpoint, behind lambdarun's
// Lambda-API-shaped router, and points the CLI's Lambda client at that router
// (AWS_ENDPOINT_URL_LAMBDA). It returns the home account's credentials and the router,
// which records the invocations.
func homeFunctions(t *testing.T, s *emulator.Server, m *accounts.Map, ids map[string]string, endpoint string) (aws.Credentials, *lambdarun.Router) {
	t.Helper()
	home, err := s.Account(t, ids["identity"], m.HomeRegion).Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL":            endpoint,
		"AWS_REGION":                  m.HomeRegion,
		"AWS_ACCESS_KEY_ID":           home.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       home.SecretAccessKey,
		"AWS_SESSION_TOKEN":           home.SessionToken,
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "120",
	}
	shutdown, restart := lambdatest.Start(t, "shutdown", m, env), lambdatest.Start(t, "restart", m, env)
	router := lambdarun.NewRouter(map[string]lambdarun.Invoker{
		accounts.ShutdownFunction: shutdown,
		accounts.RestartFunction:  restart,
	})
	lambdaURL := httptest.NewServer(router)
	t.Cleanup(lambdaURL.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("curfew-shutdown:\n%s\ncurfew-restart:\n%s", shutdown.Output(), restart.Output())
		}
	})
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", lambdaURL.URL)
	return home, router
}

// opsProfile adds the operator's own profile "ops" next to the developer's profiles of
// configFile: credentials of the home account, which curfew checks with STS before it
// invokes anything.
func opsProfile(t *testing.T, configFile string, home aws.Credentials) {
	t.Helper()
	appendFile(t, configFile, "\n[profile ops]\nregion = eu-west-1\n")
	appendFile(t, os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), fmt.Sprintf("\n[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		home.AccessKeyID, home.SecretAccessKey, home.SessionToken))
}

// keyProfiles gives the operator a profile per entry of profiles, each holding the
// temporary credentials of that config (got by a real AssumeRole) in eu-west-1, clears
// the AWS settings of whoever runs the tests, and sends every call, STS's too, to
// endpoint. It returns the config file's path.
func keyProfiles(t *testing.T, endpoint string, profiles map[string]aws.Config) string {
	t.Helper()
	isolateAWSEnv(t)
	dir := t.TempDir()
	config, credentials := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	var conf, creds strings.Builder
	for name, cfg := range profiles {
		c, err := cfg.Credentials.Retrieve(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&conf, "[profile %s]\nregion = eu-west-1\n", name)
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n", name, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	for path, text := range map[string]string{config: conf.String(), credentials: creds.String()} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	t.Setenv("AWS_ENDPOINT_URL_STS", endpoint)
	return config
}

// identityCenterProfiles writes curfew's profiles of the Identity Center test map
// (access: identity-center, testdata/accounts-identity-center.yaml) into a new config file,
// and returns its path and what curfew profiles printed.
func identityCenterProfiles(t *testing.T) (string, result) {
	t.Helper()
	config := filepath.Join(t.TempDir(), "config")
	r := curfew(t, "", "--map", "testdata/accounts-identity-center.yaml", "profiles", "--config-file", config)
	if r.err != nil {
		t.Fatal(r.err)
	}
	return config, r
}
