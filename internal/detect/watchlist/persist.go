package watchlist

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// Persistence: a snapshot (watchlists.snap) and an operation log
// (watchlists.log), both JSON lines of the same records:
//
//	{"op":"list","t":tenant,"l":name,"s":{settings},"c":created,"u":updated}
//	{"op":"put","t":tenant,"l":name,"e":{entry as the API shows it}}
//	{"op":"del","t":tenant,"l":name,"k":normalised key}
//	{"op":"dlist","t":tenant,"l":name}
//
// Every record states the full new state of what it names (a count after
// an increment, not the increment), so replaying a record twice changes
// nothing, and replaying the log over a snapshot taken at its end gives
// the snapshot. At start the snapshot is loaded and the log replayed; a
// torn last line (a crash mid-write) is skipped. When the log outgrows
// compactBytes and twice the snapshot, the state is written as a new
// snapshot (temporary file, fsync, rename) and the log truncated.
//
// Why not the DuckDB store: watch-lists are read on the detection hot
// path (a map lookup, not a query), written by rules at event rate in
// small updates, and needed where no store runs (vigil hunt, rule tests);
// and package detect must not link DuckDB (DESIGN §10: link time). A log
// of small JSON records is cheap to append, easy to inspect and to repair.

const (
	snapFile     = "watchlists.snap"
	logFile      = "watchlists.log"
	compactBytes = 16 << 20
)

type record struct {
	Op      string    `json:"op"`
	Tenant  string    `json:"t"`
	List    string    `json:"l"`
	Set     *Settings `json:"s,omitempty"`
	Created time.Time `json:"c,omitzero"`
	Updated time.Time `json:"u,omitzero"`
	Entry   *Entry    `json:"e,omitempty"`
	Key     string    `json:"k,omitempty"`
	// Replication (replica.go): "rop" is an op applied (Own: written
	// here; else read from partition P at offset O), "pend" an op of this
	// node not read back yet, "offs" a record skipped at P/O.
	Rep  *Op    `json:"r,omitempty"`
	Own  bool   `json:"own,omitempty"`
	Part *int32 `json:"p,omitempty"`
	Off  int64  `json:"o,omitempty"`
}

type opLog struct {
	f        *os.File
	w        *bufio.Writer
	size     int64
	snapSize int64
	dirty    bool // written since the last fsync
	err      error
}

func (s *Store) append(r record) {
	if s.ops == nil {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		s.ops.err = fmt.Errorf("encode watch-list record: %w", err)
		return
	}
	b = append(b, '\n')
	if _, err := s.ops.w.Write(b); err != nil && s.ops.err == nil {
		s.ops.err = err
	}
	s.ops.size += int64(len(b))
	s.ops.dirty = true
}

func (s *Store) logList(l *list) {
	set := l.info.Settings
	s.append(record{Op: "list", Tenant: l.info.Tenant, List: l.info.Name, Set: &set, Created: l.info.Created, Updated: l.info.Updated})
}

func (s *Store) logEntry(l *list, e *Entry) {
	c := *e
	s.append(record{Op: "put", Tenant: l.info.Tenant, List: l.info.Name, Entry: &c})
}

func (s *Store) logDelete(l *list, nk string) {
	s.append(record{Op: "del", Tenant: l.info.Tenant, List: l.info.Name, Key: nk})
}

func (s *Store) logDeleteList(tenant, name string) {
	s.append(record{Op: "dlist", Tenant: tenant, List: name})
}

// apply replays one record; the caller holds the write lock (or owns the
// store).
func (s *Store) apply(r record) error {
	switch r.Op {
	case "rop", "pend", "offs":
		return s.applyRecordOp(r)
	}
	if r.Tenant == "" || validName(r.List) != nil {
		return fmt.Errorf("record names no valid tenant and list")
	}
	k := listKey{r.Tenant, r.List}
	switch r.Op {
	case "list":
		l := s.lists[k]
		if l == nil {
			l = &list{entries: map[string]*Entry{}}
			s.lists[k] = l
		}
		l.info = Info{Tenant: r.Tenant, Name: r.List, Created: r.Created, Updated: r.Updated}
		if r.Set != nil {
			l.info.Settings = *r.Set
		}
	case "put":
		if r.Entry == nil || validKey(r.Entry.Key) != nil {
			return fmt.Errorf("put record without a valid entry")
		}
		l := s.lists[k]
		if l == nil {
			l = &list{info: Info{Tenant: r.Tenant, Name: r.List, Created: r.Entry.Created, Updated: r.Entry.Updated}, entries: map[string]*Entry{}}
			s.lists[k] = l
		}
		e := *r.Entry
		l.entries[normKey(e.Key)] = &e
	case "del":
		if l := s.lists[k]; l != nil {
			delete(l.entries, r.Key)
		}
	case "dlist":
		delete(s.lists, k)
	default:
		return fmt.Errorf("unknown op %q", r.Op)
	}
	return nil
}

// replay applies the records of a file; a damaged line is skipped and
// counted.
func (s *Store) replay(path string) (n, bad int, size int64, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, 0, nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	for {
		line, err := r.ReadBytes('\n')
		size += int64(len(line))
		if len(bytes.TrimSpace(line)) > 0 {
			var rec record
			if jerr := json.Unmarshal(line, &rec); jerr != nil || s.apply(rec) != nil {
				bad++
			} else {
				n++
			}
		}
		if errors.Is(err, io.EOF) {
			return n, bad, size, nil
		}
		if err != nil {
			return n, bad, size, err
		}
	}
}

