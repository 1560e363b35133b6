package profiles

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// Write backs the file up next to itself (<file>.curfew-<UTC time>.bak, same mode; a
// -2, -3, ... before .bak when that name is taken, so no backup replaces another) and
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
		if backup, err = writeBackup(u.Path, now, u.Old, u.mode); err != nil {
			return "", fmt.Errorf("back up %s: %w", u.Path, err)
		}
	}
	if err := writeAtomic(u.Path, u.New, u.mode); err != nil {
		return "", fmt.Errorf("write %s: %w", u.Path, err)
	}
	if u.exists {
		if err := pruneBackups(u.Path, KeptBackups); err != nil {
			return backup, fmt.Errorf("remove old backups of %s: %w", u.Path, err)
		}
	}
	return backup, nil
}

// KeptBackups is how many backups of the config file curfew keeps: the oldest (the file
// as it was before curfew first wrote it) and the newest KeptBackups-1.
const KeptBackups = 5

// backupName matches the backups writeBackup names: the UTC second, then -N for the
// second and later backups of that second.
var backupName = regexp.MustCompile(`^\.curfew-(\d{8}T\d{6}Z)(?:-(\d+))?\.bak$`)

// pruneBackups removes path's backups but the oldest and the newest keep-1, in the order
// they were written (second, then number).
func pruneBackups(path string, keep int) error {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return err
	}
	type backup struct {
		name  string
		stamp string
		n     int
	}
	var found []backup
	base := filepath.Base(path)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), base)
		m := backupName.FindStringSubmatch(rest)
		if !ok || m == nil || !e.Type().IsRegular() {
			continue
		}
		n := 1
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
		}
		found = append(found, backup{e.Name(), m[1], n})
	}
	if len(found) <= keep {
		return nil
	}
	slices.SortFunc(found, func(a, b backup) int {
		return cmp.Or(strings.Compare(a.stamp, b.stamp), cmp.Compare(a.n, b.n))
	})
	var errs []error
	for _, b := range found[1 : len(found)-(keep-1)] {
		if err := os.Remove(filepath.Join(filepath.Dir(path), b.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// maxBackups bounds the numbered names tried for one second's backup.
const maxBackups = 100

// writeBackup writes data to the first free name of path's backups for now. Two runs in
// the same second (a script, a retry) would otherwise share a name, and the second
// backup would replace the first: the one holding the file as it was before curfew.
// The name is claimed with O_EXCL, so even concurrent runs never share one.
func writeBackup(path string, now time.Time, data []byte, mode fs.FileMode) (string, error) {
	stamp := now.UTC().Format("20060102T150405Z")
	for n := 1; n <= maxBackups; n++ {
		name := fmt.Sprintf("%s.curfew-%s.bak", path, stamp)
		if n > 1 {
			name = fmt.Sprintf("%s.curfew-%s-%d.bak", path, stamp, n)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := writeAndSync(f, data, mode); err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("%d backups of %s for %s already exist; remove old ones", maxBackups, path, stamp)
}

// writeAndSync writes data to f, sets its mode (the umask may have narrowed it), flushes
// it to disk and closes it.
func writeAndSync(f *os.File, data []byte, mode fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeAtomic writes data to a temporary file beside path and renames it over path, so a
// crash leaves either the old file or the new one, never half of it.
func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeAndSync(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
