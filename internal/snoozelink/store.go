package snoozelink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause"
)

// S3API is the part of the S3 client the links use.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// maxLink caps a stored link's size: a hundred resources fit many times over.
const maxLink = 256 << 10

// The store's refusals.
var (
	ErrNoLink   = errors.New("the link is not on record")
	ErrAltered  = errors.New("the link on record does not match its signature")
	ErrUsed     = errors.New("the link was used already")
	errConflict = errors.New("already there")
)

// LinkKey is where the link of id is stored in the history bucket.
func LinkKey(id string) string { return accounts.HeadsUpPrefix + "links/" + id + ".json" }

// UsedKey is where the use of the link of id is recorded.
func UsedKey(id string) string { return accounts.HeadsUpPrefix + "used/" + id + ".json" }

// Use is the record of one link used: what it kept up, when, from where.
type Use struct {
	ID       string    `json:"id"`
	Link     Link      `json:"link"`
	At       time.Time `json:"at"`
	SourceIP string    `json:"sourceIp"`
	// Slack is who pressed the link's button in Slack; nil for a link opened in a browser.
	Slack *SlackUser `json:"slack,omitempty"`
	// Outcomes says, per resource, what happened; none in the claim, before it is applied.
	Outcomes []string `json:"outcomes"`
}

// Store reads and writes links in the history bucket.
type Store struct {
	Client S3API
	Bucket string
}

// put writes body at key; once, never over an object already there.
func (s Store) put(ctx context.Context, key string, body []byte, once bool) error {
	in := &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	}
	if once {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := s.Client.PutObject(ctx, in)
	if st := cause.HTTPStatus(err); st == 412 || st == 409 {
		return fmt.Errorf("%w: %s", errConflict, key)
	}
	return err
}

// Link reads the link of c and checks it against c's hash, account and stop.
func (s Store) Link(ctx context.Context, c Claims) (Link, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(LinkKey(c.ID))})
	if st := cause.HTTPStatus(err); st == 404 || st == 403 {
		return Link{}, ErrNoLink
	}
	if err != nil {
		return Link{}, fmt.Errorf("read the link %s: %w", c.ID, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxLink+1))
	if err != nil {
		return Link{}, fmt.Errorf("read the link %s: %w", c.ID, err)
	}
	if len(body) > maxLink || Hash(body) != c.Hash {
		return Link{}, ErrAltered
	}
	var l Link
	if err := json.Unmarshal(body, &l); err != nil {
		return Link{}, ErrAltered
	}
	if l.AccountID != c.Account || l.Stop.Unix() != c.Stop {
		return Link{}, ErrAltered
	}
	return l, nil
}

// Used reports whether the link of id was used already, as far as the function may see:
// S3 answers 403 rather than 404 for a missing object to a role that may not list the
// bucket (the link function's may not), so both read as not used. Claim, not Used, is
// what keeps a link to one use.
func (s Store) Used(ctx context.Context, id string) (bool, error) {
	_, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(UsedKey(id))})
	switch cause.HTTPStatus(err) {
	case 0:
		return err == nil, err
	case 404, 403:
		return false, nil
	}
	return false, fmt.Errorf("look up the use of link %s: %w", id, err)
}

// Claim records u before the link is applied, once: a link claimed already (used, or
// being used by a request at the same moment) is ErrUsed.
func (s Store) Claim(ctx context.Context, u Use) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	err = s.put(ctx, UsedKey(u.ID), body, true)
	if errors.Is(err, errConflict) {
		return ErrUsed
	}
	return err
}

// Complete replaces the claim of u by what the use did.
func (s Store) Complete(ctx context.Context, u Use) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return s.put(ctx, UsedKey(u.ID), body, false)
}
