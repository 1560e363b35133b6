package mfasession

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// bench is an MFA setup against the emulator behind a counting proxy.
type bench struct {
	t       *testing.T
	proxy   *faultproxy.Proxy
	cache   *Cache
	prompts []string
}

func newBench(t *testing.T) *bench {
	t.Helper()
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	cache, err := OpenCache(filepath.Join(t.TempDir(), "curfew"))
	if err != nil {
		t.Fatal(err)
	}
	return &bench{t: t, proxy: proxy, cache: cache}
}

func (b *bench) client(creds aws.Credentials) *sts.Client {
	return sts.New(sts.Options{
		Region:           "eu-west-1",
		BaseEndpoint:     aws.String(b.proxy.URL),
		Credentials:      credentials.StaticCredentialsProvider{Value: creds},
		RetryMaxAttempts: 1,
	})
}

func (b *bench) deps() Deps {
	return Deps{
		Cache: b.cache,
		Now:   clock.Now,
		User:  b.client(aws.Credentials{AccessKeyID: "AKIAALICEEXAMPLE", SecretAccessKey: "alice-secret"}),
		WithSession: func(c aws.Credentials) AssumeRoleAPI {
			return b.client(c)
		},
		Code: func(serial string, _ time.Time) (string, error) {
			b.prompts = append(b.prompts, serial)
			return "123456", nil
		},
	}
}

const serial = "arn:aws:iam::111111111111:mfa/alice"

func request(account string) Request {
	return Request{SourceProfile: "identity", MFASerial: serial, SessionName: "alice", Duration: time.Hour,
		RoleARN: "arn:aws:iam::" + account + ":role/DeveloperAccess"}
}

// get returns the credentials of account's DeveloperAccess and checks with STS that they
// act as that role.
func (b *bench) get(account string) aws.Credentials {
	b.t.Helper()
	creds, err := Credentials(b.t.Context(), request(account), b.deps())
	if err != nil {
		b.t.Fatalf("credentials for %s: %v", account, err)
	}
	id, err := b.client(creds).GetCallerIdentity(b.t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		b.t.Fatal(err)
	}
	if want := "arn:aws:sts::" + account + ":assumed-role/DeveloperAccess/alice"; aws.ToString(id.Arn) != want {
		b.t.Errorf("caller = %s, want %s", aws.ToString(id.Arn), want)
	}
	return creds
}

func (b *bench) count(action string) int { return b.proxy.Count("", "sts", action) }

// One code opens the day's session; every account's role comes from it, and the second
// round is answered from the cache without a prompt or an STS call.
func TestOneCodeForEveryAccount(t *testing.T) {
	b := newBench(t)
	ids := []string{emulator.NewAccountID(), emulator.NewAccountID(), emulator.NewAccountID()}
	for _, id := range ids {
		b.get(id)
	}
	if len(b.prompts) != 1 || b.prompts[0] != serial {
		t.Fatalf("prompts = %q, want one for %s", b.prompts, serial)
	}
	if got := b.count("GetSessionToken"); got != 1 {
		t.Errorf("GetSessionToken calls = %d, want 1", got)
	}
	gst := b.proxy.Calls()[0].Params
	if gst.Get("SerialNumber") != serial || gst.Get("TokenCode") != "123456" || gst.Get("DurationSeconds") != fmt.Sprint(accounts.MFASessionMax.Seconds()) {
		t.Errorf("GetSessionToken params = %v, want the device, the code and %s", gst, accounts.MFASessionMax)
	}
	if got := b.count("AssumeRole"); got != len(ids) {
		t.Errorf("AssumeRole calls = %d, want %d", got, len(ids))
	}
	b.proxy.Clear()
	for _, id := range ids {
		b.get(id)
	}
	if len(b.prompts) != 1 {
		t.Errorf("the second round asked again: prompts = %q", b.prompts)
	}
	if got := b.count("GetSessionToken") + b.count("AssumeRole"); got != 0 {
		t.Errorf("the second round made %d credential calls, want 0 (all cached)", got)
	}
	for _, f := range cacheFiles(t, b.cache) {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", f, fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(b.cache.Dir()); fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory mode %04o, want 0700", fi.Mode().Perm())
	}
}

func cacheFiles(t *testing.T, c *Cache) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(c.Dir(), "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("nothing cached")
	}
	return files
}

// A role session never outlives the MFA session it was assumed from.
func TestRoleSessionEndsWithTheMFASession(t *testing.T) {
	b := newBench(t)
	r := request(emulator.NewAccountID())
	session := aws.Credentials{AccessKeyID: "ASIASESSION", SecretAccessKey: "s", SessionToken: "t", Expires: clock.Now().Add(20 * time.Minute)}
	if err := b.cache.store("session", r.SourceProfile+"\x00"+r.MFASerial, session); err != nil {
		t.Fatal(err)
	}
	creds := b.get(strings.Split(r.RoleARN, ":")[4])
	if len(b.prompts) != 0 {
		t.Errorf("asked for a code with a session of 20 minutes left")
	}
	if d, _ := strconv.Atoi(b.proxy.Calls()[0].Params.Get("DurationSeconds")); d < 900 || d > 1200 {
		t.Errorf("AssumeRole DurationSeconds = %d, want at most the 1200 s the session has left", d)
	}
	if creds.Expires.After(session.Expires.Add(time.Minute)) {
		t.Errorf("role expires %s, after the MFA session (%s)", creds.Expires, session.Expires)
	}
}

