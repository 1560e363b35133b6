package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/emulator"
)

// readmeInvoke finds the documented `aws lambda invoke ...` commands (in backquotes).
var readmeInvoke = regexp.MustCompile("`(aws lambda invoke [^`]+)`")

// The `aws lambda invoke` commands of the README and docs/ run as written on the AWS CLI
// the project pins (v1, which has no --cli-binary-format), and the payload reaches the
// function as written. moto's Lambda without Docker answers with the payload it was given.
func TestREADMELambdaInvokeRunsOnThePinnedCLI(t *testing.T) {
	awsCLI := pinnedAWSCLI(t)
	var commands [][]string
	for _, d := range readDocs(t) {
		commands = append(commands, readmeInvoke.FindAllStringSubmatch(d.Text, -1)...)
	}
	if len(commands) == 0 {
		t.Fatal("neither the README nor docs/ has an `aws lambda invoke` command: update this test with what they document instead")
	}

	s := emulator.Shared(t)
	resp, err := http.Post(s.URL+"/moto-api/config", "application/json", strings.NewReader(`{"lambda": {"use_docker": false}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	home := emulator.NewAccountID()
	cfg := s.Account(t, home, "eu-west-1")
	emulator.Functions(t, cfg, "curfew-restart", "curfew-shutdown")
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	payload := regexp.MustCompile(`--payload '([^']*)'`)
	for _, c := range commands {
		command := c[1]
		t.Run(command, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("sh", "-c", command)
			cmd.Dir = dir
			cmd.Env = []string{
				"PATH=" + filepath.Dir(awsCLI) + ":" + os.Getenv("PATH"),
				"HOME=" + dir,
				"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
				"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
				"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
				"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
				"AWS_SESSION_TOKEN=" + creds.SessionToken,
				"AWS_DEFAULT_REGION=eu-west-1",
				"AWS_ENDPOINT_URL=" + s.URL,
				"AWS_EC2_METADATA_DISABLED=true",
				"AWS_PAGER=",
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(string(out), `"StatusCode": 200`) {
				t.Errorf("no StatusCode 200 in the output:\n%s", out)
			}
			if m := payload.FindStringSubmatch(command); m != nil {
				if got, err := os.ReadFile(filepath.Join(dir, "out.json")); err != nil || string(got) != m[1] {
					t.Errorf("the function got %q (%v), want the payload %s", got, err, m[1])
				}
			}
		})
	}
}
