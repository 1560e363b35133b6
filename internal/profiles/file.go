package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Update is a planned change of one AWS config file.
type Update struct {
	// Path is the file written: the config file, or the file its symlink points at.
	Path string
	// Old is the file's content now, New its content after the merge.
	Old, New []byte
	exists   bool
	mode     fs.FileMode
}

// Plan reads the config file at path (a missing file is empty) and merges profiles into
// it. Nothing is written.
func Plan(path string, profiles []Profile) (*Update, error) {
	u := &Update{Path: path, mode: 0o600}
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		// Write through a symlink (a dotfiles repository, say) instead of replacing it.
		u.Path = resolved
	}
	info, err := os.Stat(u.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", path)
	default:
		u.exists, u.mode = true, info.Mode().Perm()
		if u.Old, err = os.ReadFile(u.Path); err != nil {
			return nil, err
		}
	}
	if u.New, err = Merge(u.Old, profiles); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// Changed reports whether writing would change the file.
func (u *Update) Changed() bool { return string(u.Old) != string(u.New) }

// Diff is the unified diff of the change, "" when there is none.
func (u *Update) Diff() string { return Diff(u.Path, u.Path+" (curfew)", u.Old, u.New) }

// Write backs the file up next to itself (<file>.curfew-<UTC time>.bak, same mode) and
// then replaces it atomically with the merged content. It returns the backup's path, ""
// when the file did not exist. It writes nothing when nothing changed.
func (u *Update) Write(now time.Time) (backup string, err error) {
	if !u.Changed() {
		return "", nil
	}
	dir := filepath.Dir(u.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if u.exists {
		backup = fmt.Sprintf("%s.curfew-%s.bak", u.Path, now.UTC().Format("20060102T150405Z"))
		if err := writeAtomic(backup, u.Old, u.mode); err != nil {
			return "", fmt.Errorf("back up %s: %w", u.Path, err)
		}
	}
	if err := writeAtomic(u.Path, u.New, u.mode); err != nil {
		return "", fmt.Errorf("write %s: %w", u.Path, err)
	}
	return backup, nil
}

// writeAtomic writes data to a temporary file beside path and renames it over path, so a
// crash leaves either the old file or the new one, never half of it.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
