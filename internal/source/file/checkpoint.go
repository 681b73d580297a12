package file

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// fileKey identifies a file on its file system.
type fileKey struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// FingerprintBytes is how much of a file's beginning its fingerprint
// covers: enough to hold a timestamp and some text in any log line, so two
// files that share an inode in turn are told apart.
const FingerprintBytes = 1024

// fingerprint is the hash of the first Len bytes of a file.
type fingerprint struct {
	Len int    `json:"fp_len"`
	Sum uint64 `json:"fp"`
}

// readFingerprint hashes the first min(size, FingerprintBytes) bytes.
func readFingerprint(f *os.File, size int64) (fingerprint, error) {
	n := min(size, FingerprintBytes)
	if n <= 0 {
		return fingerprint{}, nil
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return fingerprint{}, fmt.Errorf("read fingerprint of %s: %w", f.Name(), err)
	}
	return fingerprint{Len: int(n), Sum: xxh3.Hash(buf)}, nil
}

// matches reports whether the file still starts with the fingerprinted
// bytes. A file shorter than the fingerprint does not.
func (fp fingerprint) matches(f *os.File) (bool, error) {
	if fp.Len == 0 {
		return true, nil
	}
	buf := make([]byte, fp.Len)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read fingerprint of %s: %w", f.Name(), err)
	}
	return n == fp.Len && xxh3.Hash(buf) == fp.Sum, nil
}

// checkpointEntry is what the checkpoint keeps of one file.
type checkpointEntry struct {
	fileKey
	fingerprint
	// Gen counts the truncations seen; Offset is where reading resumes:
	// every line before it is durable.
	Gen    int    `json:"gen"`
	Offset int64  `json:"offset"`
	Path   string `json:"path"`
}

// checkpointFile is the on-disk form:
//
//	{"version":1,"files":[{"dev":…,"ino":…,"fp_len":…,"fp":…,"gen":…,"offset":…,"path":"…"}]}
type checkpointFile struct {
	Version int               `json:"version"`
	Files   []checkpointEntry `json:"files"`
}

const checkpointName = "checkpoint.json"

// loadCheckpoint reads the checkpoint of dir; a missing file is an empty
// checkpoint.
func loadCheckpoint(dir string) ([]checkpointEntry, error) {
	b, err := os.ReadFile(filepath.Join(dir, checkpointName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var cf checkpointFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", filepath.Join(dir, checkpointName), err)
	}
	if cf.Version != 1 {
		return nil, fmt.Errorf("read checkpoint %s: version %d, want 1", filepath.Join(dir, checkpointName), cf.Version)
	}
	return cf.Files, nil
}

// saveCheckpoint writes the checkpoint atomically: a temporary file,
// fsync, rename over the old one, fsync of the directory.
func saveCheckpoint(dir string, entries []checkpointEntry) error {
	b, err := json.Marshal(checkpointFile{Version: 1, Files: entries})
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, checkpointName), b, 0o600); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}
