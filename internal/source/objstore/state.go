package objstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// Statuses of a state entry.
const (
	// statusImporting: records 1..Records of the object are durable; the
	// rest is still to be imported.
	statusImporting = "importing"
	// statusImported: every record of the object is durable.
	statusImported = "imported"
	// statusFailed: the object could not be read or decoded (Reason); the
	// records before the failure are durable. It is not tried again unless
	// it changes.
	statusFailed = "failed"
)

// entry is what the state file keeps of one object.
type entry struct {
	Key      string    `json:"key"`
	ETag     string    `json:"etag"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
	Status   string    `json:"status"`
	// Records is the ordinal of the last record such that it and every
	// record before it are durable.
	Records  int64  `json:"records"`
	Attempts int    `json:"attempts,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Finished is set once the bucket's Finisher (move, delete) ran.
	Finished bool      `json:"finished,omitempty"`
	Updated  time.Time `json:"updated"`
}

// same reports whether o is the version of the object the entry is about.
func (e *entry) same(o Object) bool { return e.ETag == o.ETag && e.Size == o.Size }

// stateFile is the on-disk form, DataDir/state/<source>/objects.json:
//
//	{"version":1,"objects":[{"key":…,"etag":…,"size":…,"modified":…,
//	  "status":"importing|imported|failed","records":N,"attempts":N,"reason":"…",
//	  "finished":true,"updated":…}, …]}
type stateFile struct {
	Version int      `json:"version"`
	Objects []*entry `json:"objects"`
}

const stateName = "objects.json"

// loadState reads the state of dir; a missing file is an empty state.
func loadState(dir string) (map[string]*entry, error) {
	p := filepath.Join(dir, stateName)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]*entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read import state: %w", err)
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("read import state %s: %w", p, err)
	}
	if sf.Version != 1 {
		return nil, fmt.Errorf("read import state %s: version %d, want 1", p, sf.Version)
	}
	m := make(map[string]*entry, len(sf.Objects))
	for _, e := range sf.Objects {
		if e == nil || e.Key == "" {
			return nil, fmt.Errorf("read import state %s: an entry without a key", p)
		}
		m[e.Key] = e
	}
	return m, nil
}

// saveState writes the state atomically: a temporary file, fsync, rename
// over the old one, fsync of the directory. entries are copies the caller
// no longer changes.
func saveState(dir string, entries []entry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Key < entries[j].Key })
	sf := stateFile{Version: 1, Objects: make([]*entry, len(entries))}
	for i := range entries {
		sf.Objects[i] = &entries[i]
	}
	b, err := json.Marshal(sf)
	if err != nil {
		return fmt.Errorf("save import state: %w", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, stateName), b, 0o600); err != nil {
		return fmt.Errorf("save import state: %w", err)
	}
	return nil
}
