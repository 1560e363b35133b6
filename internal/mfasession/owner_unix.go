//go:build unix

package mfasession

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ownedByUser fails unless fi belongs to the user running curfew.
func ownedByUser(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("has no owner curfew can read")
	}
	if uid := os.Getuid(); int(st.Uid) != uid {
		return fmt.Errorf("belongs to user id %d, not to you (%d)", st.Uid, uid)
	}
	return nil
}

// openNoFollow opens path for reading, refusing a symbolic link: a link planted in the
// cache directory must not make curfew read (and trust) a file elsewhere.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}

// lockFile takes an exclusive lock on path (created 0600), waiting for whoever holds it.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing releases the lock
}
