package accountlist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/s3json"
)

// S3API is the part of the S3 client the store uses.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// ErrNotPublished: no run has published a list yet.
var ErrNotPublished = errors.New("no run has published the list of accounts yet")

// Store reads and writes the list at Key in one bucket.
type Store struct {
	Client S3API
	Bucket string
	// Owner is the home account's id: S3 refuses the call when the bucket belongs to
	// another account, so a bucket of the same name created elsewhere (bucket names are
	// global) is never written to nor believed.
	Owner string
}

// Put writes l, replacing the list of the run before.
func (s Store) Put(ctx context.Context, l List) error {
	body, err := json.MarshalIndent(l, "", " ")
	if err != nil {
		return fmt.Errorf("encode the list of run %s: %w", l.RunID, err)
	}
	_, err = s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(Key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"), ExpectedBucketOwner: aws.String(s.Owner),
	})
	if err != nil {
		return fmt.Errorf("put the list of accounts in s3://%s/%s: %w", s.Bucket, Key, err)
	}
	return nil
}

// Get reads the list and checks it against m, the map of the runs that publish it
// (List.Validate); ErrNotPublished when no run has written it, ErrInvalidList when it
// holds a value no run writes.
func (s Store) Get(ctx context.Context, m *accounts.Map) (List, error) {
	var l List
	err := s3json.Get(ctx, s.Client, s.Bucket, Key, aws.String(s.Owner), &l)
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return List{}, fmt.Errorf("%w (s3://%s/%s is missing)", ErrNotPublished, s.Bucket, Key)
	}
	if err != nil {
		return List{}, err
	}
	if err := l.Validate(m); err != nil {
		return List{}, fmt.Errorf("s3://%s/%s: %w", s.Bucket, Key, err)
	}
	return l, nil
}
