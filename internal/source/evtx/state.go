package evtx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// fileState is what the source remembers of one file.
type fileState struct {
	Path string `json:"path"`
	// Size and Hash identify the content: Hash is the XXH3 of the header
	// block and the first chunk, which changes with every record written
	// (the header holds the next record id).
	Size int64  `json:"size"`
	Hash string `json:"hash"`
	// Done: every readable record is durable in the pipeline.
	Done bool `json:"done"`
	// Offset and LastID locate the last record acknowledged (0 if none):
	// an interrupted import resumes after it.
	Offset int64  `json:"offset,omitempty"`
	LastID uint64 `json:"last_id,omitempty"`
	// Records were imported; Problems is the damage found (see the log).
	Records  int64     `json:"records"`
	Problems int       `json:"problems,omitempty"`
	Updated  time.Time `json:"updated"`
}

// stateFile is the on-disk form:
//
//	{"version":1,"files":[{"path":"…","size":…,"hash":"…","done":true,…}]}
type stateFile struct {
	Version int          `json:"version"`
	Files   []*fileState `json:"files"`
}

const stateName = "imported.json"

// identity hashes the header block and first chunk of a file.
func identity(f *os.File, size int64) (string, error) {
	buf := make([]byte, min(size, 4096+65536))
	if _, err := f.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("hash %s: %w", f.Name(), err)
	}
	return strconv.FormatUint(xxh3.Hash(buf), 16), nil
}

// loadState reads the state of dir; a missing file is an empty state.
func loadState(dir string) ([]*fileState, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read evtx state: %w", err)
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("read evtx state %s: %w", filepath.Join(dir, stateName), err)
	}
	if sf.Version != 1 {
		return nil, fmt.Errorf("read evtx state %s: version %d, want 1", filepath.Join(dir, stateName), sf.Version)
	}
	return sf.Files, nil
}

// saveState writes the state atomically: a temporary file, fsync, rename
// over the old one, fsync of the directory.
func saveState(dir string, files []*fileState) error {
	b, err := json.MarshalIndent(stateFile{Version: 1, Files: files}, "", " ")
	if err != nil {
		return fmt.Errorf("save evtx state: %w", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, stateName), b, 0o600); err != nil {
		return fmt.Errorf("save evtx state: %w", err)
	}
	return nil
}