func (s *Store) restore() error {
	if err := os.MkdirAll(s.opts.Dir, 0o755); err != nil {
		return fmt.Errorf("watch-list dir: %w", err)
	}
	sn, sbad, ssize, err := s.replay(filepath.Join(s.opts.Dir, snapFile))
	if err != nil {
		return fmt.Errorf("read watch-list snapshot: %w", err)
	}
	ln, lbad, lsize, err := s.replay(filepath.Join(s.opts.Dir, logFile))
	if err != nil {
		return fmt.Errorf("read watch-list log: %w", err)
	}
	if sbad+lbad > 0 {
		s.log.Warn("watch-list records skipped as unreadable (a torn last line after a crash is expected)", "snapshot", sbad, "log", lbad)
	}
	f, err := os.OpenFile(filepath.Join(s.opts.Dir, logFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open watch-list log: %w", err)
	}
	s.ops = &opLog{f: f, w: bufio.NewWriterSize(f, 64<<10), size: lsize, snapSize: ssize}
	s.log.Info("watch-lists restored", "lists", len(s.lists), "entries", s.count(), "records", sn+ln)
	return nil
}

// Flush hands the records written so far to the kernel (no fsync): once
// it returns they survive a killed process. The detection engine calls it
// after every batch.
//
// On a node with a bus it then waits until the brokers acknowledged the
// ops published so far, so that a batch's writes are on the bus before
// its events are acknowledged.
func (s *Store) Flush() error {
	s.mu.Lock()
	err := s.flushLocked()
	s.mu.Unlock()
	return errors.Join(err, s.waitPublished())
}

func (s *Store) flushLocked() error {
	if s.ops == nil {
		return nil
	}
	if err := s.ops.w.Flush(); err != nil && s.ops.err == nil {
		s.ops.err = err
	}
	err := s.ops.err
	s.ops.err = nil
	if err != nil {
		return fmt.Errorf("write watch-list log: %w", err)
	}
	return nil
}

// sync makes the records written so far durable (flush and fsync) and,
// on a node with a bus, waits until the brokers acknowledged the ops
// published so far; the API's writes return after it.
func (s *Store) sync() error {
	return errors.Join(s.syncDisk(), s.waitPublished())
}

func (s *Store) syncDisk() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncLocked()
}

func (s *Store) syncLocked() error {
	if s.ops == nil {
		return nil
	}
	if err := s.flushLocked(); err != nil {
		return err
	}
	if !s.ops.dirty {
		return nil
	}
	if err := s.ops.f.Sync(); err != nil {
		return fmt.Errorf("sync watch-list log: %w", err)
	}
	s.ops.dirty = false
	if s.ops.size > compactBytes && s.ops.size > 2*s.ops.snapSize {
		return s.compactLocked()
	}
	return nil
}

// compactLocked writes the state as a new snapshot and empties the log.
func (s *Store) compactLocked() error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, l := range s.lists {
		set := l.info.Settings
		if err := enc.Encode(record{Op: "list", Tenant: l.info.Tenant, List: l.info.Name, Set: &set, Created: l.info.Created, Updated: l.info.Updated}); err != nil {
			return err
		}
		now := s.opts.Now()
		for _, e := range l.entries {
			if e.expired(now) {
				continue
			}
			c := *e
			if err := enc.Encode(record{Op: "put", Tenant: l.info.Tenant, List: l.info.Name, Entry: &c}); err != nil {
				return err
			}
		}
	}
	for _, o := range s.rep.pendingOps {
		if err := enc.Encode(record{Op: "pend", Rep: o}); err != nil {
			return err
		}
	}
	for p, off := range s.rep.offsets {
		if err := enc.Encode(record{Op: "offs", Part: &p, Off: off - 1}); err != nil {
			return err
		}
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(s.opts.Dir, snapFile), buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write watch-list snapshot: %w", err)
	}
	// the snapshot holds everything the log does: empty the log
	if err := s.ops.f.Truncate(0); err != nil {
		return fmt.Errorf("truncate watch-list log: %w", err)
	}
	if err := s.ops.f.Sync(); err != nil {
		return fmt.Errorf("sync watch-list log: %w", err)
	}
	s.ops.size, s.ops.snapSize = 0, int64(buf.Len())
	return nil
}

// Compact writes a snapshot and empties the log now.
func (s *Store) Compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops == nil {
		return nil
	}
	if err := s.flushLocked(); err != nil {
		return err
	}
	return s.compactLocked()
}

// Run fsyncs what rules wrote every SyncInterval and deletes expired
// entries every DefaultSweepInterval, until stop is closed.
func (s *Store) Run(stop <-chan struct{}) {
	syncT := time.NewTicker(s.opts.SyncInterval)
	defer syncT.Stop()
	sweep := time.NewTicker(DefaultSweepInterval)
	defer sweep.Stop()
	for {
		select {
		case <-stop:
			return
		case <-syncT.C:
			if err := s.syncDisk(); err != nil {
				s.log.Error("watch-list log", "err", err)
			}
		case <-sweep.C:
			s.Sweep()
		}
	}
}

// Close makes everything durable and closes the log.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops == nil {
		return nil
	}
	err := s.syncLocked()
	if cerr := s.ops.f.Close(); err == nil {
		err = cerr
	}
	s.ops = nil
	return err
}
