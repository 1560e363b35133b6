package preflight

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/curfew/curfew/internal/accounts"
)

// Before an upgrade, curfew's functions already hold their reservations: a home account
// at 102 with 100 unreserved has room for them (they are not asked for twice), where a
// first deploy into the same figures would not.
func TestConcurrencyCountsCurfewsOwnReservations(t *testing.T) {
	o := newOrg(t, nil)
	home := o.target(t, "identity")
	lambdaSettings(o.proxy, o.ids["identity"], 102, 100)

	before := concurrency{}.Run(t.Context(), home)
	if len(before) != 1 || before[0].Status != Problem {
		t.Fatalf("first deploy at 102/100: %+v, want a problem (2 more reserved would leave 98)", before)
	}

	role, err := iam.NewFromConfig(home.Config).CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("curfew-test-fn"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	var code bytes.Buffer
	zw := zip.NewWriter(&code)
	if f, err := zw.Create("bootstrap"); err != nil {
		t.Fatal(err)
	} else if _, err := f.Write([]byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	lc := lambda.NewFromConfig(home.Config)
	for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction} {
		if _, err := lc.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
			FunctionName: aws.String(fn), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := lc.PutFunctionConcurrency(t.Context(), &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String(fn), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
	}
	after := concurrency{}.Run(t.Context(), home)
	if len(after) != 1 || after[0].Status != OK || !strings.Contains(after[0].Detail, "concurrency limit 102, 100 unreserved") {
		t.Errorf("upgrade at 102/100 with curfew's 2 held: %+v, want ok", after)
	}
}
