package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// stateFile is the tracker's saved state under Options.Dir
// (docs/format/sources.md).
const (
	stateFile     = "sources.json"
	formatVersion = 1
)

// savedState is the file: every tracked source.
type savedState struct {
	Version int           `json:"version"`
	Saved   time.Time     `json:"saved"`
	Sources []savedSource `json:"sources"`
}

type savedSource struct {
	Tenant    string    `json:"tenant"`
	Source    string    `json:"source"`
	Host      string    `json:"host"`
	Peer      string    `json:"peer,omitempty"`
	First     time.Time `json:"first"`
	LastSeen  time.Time `json:"last_seen"`
	LastError time.Time `json:"last_error"`
	Batches   int64     `json:"batches"`
	Silent    bool      `json:"silent,omitempty"`
	Dropped   bool      `json:"dropped,omitempty"`
	Failing   bool      `json:"failing,omitempty"`
	// Rings: {"head": unit, "c": [60 counts]}.
	Sec     savedRing `json:"sec"`
	Min     savedRing `json:"min"`
	Hour    savedRing `json:"hour"`
	ErrMin  savedRing `json:"err_min"`
	ErrHour savedRing `json:"err_hour"`
	GapHour savedRing `json:"gap_hour"`
}

type savedRing struct {
	Head int64            `json:"head"`
	C    [ringSize]uint32 `json:"c"`
}

func (r ring) saved() savedRing { return savedRing{Head: r.head, C: r.c} }
func (r savedRing) ring() ring  { return ring{head: r.Head, c: r.C} }

// load reads the saved state, if any. Called from New, before the tracker
// is shared.
func (t *Tracker) load() error {
	path := filepath.Join(t.opts.Dir, stateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read source health state: %w", err)
	}
	var st savedState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("read source health state %s: %w", path, err)
	}
	if st.Version != formatVersion {
		return fmt.Errorf("read source health state %s: version %d, want %d", path, st.Version, formatVersion)
	}
	for _, ss := range st.Sources {
		s := t.lookup(ss.Tenant, ss.Source, ss.Host, ss.Peer)
		if s == nil {
			continue
		}
		s.first, s.lastSeen, s.lastError, s.batches = ss.First, ss.LastSeen, ss.LastError, ss.Batches
		s.silent, s.dropped, s.failing = ss.Silent, ss.Dropped, ss.Failing
		s.sec, s.min, s.hour = ss.Sec.ring(), ss.Min.ring(), ss.Hour.ring()
		s.errMin, s.errHour, s.gapHour = ss.ErrMin.ring(), ss.ErrHour.ring(), ss.GapHour.ring()
	}
	return nil
}

// Save writes every tracked source to Options.Dir (temporary file, fsync,
// rename). Without a Dir it does nothing.
func (t *Tracker) Save() error {
	if t.opts.Dir == "" {
		return nil
	}
	t.mu.Lock()
	st := savedState{Version: formatVersion, Saved: t.now().UTC()}
	for _, ts := range t.tenants {
		for _, s := range ts.sources {
			st.Sources = append(st.Sources, savedSource{Tenant: s.tenant, Source: s.source, Host: s.host, Peer: s.peer,
				First: s.first, LastSeen: s.lastSeen, LastError: s.lastError, Batches: s.batches,
				Silent: s.silent, Dropped: s.dropped, Failing: s.failing,
				Sec: s.sec.saved(), Min: s.min.saved(), Hour: s.hour.saved(),
				ErrMin: s.errMin.saved(), ErrHour: s.errHour.saved(), GapHour: s.gapHour.saved()})
		}
	}
	t.mu.Unlock()
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode source health state: %w", err)
	}
	if err := os.MkdirAll(t.opts.Dir, 0o750); err != nil {
		return fmt.Errorf("save source health state: %w", err)
	}
	path := filepath.Join(t.opts.Dir, stateFile)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("save source health state: %w", err)
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return fmt.Errorf("save source health state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("save source health state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save source health state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save source health state: %w", err)
	}
	return nil
}
