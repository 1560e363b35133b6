package snoozelink

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// stop is a Monday's 20:00 in Madrid; the tests' key is 32 fixed bytes.
var (
	stop    = time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	testKey = bytes.Repeat([]byte{7}, MinKey)
)

func testClaims() Claims {
	return Claims{V: Version, ID: "AAAAAAAAAAAAAAAAAAAAAA", Account: "900000000001", Stop: stop.Unix(), Exp: stop.Unix(), Hash: strings.Repeat("ab", 32)}
}

func sign(t *testing.T, key []byte, c Claims) string {
	t.Helper()
	token, err := Sign(key, c)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestTokenRoundTrip(t *testing.T) {
	token := sign(t, testKey, testClaims())
	if len(token) > 400 {
		t.Errorf("token is %d characters: a link should stay short", len(token))
	}
	got, err := Verify(testKey, token, stop.Add(-30*time.Minute))
	if err != nil || got != testClaims() {
		t.Errorf("Verify = %+v, %v; want %+v", got, err, testClaims())
	}
}

// resign replaces the claims part of a token by edit's and keeps the original signature:
// what an attacker who cannot sign can do.
func resign(t *testing.T, token string, edit func(*Claims)) string {
	t.Helper()
	part, sig, _ := strings.Cut(token, ".")
	body, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatal(err)
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	edit(&c)
	body, _ = json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(body) + "." + sig
}

// The attacker's questions: every token below is refused, for the reason given.
func TestTokenAttacks(t *testing.T) {
	token := sign(t, testKey, testClaims())
	before := stop.Add(-30 * time.Minute)
	otherKey := bytes.Repeat([]byte{8}, MinKey)
	part, sig, _ := strings.Cut(token, ".")
	rawSig, _ := base64.RawURLEncoding.DecodeString(sig)
	flipped := bytes.Clone(rawSig)
	flipped[len(flipped)-1] ^= 1
	lastNight := testClaims()
	lastNight.Stop, lastNight.Exp = stop.Add(-24*time.Hour).Unix(), stop.Add(-24*time.Hour).Unix()
	tests := []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"forged with another key", sign(t, otherKey, testClaims()), before, ErrSignature},
		{"a wrong MAC of the right length", part + "." + base64.RawURLEncoding.EncodeToString(flipped), before, ErrSignature},
		{"account altered", resign(t, token, func(c *Claims) { c.Account = "900000000002" }), before, ErrSignature},
		{"id altered", resign(t, token, func(c *Claims) { c.ID = "BBBBBBBBBBBBBBBBBBBBBB" }), before, ErrSignature},
		{"stop altered", resign(t, token, func(c *Claims) { c.Stop += 86400 }), before, ErrSignature},
		{"expiry altered", resign(t, token, func(c *Claims) { c.Exp += 86400 }), stop.Add(time.Hour), ErrSignature},
		{"hash altered", resign(t, token, func(c *Claims) { c.Hash = strings.Repeat("cd", 32) }), before, ErrSignature},
		{"expired at the stop", token, stop, ErrExpired},
		{"expired after", token, stop.Add(time.Minute), ErrExpired},
		{"another night", sign(t, testKey, lastNight), before, ErrExpired},
		{"truncated signature", token[:len(token)-4], before, ErrMalformed},
		{"truncated claims", token[10:], before, ErrSignature},
		{"no signature", part, before, ErrMalformed},
		{"empty", "", before, ErrMalformed},
		{"dot only", ".", before, ErrMalformed},
		{"oversized", token + strings.Repeat("A", MaxToken), before, ErrMalformed},
		{"garbage", "%%%.***", before, ErrMalformed},
		{"two dots", token + ".x", before, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Verify(testKey, tc.token, tc.at); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// Claims that a valid signature covers are still checked: a signed token of another
// version, or with fields no Issuer writes, is refused (a key leaked to a test, say).
func TestSignedButMalformedClaims(t *testing.T) {
	for name, body := range map[string]string{
		"version 2":     `{"v":2,"id":"AAAAAAAAAAAAAAAAAAAAAA","acct":"900000000001","stop":1,"exp":9999999999,"h":"` + strings.Repeat("ab", 32) + `"}`,
		"unknown field": `{"v":1,"id":"AAAAAAAAAAAAAAAAAAAAAA","acct":"900000000001","stop":1,"exp":9999999999,"h":"` + strings.Repeat("ab", 32) + `","all":true}`,
		"short account": `{"v":1,"id":"AAAAAAAAAAAAAAAAAAAAAA","acct":"9001","stop":1,"exp":9999999999,"h":"` + strings.Repeat("ab", 32) + `"}`,
		"not JSON":      `v=1`,
		"trailing data": `{"v":1,"id":"AAAAAAAAAAAAAAAAAAAAAA","acct":"900000000001","stop":1,"exp":9999999999,"h":"` + strings.Repeat("ab", 32) + `"}{}`,
	} {
		part := base64.RawURLEncoding.EncodeToString([]byte(body))
		m := hmac.New(sha256.New, testKey)
		m.Write([]byte(part))
		token := part + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		if _, err := Verify(testKey, token, stop); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, want ErrMalformed", name, err)
		}
	}
}

func TestShortKeyRefused(t *testing.T) {
	short := bytes.Repeat([]byte{7}, MinKey-1)
	if _, err := Sign(short, testClaims()); !errors.Is(err, ErrShortKey) {
		t.Errorf("Sign with a %d-byte key = %v", len(short), err)
	}
	if _, err := Verify(short, sign(t, testKey, testClaims()), stop.Add(-time.Hour)); !errors.Is(err, ErrShortKey) {
		t.Errorf("Verify with a %d-byte key = %v", len(short), err)
	}
	if _, err := NewIssuer(short, nil, "b", "https://x.example/"); !errors.Is(err, ErrShortKey) {
		t.Errorf("NewIssuer with a short key = %v", err)
	}
}

// The signature is compared with hmac.Equal (constant time), and before the claims are
// decoded: read in the source, since timing cannot be asserted reliably.
func TestVerifyComparesInConstantTimeFirst(t *testing.T) {
	src, err := os.ReadFile("token.go")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	fn := text[strings.Index(text, "func Verify("):]
	fn = fn[:strings.Index(fn, "\n}\n")]
	equal, decode := strings.Index(fn, "hmac.Equal("), strings.Index(fn, "decodeClaims(")
	if equal < 0 || decode < 0 || equal > decode {
		t.Errorf("Verify must compare with hmac.Equal before decodeClaims:\n%s", fn)
	}
	if strings.Contains(fn, "bytes.Equal") || strings.Contains(fn, "== string(") {
		t.Error("Verify compares the signature with a non-constant-time comparison")
	}
}
