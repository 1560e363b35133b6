//go:build unix

package mfasession

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A file or directory of another user is refused whatever its mode. (Giving a file away
// needs root, so the owner check is asked with the file's status as another user's.)
func TestOtherUsersFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := *fi.Sys().(*syscall.Stat_t)
	st.Uid = uint32(os.Getuid() + 1)
	err = private(path, othersFile{fi, &st})
	if want := fmt.Sprintf("belongs to user id %d, not to you", os.Getuid()+1); !errors.Is(err, ErrUnsafeCache) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want ErrUnsafeCache saying %q", err, want)
	}
	if err := private(path, fi); err != nil {
		t.Errorf("the user's own 0600 file: %v", err)
	}
}

// othersFile is a file's status with another owner.
type othersFile struct {
	os.FileInfo
	st *syscall.Stat_t
}

func (f othersFile) Sys() any { return f.st }
