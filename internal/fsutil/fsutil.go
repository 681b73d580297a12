// Package fsutil owns the small file-system operations that durability
// rests on and that several packages need: replacing a file atomically and
// durably, and syncing a directory so a rename or a new file survives a
// power loss.
package fsutil

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data so that a reader, or the file
// system after a crash, sees the old content or the new one whole: the data
// goes to a temporary file in the same directory, which is fsynced, renamed
// over path, and the directory fsynced. The directory is created if needed.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := CreateAtomic(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// AtomicFile is WriteFileAtomic for content written in pieces (a
// snapshot too big to build in memory first): writes go to the temporary
// file, Commit puts it in place, Abort (or a failed Commit) removes it.
type AtomicFile struct {
	*os.File
	path string
	perm os.FileMode
	done bool
}

// CreateAtomic starts replacing path; see AtomicFile.
func CreateAtomic(path string, perm os.FileMode) (*AtomicFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &AtomicFile{File: tmp, path: path, perm: perm}, nil
}

// Commit fsyncs what was written, renames it over the path and fsyncs the
// directory.
func (f *AtomicFile) Commit() error {
	if f.done {
		return fmt.Errorf("write %s: committed or aborted already", f.path)
	}
	defer f.Abort()
	if err := f.Chmod(f.perm); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", f.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	f.done = true
	if err := SyncDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// Abort removes the temporary file unless Commit put it in place; it is
// safe to call after Commit (and deferred).
func (f *AtomicFile) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.Close()
	os.Remove(f.Name())
}

// SyncDir fsyncs a directory, making the creation, removal and renaming of
// its entries durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
