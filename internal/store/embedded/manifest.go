package embedded

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The manifest is a dataset's chained record of its cold files
// (docs/format/store.md): DATA/store/<dataset>/manifest.ndjson, one JSON
// entry per line, each naming the SHA-256 of the line before it (prev; 32
// zero bytes for the first). It is append-only: every entry is written and
// fsynced before the change it records is made, so a crash leaves an entry
// whose change did not happen, which the next start settles (abandon, or
// the deletion finished), never a change with no entry.

const manifestName = "manifest.ndjson"

// Manifest entry kinds.
const (
	// entryAdopt takes in the cold files and hot segments a store had when
	// it first ran with a manifest (written before the chain existed).
	entryAdopt = "adopt"
	// entryFreeze records hot segments first..last frozen into files; hot_chain
	// is the hot log's chain after segment last.
	entryFreeze = "freeze"
	// entryAbandon records that freeze entry `abandons` never completed (a
	// crash): its files were removed at the next start, its segments stay hot.
	entryAbandon = "abandon"
	// entryDelete records retention deleting files, with the reason.
	entryDelete = "delete"
)

// manifestEntry is one line of the manifest.
type manifestEntry struct {
	V        int               `json:"v"`
	N        uint64            `json:"n"`
	Prev     chainHash         `json:"prev"`
	Time     time.Time         `json:"time"`
	Kind     string            `json:"kind"`
	First    uint64            `json:"first,omitempty"`
	Last     uint64            `json:"last,omitempty"`
	HotChain *chainHash        `json:"hot_chain,omitempty"`
	Files    []manifestFile    `json:"files,omitempty"`
	Segments []manifestSegment `json:"segments,omitempty"`
	Abandons uint64            `json:"abandons,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	// Problems are the chain breaks a freeze found in the segments it
	// froze: the data was kept, and verify reports them for good.
	Problems []string `json:"problems,omitempty"`
}

// manifestFile is a cold file and its meta as recorded.
type manifestFile struct {
	Path       string    `json:"path"` // relative to the dataset directory, '/'-separated
	Tenant     string    `json:"tenant"`
	Size       int64     `json:"size"`
	SHA256     chainHash `json:"sha256"`
	MetaSize   int64     `json:"meta_size"`
	MetaSHA256 chainHash `json:"meta_sha256"`
	Rows       int64     `json:"rows,omitempty"`
}

// manifestSegment is a hot segment written before the chain, as adopted.
type manifestSegment struct {
	Seq    uint64    `json:"seq"`
	Size   int64     `json:"size"`
	SHA256 chainHash `json:"sha256"`
}

// manifestState is what the manifest's entries add up to.
type manifestState struct {
	n       uint64
	head    chainHash
	entries []*manifestEntry
	byN     map[uint64]*manifestEntry
	// live holds the files that should exist, by path; deleted the files
	// retention deleted and abandoned those of freezes cut short.
	live      map[string]manifestFile
	liveEntry map[string]uint64
	deleted   map[string]uint64
	abandoned map[string]uint64
	// freezes are the freeze entries not abandoned, in order.
	freezes []*manifestEntry
	adopted map[uint64]manifestSegment
	// problems are breaks in the manifest itself; partial is the length
	// of a last line without its newline (an append cut by a crash).
	problems []finding
	partial  int
	size     int64 // bytes of whole lines
	// lean drops the history a running store does not need (entries,
	// deletions, abandoned files, old freezes), so that its memory stays
	// bounded by the live files; verify reads with the whole history.
	lean bool
}

// leanFreezes is how many recent freezes a lean state keeps: the newest
// marked frozen and any after it (at most one freeze runs at a time).
const leanFreezes = 4

func newManifestState() *manifestState {
	return &manifestState{live: map[string]manifestFile{}, liveEntry: map[string]uint64{}, deleted: map[string]uint64{},
		abandoned: map[string]uint64{}, adopted: map[uint64]manifestSegment{}, byN: map[uint64]*manifestEntry{}}
}

// readManifest reads and checks a manifest. A missing file is an empty
// manifest.
func readManifest(path string) (*manifestState, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return newManifestState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	return parseManifest(data), nil
}

// parseManifest checks a manifest's bytes and adds up its entries.
func parseManifest(data []byte) *manifestState {
	st := newManifestState()
	for off := 0; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			st.partial = len(data) - off
			break
		}
		line := data[off : off+end]
		off += end + 1
		st.size = int64(off)
		var e manifestEntry
		if err := json.Unmarshal(line, &e); err != nil {
			st.problem("edited", manifestName, fmt.Sprintf("entry %d is not valid JSON: %v", st.n+1, err))
			st.head = sha256.Sum256(line)
			st.n++
			continue
		}
		if e.V != chainVersion {
			st.problem("edited", manifestName, fmt.Sprintf("entry %d has version %d; this vigil reads version %d", st.n+1, e.V, chainVersion))
		}
		if e.N != st.n+1 {
			st.problem("reordered", manifestName, fmt.Sprintf("entry %d found where entry %d belongs (entries removed or reordered)", e.N, st.n+1))
		} else if e.Prev != st.head {
			st.problem("edited", manifestName, fmt.Sprintf("entry %d does not follow entry %d (an entry edited, removed or reordered)", e.N, st.n))
		}
		st.head = sha256.Sum256(line)
		st.n = e.N
		st.apply(&e)
	}
	return st
}

func (st *manifestState) problem(kind, path, detail string) {
	st.problems = append(st.problems, finding{Kind: kind, Path: path, Detail: detail})
}

func (st *manifestState) apply(e *manifestEntry) {
	ep := e
	if !st.lean {
		st.byN[e.N] = ep
		st.entries = append(st.entries, ep)
	}
	defer st.trim()
	switch e.Kind {
	case entryAdopt, entryFreeze:
		for _, f := range e.Files {
			st.live[f.Path] = f
			st.liveEntry[f.Path] = e.N
			delete(st.deleted, f.Path)
		}
		for _, s := range e.Segments {
			st.adopted[s.Seq] = s
		}
		if e.Kind == entryFreeze {
			st.freezes = append(st.freezes, ep)
			st.byN[e.N] = ep
		}
	case entryAbandon:
		fz := st.byN[e.Abandons]
		if fz == nil || fz.Kind != entryFreeze {
			st.problem("edited", manifestName, fmt.Sprintf("entry %d abandons entry %d, which is not a freeze", e.N, e.Abandons))
			return
		}
		for _, f := range fz.Files {
			delete(st.live, f.Path)
			delete(st.liveEntry, f.Path)
			if !st.lean {
				st.abandoned[f.Path] = e.N
			}
		}
		for i, f := range st.freezes {
			if f == fz {
				st.freezes = append(st.freezes[:i], st.freezes[i+1:]...)
				break
			}
		}
	case entryDelete:
		for _, f := range e.Files {
			delete(st.live, f.Path)
			delete(st.liveEntry, f.Path)
			if !st.lean {
				st.deleted[f.Path] = e.N
			}
		}
	default:
		st.problem("edited", manifestName, fmt.Sprintf("entry %d has unknown kind %q", e.N, e.Kind))
	}
}

// trim drops, in a lean state, what it does not keep.
func (st *manifestState) trim() {
	if !st.lean {
		return
	}
	if n := len(st.freezes); n > leanFreezes {
		for _, f := range st.freezes[:n-leanFreezes] {
			delete(st.byN, f.N)
		}
		st.freezes = append([]*manifestEntry(nil), st.freezes[n-leanFreezes:]...)
	}
}

// committedFreeze returns the newest freeze whose segments are marked
// frozen, or nil.
func (st *manifestState) committedFreeze(frozen uint64) *manifestEntry {
	for i := len(st.freezes) - 1; i >= 0; i-- {
		if st.freezes[i].Last <= frozen {
			return st.freezes[i]
		}
	}
	return nil
}

// hotChainAt returns the hot chain after the newest freeze marked frozen.
func (st *manifestState) hotChainAt(frozen uint64) chainHash {
	if f := st.committedFreeze(frozen); f != nil && f.HotChain != nil {
		return *f.HotChain
	}
	return chainHash{}
}

// manifest is a dataset's open manifest.
type manifest struct {
	path string
	now  func() time.Time

	mu sync.Mutex
	st *manifestState
}

// openManifest reads a dataset's manifest and cuts a partial last line (an
// append a crash cut short: its change was never made).
func openManifest(dir string, now func() time.Time) (*manifest, error) {
	p := filepath.Join(dir, manifestName)
	st, err := readManifest(p)
	if err != nil {
		return nil, err
	}
	if st.partial > 0 {
		if err := os.Truncate(p, st.size); err != nil {
			return nil, fmt.Errorf("cut partial manifest entry: %w", err)
		}
		st.partial = 0
	}
	return &manifest{path: p, now: now, st: st}, nil
}

// empty reports whether the manifest has no entry yet.
func (m *manifest) empty() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.n == 0
}

// append links e to the chain, writes and fsyncs it.
func (m *manifest) append(e *manifestEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.V = chainVersion
	e.N = m.st.n + 1
	e.Prev = m.st.head
	e.Time = m.now().UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("append manifest entry: %w", err)
	}
	created := m.st.n == 0
	f, err := os.OpenFile(m.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("append manifest entry: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && created {
		err = syncDir(filepath.Dir(m.path))
	}
	if err != nil {
		// The line may be partly written: the next start cuts it.
		return fmt.Errorf("append manifest entry: %w", err)
	}
	m.st.head = sha256.Sum256(line)
	m.st.n = e.N
	m.st.size += int64(len(line) + 1)
	m.st.apply(e)
	return nil
}

// recorded returns the recorded file at rel, if it is live.
func (m *manifest) recorded(rel string) (manifestFile, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.st.live[rel]
	return f, ok
}

// fileRecord hashes a cold file and its meta for the manifest.
func fileRecord(datasetDir, path, tenant string, rows int64) (manifestFile, error) {
	rel, err := filepath.Rel(datasetDir, path)
	if err != nil {
		return manifestFile{}, err
	}
	mf := manifestFile{Path: filepath.ToSlash(rel), Tenant: tenant, Rows: rows}
	if mf.Size, mf.SHA256, err = hashFile(path); err != nil {
		return mf, err
	}
	if mf.MetaSize, mf.MetaSHA256, err = hashFile(path + ".meta"); err != nil {
		return mf, err
	}
	return mf, nil
}

func hashFile(path string) (int64, chainHash, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, chainHash{}, fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, chainHash{}, fmt.Errorf("hash %s: %w", path, err)
	}
	var sum chainHash
	h.Sum(sum[:0])
	return n, sum, nil
}

// makeLean drops the history once the start has settled the manifest.
func (m *manifest) makeLean() {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	st.lean = true
	st.entries, st.deleted, st.abandoned = nil, nil, nil
	st.byN = map[uint64]*manifestEntry{}
	for _, f := range st.freezes {
		st.byN[f.N] = f
	}
	st.trim()
}

// snapshot returns a copy of the state's parts a freeze needs.
func (m *manifest) snapshot() *manifestState {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := *m.st
	st.freezes = append([]*manifestEntry(nil), m.st.freezes...)
	st.adopted = make(map[uint64]manifestSegment, len(m.st.adopted))
	for k, v := range m.st.adopted {
		st.adopted[k] = v
	}
	st.live, st.liveEntry, st.deleted, st.abandoned, st.entries, st.byN = nil, nil, nil, nil, nil, nil
	return &st
}

// hotChainAt is manifestState.hotChainAt under the lock.
func (m *manifest) hotChainAt(frozen uint64) chainHash {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.hotChainAt(frozen)
}

func sha256Sum(b []byte) chainHash { return sha256.Sum256(b) }
