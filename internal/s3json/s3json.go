// Package s3json reads a JSON value from one S3 object, with the errors curfew's stores
// give for it: "get", "read" or "decode", each naming the object's s3:// address.
package s3json

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// GetAPI is the part of the S3 client Get uses.
type GetAPI interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ GetAPI = (*s3.Client)(nil)

// Get decodes the JSON of the object s3://bucket/key into v. owner, when not nil, is the
// account the bucket must belong to (ExpectedBucketOwner): S3 refuses the call otherwise.
// S3's error is wrapped, so errors.As finds its *types.NoSuchKey.
func Get(ctx context.Context, c GetAPI, bucket, key string, owner *string, v any) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ExpectedBucketOwner: owner})
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
