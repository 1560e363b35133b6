package main

import (
	"archive/zip"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

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
	role, err := iam.NewFromConfig(cfg).CreateRole(t.Context(), &iam.CreateRoleInput{
		RoleName:                 aws.String("curfew-restart"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var code bytes.Buffer
	z := zip.NewWriter(&code)
	if w, err := z.Create("bootstrap"); err != nil {
		t.Fatal(err)
	} else if _, err := w.Write([]byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	for _, function := range []string{"curfew-restart", "curfew-shutdown"} {
		if _, err := lambda.NewFromConfig(cfg).CreateFunction(t.Context(), &lambda.CreateFunctionInput{
			FunctionName: aws.String(function), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: role.Role.Arn, Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()},
		}); err != nil {
			t.Fatal(err)
		}
	}
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
