//go:build unix

package mfasession

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
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

// lockPoll is how often a waiting caller tries the lock again.
const lockPoll = 50 * time.Millisecond

// lockFile takes an exclusive lock on path (created 0600), waiting for whoever holds it
// until ctx ends: a caller whose parent gave up (an SDK's 60-second limit) stops waiting
// with it instead of queueing behind the lock. The lock is flock's, so the kernel
// releases it when its holder dies, however it dies.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("%w: another curfew is using it (%w)", ErrLockBusy, context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
}
