package emulator

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Functions creates in moto, in cfg's account and region, a Lambda function of each name
// (provided.al2023, a shell bootstrap that moto never runs), with the role of the first
// name, which Lambda may assume: for what a test reads of a function (its URL) or invokes
// through moto.
func Functions(t testing.TB, cfg aws.Config, names ...string) {
	t.Helper()
	role, err := iam.NewFromConfig(cfg).CreateRole(t.Context(), &iam.CreateRoleInput{
		RoleName:                 aws.String(names[0]),
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
	for _, name := range names {
		if _, err := lambda.NewFromConfig(cfg).CreateFunction(t.Context(), &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: role.Role.Arn, Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()},
		}); err != nil {
			t.Fatal(err)
		}
	}
}
