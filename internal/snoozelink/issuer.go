package snoozelink

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
)

// S3Issuer issues links: it stores each in the history bucket and signs a token bound to
// it. It is the Issuer of the heads-up function.
type S3Issuer struct {
	key   []byte
	store Store
	base  *url.URL
}

var _ Issuer = (*S3Issuer)(nil)

// NewIssuer returns an issuer signing with key (at least MinKey bytes), storing links in
// bucket through client, and answering URLs under baseURL (the link function's URL).
func NewIssuer(key []byte, client S3API, bucket, baseURL string) (*S3Issuer, error) {
	if len(key) < MinKey {
		return nil, ErrShortKey
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("the link function's URL %q is not an absolute URL", baseURL)
	}
	if bucket == "" {
		return nil, fmt.Errorf("no history bucket for the links")
	}
	return &S3Issuer{key: key, store: Store{Client: client, Bucket: bucket}, base: u}, nil
}

// Issue stores l and returns the URL that opens its confirmation page.
func (i *S3Issuer) Issue(ctx context.Context, l Link) (string, error) {
	if !l.Until.After(l.Stop) || len(l.Resources) == 0 {
		return "", fmt.Errorf("issue a link for %s: nothing to keep up, or it ends before the stop", l.Account)
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(l)
	if err != nil {
		return "", err
	}
	c := Claims{V: Version, ID: id, Account: l.AccountID, Stop: l.Stop.Unix(), Exp: l.Stop.Unix(), Hash: Hash(body)}
	token, err := Sign(i.key, c)
	if err != nil {
		return "", fmt.Errorf("issue a link for %s: %w", l.Account, err)
	}
	if err := i.store.put(ctx, LinkKey(id), body, true); err != nil {
		return "", fmt.Errorf("store the link for %s: %w", l.Account, err)
	}
	u := *i.base
	u.RawQuery = url.Values{"t": {token}}.Encode()
	return u.String(), nil
}

// newID is 16 random bytes in base64url: 22 characters.
func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
