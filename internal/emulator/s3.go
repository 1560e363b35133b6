package emulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3 is an S3 client of cfg in path style, which moto on localhost answers.
func S3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// Bucket creates a bucket in the client's region. Bucket names are global: on a shared
// server each test needs names of its own.
func Bucket(t testing.TB, client *s3.Client, name string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region := client.Options().Region; region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := client.CreateBucket(t.Context(), in); err != nil {
		t.Fatal(err)
	}
}