// An expired (or nearly expired) cached session asks for the code once, and the new
// session replaces it.
func TestExpiredSessionAsksOnce(t *testing.T) {
	for name, left := range map[string]time.Duration{"expired": -time.Hour, "too short for a role session": 10 * time.Minute} {
		t.Run(name, func(t *testing.T) {
			b := newBench(t)
			r := request(emulator.NewAccountID())
			key := r.SourceProfile + "\x00" + r.MFASerial
			old := aws.Credentials{AccessKeyID: "ASIAOLD", SecretAccessKey: "s", SessionToken: "t", Expires: clock.Now().Add(left)}
			if err := b.cache.store("session", key, old); err != nil {
				t.Fatal(err)
			}
			b.get(strings.Split(r.RoleARN, ":")[4])
			if len(b.prompts) != 1 || b.count("GetSessionToken") != 1 {
				t.Errorf("prompts = %d, GetSessionToken = %d, want 1 and 1", len(b.prompts), b.count("GetSessionToken"))
			}
			got, ok, err := b.cache.load("session", key)
			if err != nil || !ok || got.AccessKeyID == "ASIAOLD" || got.Expires.Before(clock.Now().Add(accounts.MFASessionMax-time.Hour)) {
				t.Errorf("cached session = %+v, %v, %v; want the new day-long one", got, ok, err)
			}
		})
	}
}

// A cached session STS refuses (revoked, expired early) is dropped and the code asked
// once more; a refusal of the new session is reported, not asked again.
func TestRejectedSessionAsksAgainOnce(t *testing.T) {
	b := newBench(t)
	account := emulator.NewAccountID()
	r := request(account)
	valid := aws.Credentials{AccessKeyID: "ASIAREVOKED", SecretAccessKey: "s", SessionToken: "t", Expires: clock.Now().Add(6 * time.Hour)}
	if err := b.cache.store("session", r.SourceProfile+"\x00"+r.MFASerial, valid); err != nil {
		t.Fatal(err)
	}
	b.proxy.Add(faultproxy.Rule{Service: "sts", Action: "AssumeRole", Kind: faultproxy.Error, Code: "ExpiredToken", Times: 1})
	b.get(account)
	if len(b.prompts) != 1 || b.count("AssumeRole") != 2 {
		t.Errorf("prompts = %d, AssumeRole = %d; want one new code and one retry", len(b.prompts), b.count("AssumeRole"))
	}

	b.proxy.Clear()
	b.prompts = nil
	other := request(emulator.NewAccountID())
	b.proxy.Add(faultproxy.Rule{Service: "sts", Action: "AssumeRole", Kind: faultproxy.Error, Code: "ExpiredToken"})
	_, err := Credentials(t.Context(), other, b.deps())
	if err == nil || !strings.Contains(err.Error(), "ExpiredToken") {
		t.Errorf("err = %v, want the refusal reported", err)
	}
	if len(b.prompts) != 1 {
		t.Errorf("prompts = %d, want 1: a refused new session is not asked again", len(b.prompts))
	}
	// A refusal of the request (not of the session) asks nothing.
	b.proxy.Clear()
	b.prompts = nil
	b.proxy.Add(faultproxy.Rule{Service: "sts", Action: "AssumeRole", Kind: faultproxy.Error, Code: "AccessDenied", Status: 403})
	if _, err := Credentials(t.Context(), request(emulator.NewAccountID()), b.deps()); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err = %v, want AccessDenied", err)
	}
	if len(b.prompts) != 0 {
		t.Errorf("AccessDenied with a valid session asked for a code")
	}
}

// A cache file that does not parse, belongs to another key or lacks keys is ignored
// (the code is asked once) and replaced by a good one.
func TestMalformedCacheIsIgnored(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":      "{garbage",
		"empty":         "",
		"another key":   `{"key":"bob\u0000x","accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":"2999-01-01T00:00:00Z"}`,
		"no expiration": `{"key":"identity\u0000` + serial + `","accessKeyId":"A","secretAccessKey":"S","sessionToken":"T"}`,
	} {
		t.Run(name, func(t *testing.T) {
			b := newBench(t)
			r := request(emulator.NewAccountID())
			path := b.cache.path("session", r.SourceProfile+"\x00"+r.MFASerial)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			b.get(strings.Split(r.RoleARN, ":")[4])
			if len(b.prompts) != 1 {
				t.Errorf("prompts = %d, want 1", len(b.prompts))
			}
			if _, ok, err := b.cache.load("session", r.SourceProfile+"\x00"+r.MFASerial); !ok || err != nil {
				t.Errorf("the malformed file was not replaced: %v %v", ok, err)
			}
		})
	}
}

