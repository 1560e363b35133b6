package snoozelink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Version is the claims' format; a token of another version is refused.
const Version = 1

// MaxToken caps a token's length: a real one is about 300 characters; anything longer is
// refused before it is decoded.
const MaxToken = 1024

// MinKey is the shortest key links are signed with: 32 bytes, HMAC-SHA256's block of
// strength.
const MinKey = 32

// Claims are what a token binds a link to: its id, the account, the night's stop, the
// expiry and the SHA-256 of the link as stored, so that whoever can write the bucket
// cannot change what a token snoozes.
type Claims struct {
	V       int    `json:"v"`
	ID      string `json:"id"`
	Account string `json:"acct"`
	// Stop and Exp are Unix seconds.
	Stop int64  `json:"stop"`
	Exp  int64  `json:"exp"`
	Hash string `json:"h"`
}

// The ways a token is refused.
var (
	ErrMalformed = errors.New("the link is damaged or incomplete")
	ErrSignature = errors.New("the link's signature does not match")
	ErrExpired   = errors.New("the link has expired")
	ErrShortKey  = fmt.Errorf("the signing key is shorter than %d bytes", MinKey)
)

var (
	idPattern      = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	hashPattern    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Sign returns the token of c: base64url(claims JSON) "." base64url(HMAC-SHA256(key,
// the first part)).
func Sign(key []byte, c Claims) (string, error) {
	if len(key) < MinKey {
		return "", ErrShortKey
	}
	if err := c.check(); err != nil {
		return "", err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	part := base64.RawURLEncoding.EncodeToString(body)
	return part + "." + base64.RawURLEncoding.EncodeToString(mac(key, part)), nil
}

// Verify checks token's signature in constant time before it reads anything of the claims,
// then the claims themselves and their expiry at now.
func Verify(key []byte, token string, now time.Time) (Claims, error) {
	if len(key) < MinKey {
		return Claims{}, ErrShortKey
	}
	if len(token) > MaxToken {
		return Claims{}, fmt.Errorf("%w: longer than %d characters", ErrMalformed, MaxToken)
	}
	part, sig, ok := strings.Cut(token, ".")
	if !ok || part == "" {
		return Claims{}, fmt.Errorf("%w: no signature", ErrMalformed)
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return Claims{}, fmt.Errorf("%w: the signature is not 32 bytes of base64url", ErrMalformed)
	}
	if !hmac.Equal(got, mac(key, part)) {
		return Claims{}, ErrSignature
	}
	c, err := decodeClaims(part)
	if err != nil {
		return Claims{}, err
	}
	if !now.Before(time.Unix(c.Exp, 0)) {
		return Claims{}, fmt.Errorf("%w at %s", ErrExpired, time.Unix(c.Exp, 0).UTC().Format(time.RFC3339))
	}
	return c, nil
}

func mac(key []byte, part string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(part))
	return h.Sum(nil)
}

func decodeClaims(part string) (Claims, error) {
	body, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: the claims are not base64url", ErrMalformed)
	}
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.DisallowUnknownFields()
	var c Claims
	if err := d.Decode(&c); err != nil || d.More() {
		return Claims{}, fmt.Errorf("%w: the claims are not its JSON", ErrMalformed)
	}
	return c, c.check()
}

// check refuses claims that no Issuer writes.
func (c Claims) check() error {
	switch {
	case c.V != Version:
		return fmt.Errorf("%w: version %d, want %d", ErrMalformed, c.V, Version)
	case !idPattern.MatchString(c.ID):
		return fmt.Errorf("%w: bad id", ErrMalformed)
	case !accountPattern.MatchString(c.Account):
		return fmt.Errorf("%w: bad account id", ErrMalformed)
	case !hashPattern.MatchString(c.Hash):
		return fmt.Errorf("%w: bad hash", ErrMalformed)
	case c.Stop <= 0 || c.Exp <= 0:
		return fmt.Errorf("%w: no stop or expiry", ErrMalformed)
	}
	return nil
}

// Hash is the SHA-256 of a stored link's bytes, as the claims carry it.
func Hash(stored []byte) string {
	sum := sha256.Sum256(stored)
	return hex.EncodeToString(sum[:])
}
