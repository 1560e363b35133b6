package mfasession

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// ErrUnsafeCache means a cache file or the cache directory could be read or replaced by
// someone else: it is group- or world-accessible, owned by another user, or not a plain
// file. curfew refuses it, as ssh refuses such a key, rather than use a session another
// user may have copied or planted.
var ErrUnsafeCache = errors.New("unsafe credential cache")

// ErrLockBusy means the cache stayed locked by another curfew until the caller's
// deadline.
var ErrLockBusy = errors.New("the credential cache is busy")

// Cache keeps MFA sessions and assumed-role credentials in files only their user can
// read: mode 0600, in a 0700 directory, each replaced atomically (written to a temporary
// file of the same directory, then renamed over the old one).
type Cache struct{ dir string }

// OpenCache creates dir (0700) when missing and checks that it is the user's own and
// closed to everyone else.
func OpenCache(dir string) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("no cache directory: the system names no user cache directory ($XDG_CACHE_HOME or $HOME)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the credential cache %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory (%s)", ErrUnsafeCache, dir, fi.Mode().Type())
	}
	if err := private(dir, fi); err != nil {
		return nil, err
	}
	return &Cache{dir: dir}, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// entry is one cached set of credentials, with the key it was stored under: a file found
// under another key's name (copied, renamed) is not used.
type entry struct {
	Key             string    `json:"key"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expiration      time.Time `json:"expiration"`
}

// path is the file of key: a digest, so that profile names and ARNs never become paths.
func (c *Cache) path(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	return filepath.Join(c.dir, kind+"-"+hex.EncodeToString(sum[:12])+".json")
}

// load returns the credentials cached under key, and ok false when there are none usable:
// no file, a file that does not parse or belongs to another key, or credentials without
// keys or expiry (such a file is replaced by the next store). A file someone else could
// read or replace is an error.
func (c *Cache) load(kind, key string) (creds aws.Credentials, ok bool, err error) {
	path := c.path(kind, key)
	f, err := openNoFollow(path)
	if errors.Is(err, fs.ErrNotExist) {
		return creds, false, nil
	}
	if err != nil {
		return creds, false, fmt.Errorf("%w: open %s: %w", ErrUnsafeCache, path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return creds, false, err
	}
	if !fi.Mode().IsRegular() {
		return creds, false, fmt.Errorf("%w: %s is not a plain file (%s)", ErrUnsafeCache, path, fi.Mode().Type())
	}
	if err := private(path, fi); err != nil {
		return creds, false, err
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return creds, false, err
	}
	var e entry
	if json.Unmarshal(data, &e) != nil || e.Key != key || e.AccessKeyID == "" || e.SecretAccessKey == "" || e.SessionToken == "" || e.Expiration.IsZero() {
		return creds, false, nil
	}
	return aws.Credentials{
		AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey, SessionToken: e.SessionToken,
		Source: "curfew cache", CanExpire: true, Expires: e.Expiration,
	}, true, nil
}

// store replaces the file of key with creds, atomically: a reader sees the old file or
// the new one, never a part.
func (c *Cache) store(kind, key string, creds aws.Credentials) error {
	data, err := json.Marshal(entry{key, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, creds.Expires.UTC()})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-"+kind+"-*") // created 0600
	if err != nil {
		return fmt.Errorf("cache credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cache credentials: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cache credentials: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cache credentials: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path(kind, key)); err != nil {
		return fmt.Errorf("cache credentials: %w", err)
	}
	return nil
}

// lock serialises the users of the cache: tools start several credential_process runs
// at once (Terraform, one per provider), and without it each would ask for a code, and
// STS refuses a code used twice. The others wait, then find the new session cached.
func (c *Cache) lock(ctx context.Context) (unlock func(), err error) {
	unlock, err = lockFile(ctx, filepath.Join(c.dir, "lock"))
	if err != nil {
		return nil, fmt.Errorf("lock the credential cache: %w", err)
	}
	return unlock, nil
}

// remove forgets key; a missing file is fine.
func (c *Cache) remove(kind, key string) error {
	if err := os.Remove(c.path(kind, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// private fails unless fi (of path) belongs to the user and grants nothing to group or
// others.
func private(path string, fi fs.FileInfo) error {
	if err := ownedByUser(fi); err != nil {
		return fmt.Errorf("%w: %s %w", ErrUnsafeCache, path, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, open to other users (want %04o)", ErrUnsafeCache, path, perm, perm&0o700)
	}
	return nil
}

// Clear removes every cached MFA session and role credentials (curfew logout): the next
// call needs a new MFA code. It returns how many files it removed; files it does not
// know (the lock, anything else) are left.
func (c *Cache) Clear(ctx context.Context) (int, error) {
	unlock, err := c.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || filepath.Ext(name) != ".json" || !(strings.HasPrefix(name, "session-") || strings.HasPrefix(name, "role-")) {
			continue
		}
		if err := os.Remove(filepath.Join(c.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