// A cache file or directory another user could read or replace is refused before any
// prompt or STS call, naming the file.
func TestUnsafeCacheIsRefused(t *testing.T) {
	key := "identity\x00" + serial
	tests := []struct {
		name  string
		spoil func(t *testing.T, path string)
		want  string
	}{
		{"readable by the group", func(t *testing.T, path string) { chmod(t, path, 0o640) }, "mode 0640"},
		{"readable by everyone", func(t *testing.T, path string) { chmod(t, path, 0o644) }, "mode 0644"},
		{"a symbolic link", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "planted")
			if err := os.Rename(path, target); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBench(t)
			good := aws.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expires: clock.Now().Add(6 * time.Hour)}
			if err := b.cache.store("session", key, good); err != nil {
				t.Fatal(err)
			}
			path := b.cache.path("session", key)
			tt.spoil(t, path)
			_, err := Credentials(t.Context(), request(emulator.NewAccountID()), b.deps())
			if !errors.Is(err, ErrUnsafeCache) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrUnsafeCache naming %s and %q", err, path, tt.want)
			}
			if len(b.prompts) != 0 || len(b.proxy.Calls()) != 0 {
				t.Errorf("prompts %d, calls %d: an unsafe cache must stop everything", len(b.prompts), len(b.proxy.Calls()))
			}
		})
	}
	t.Run("directory open to others", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "curfew")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		chmod(t, dir, 0o755)
		if _, err := OpenCache(dir); !errors.Is(err, ErrUnsafeCache) || !strings.Contains(err.Error(), "mode 0755") {
			t.Errorf("err = %v, want ErrUnsafeCache for mode 0755", err)
		}
	})
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// Tools start several credential processes at once (Terraform: one per provider); they
// take turns on the cache, so one code serves them all: STS refuses a code used twice.
func TestConcurrentCallersShareOneCode(t *testing.T) {
	b := newBench(t)
	var mu sync.Mutex
	prompts := 0
	deps := b.deps()
	deps.Code = func(string, time.Time) (string, error) {
		mu.Lock()
		prompts++
		mu.Unlock()
		time.Sleep(200 * time.Millisecond) // a person typing
		return "123456", nil
	}
	var g errgroup.Group
	for range 3 {
		account := emulator.NewAccountID()
		g.Go(func() error {
			_, err := Credentials(t.Context(), request(account), deps)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if prompts != 1 || b.count("GetSessionToken") != 1 {
		t.Errorf("prompts = %d, GetSessionToken = %d; want 1 and 1", prompts, b.count("GetSessionToken"))
	}
}

// Without a way to ask (curfew credentials under an SDK) and no session, Credentials
// fails at once with ErrNoSession and makes no STS call; Login opens the session with one
// code, keeps an open one unless forced, and then Credentials needs no code.
func TestNoCodeWithoutLoginAndLoginOpensTheSession(t *testing.T) {
	b := newBench(t)
	account := emulator.NewAccountID()
	noAsk := b.deps()
	noAsk.Code = nil
	if _, err := Credentials(t.Context(), request(account), noAsk); !errors.Is(err, ErrNoSession) {
		t.Fatalf("err = %v, want ErrNoSession", err)
	}
	if n := len(b.proxy.Calls()); n != 0 || len(b.prompts) != 0 {
		t.Errorf("%d STS calls, %d prompts without a session; want none", n, len(b.prompts))
	}
	if _, opened, err := Login(t.Context(), request(account), b.deps(), false); err != nil || !opened {
		t.Fatalf("login: %v, opened %v", err, opened)
	}
	if _, opened, err := Login(t.Context(), request(account), b.deps(), false); err != nil || opened || len(b.prompts) != 1 {
		t.Errorf("a second login: %v, opened %v, prompts %d; want the open session kept", err, opened, len(b.prompts))
	}
	if _, err := Credentials(t.Context(), request(account), noAsk); err != nil {
		t.Errorf("credentials after login: %v", err)
	}
	if _, opened, err := Login(t.Context(), request(account), b.deps(), true); err != nil || !opened || len(b.prompts) != 2 {
		t.Errorf("login --force: %v, opened %v, prompts %d; want a new session", err, opened, len(b.prompts))
	}
	n, err := b.cache.Clear(t.Context())
	if err != nil || n != 2 {
		t.Errorf("Clear removed %d files (%v), want the session and the role's", n, err)
	}
	if _, err := Credentials(t.Context(), request(account), noAsk); !errors.Is(err, ErrNoSession) {
		t.Errorf("after Clear: %v, want ErrNoSession", err)
	}
}

// A caller waits for the cache's lock only as long as its context lasts.
func TestLockWaitEndsWithTheContext(t *testing.T) {
	b := newBench(t)
	unlock, err := b.cache.lock(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Credentials(ctx, request(emulator.NewAccountID()), b.deps())
	if !errors.Is(err, ErrLockBusy) || time.Since(start) > 2*time.Second {
		t.Errorf("err = %v after %s, want ErrLockBusy at the deadline", err, time.Since(start))
	}
}
