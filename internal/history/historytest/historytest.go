// Package historytest gives tests a run history in moto: a store in a new bucket, which
// the run history's own tests and the cost report's read and write.
package historytest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
)

// NewStore creates bucket in cfg's account and region and returns a run-history store in
// it, through a path-style S3 client. Bucket names are global: each test needs its own.
func NewStore(t testing.TB, cfg aws.Config, bucket string) history.Store {
	t.Helper()
	client := emulator.S3(cfg)
	emulator.Bucket(t, client, bucket)
	return history.Store{Client: client, Bucket: bucket}
}
