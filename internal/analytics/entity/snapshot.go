package entity

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/vigilsiem/vigil/internal/fsutil"
)

// The snapshot file (docs/format/baselines.md): zstd-compressed NDJSON, a
// header line, one line per tenant clock, per peer table and per entity,
// and an end line with the count of the lines before it. Written to a
// temporary file, synced and renamed over the old one, so a crash leaves
// the old or the new snapshot, never half of one. zstd at its fastest
// level: the rate histories are mostly runs of one byte, and the file is
// about a tenth of the JSON.
const (
	snapshotFile    = "baselines.ndjson.zst"
	snapshotFormat  = "vigil-baselines"
	snapshotVersion = 1
	// maxSnapshotLine bounds one line read back (an entity with MaxValues
	// values of maxValueLen bytes in each of its analytics stays far below).
	maxSnapshotLine = 64 << 20
	// maxSnapshotMemory bounds what the zstd decoder may allocate for its
	// window: a hostile file cannot make it take more.
	maxSnapshotMemory = 256 << 20
)

type snapHeader struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Written time.Time `json:"written"`
}

type snapLine struct {
	Clock  *snapClock  `json:"clock,omitempty"`
	Peers  *snapPeers  `json:"peers,omitempty"`
	Entity *snapEntity `json:"entity,omitempty"`
	End    *int64      `json:"end,omitempty"`
}

type snapClock struct {
	Tenant string `json:"tenant"`
	T      int64  `json:"t"`
}

type snapPeers struct {
	Tenant   string               `json:"tenant"`
	Analytic string               `json:"analytic"`
	Values   map[string]*peerStat `json:"values"`
}

type snapEntity struct {
	Tenant string `json:"tenant"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	First  int64  `json:"first"`
	Seen   int64  `json:"seen"`
	// States by analytic name; each holds one of the kinds.
	States map[string]snapState `json:"states,omitempty"`
	Risk   *riskState           `json:"risk,omitempty"`
}

type snapState struct {
	Values *valuesState `json:"values,omitempty"`
	Rate   *rateState   `json:"rate,omitempty"`
	Travel *travelState `json:"travel,omitempty"`
}

func (e *Engine) snapshotPath() string { return filepath.Join(e.opts.Dir, snapshotFile) }

// Snapshot writes the baselines to Dir (nothing without one, and nothing
// when no event or alert came since the last snapshot).
func (e *Engine) Snapshot() error {
	if e.opts.Dir == "" {
		return nil
	}
	<-e.ready // never write over the last snapshot before it is read
	e.snapMu.Lock()
	defer e.snapMu.Unlock()
	changes := e.changes.Load()
	if changes == e.saved {
		return nil
	}
	if err := os.MkdirAll(e.opts.Dir, 0o700); err != nil {
		return fmt.Errorf("write baselines: %w", err)
	}
	tmp := e.snapshotPath() + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write baselines: %w", err)
	}
	defer os.Remove(tmp)
	zw, err := zstd.NewWriter(f, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		f.Close()
		return fmt.Errorf("write baselines: %w", err)
	}
	w := bufio.NewWriterSize(zw, 1<<20)
	if err := e.encode(w); err != nil {
		zw.Close()
		f.Close()
		return fmt.Errorf("write baselines: %w", err)
	}
	if err := w.Flush(); err != nil {
		zw.Close()
		f.Close()
		return fmt.Errorf("write baselines: %w", err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("write baselines: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write baselines: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write baselines: %w", err)
	}
	if err := os.Rename(tmp, e.snapshotPath()); err != nil {
		return fmt.Errorf("write baselines: %w", err)
	}
	if err := fsutil.SyncDir(e.opts.Dir); err != nil {
		return fmt.Errorf("write baselines: %w", err)
	}
	e.saved = changes
	return nil
}

func (e *Engine) encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(snapHeader{Format: snapshotFormat, Version: snapshotVersion, Written: time.Now().UTC()}); err != nil {
		return err
	}
	var n int64
	put := func(l snapLine) error { n++; return enc.Encode(l) }
	e.clockMu.Lock()
	clocks := make([]snapClock, 0, len(e.clocks))
	for t, c := range e.clocks {
		clocks = append(clocks, snapClock{Tenant: t, T: c})
	}
	e.clockMu.Unlock()
	for i := range clocks {
		if err := put(snapLine{Clock: &clocks[i]}); err != nil {
			return err
		}
	}
	e.peersMu.Lock()
	var peers []snapPeers
	for k, m := range e.peers {
		tenant, name, _ := cutNul(k)
		vals := make(map[string]*peerStat, len(m))
		for v, p := range m {
			c := *p
			vals[v] = &c
		}
		peers = append(peers, snapPeers{Tenant: tenant, Analytic: name, Values: vals})
	}
	e.peersMu.Unlock()
	for i := range peers {
		if err := put(snapLine{Peers: &peers[i]}); err != nil {
			return err
		}
	}
	var hist []byte
	for i := range e.shards {
		sh := &e.shards[i]
		sh.mu.Lock()
		for _, en := range sh.m {
			if err := put(snapLine{Entity: e.snapEntity(en, &hist)}); err != nil {
				sh.mu.Unlock()
				return err
			}
		}
		sh.mu.Unlock()
	}
	return enc.Encode(snapLine{End: &n})
}

func cutNul(k string) (string, string, bool) {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return k[:i], k[i+1:], true
		}
	}
	return k, "", false
}

// snapEntity is the line of an entity; hist is room for its sparse rate
// histories written dense, reused for the next entity once this one is
// written.
func (e *Engine) snapEntity(en *entity, hist *[]byte) *snapEntity {
	*hist = (*hist)[:0]
	tenant, typ, name := splitKey(en.key)
	s := &snapEntity{Tenant: tenant, Type: typ, Name: name, First: en.first, Seen: en.seen, Risk: en.risk}
	for _, sl := range en.states {
		if s.States == nil {
			s.States = map[string]snapState{}
		}
		var st snapState
		switch v := sl.st.(type) {
		case *valuesState:
			st.Values = v
		case *rateState:
			st.Rate = v
			if v.Hist == nil && v.rec {
				c := *v // written dense, as before: the sparse form is in memory only
				n := len(*hist)
				*hist = v.appendDense(*hist)
				c.Hist = (*hist)[n:len(*hist):len(*hist)]
				st.Rate = &c
			}
		case *travelState:
			st.Travel = v
		}
		s.States[e.analytics[sl.a].cfg.Name] = st
	}
	return s
}

// load reads the snapshot in Dir, if there is one, and returns the number
// of entities read. A snapshot that cannot be read is renamed aside (.bad)
// and the baselines start empty: they are learned again from the events,
// which are kept elsewhere.
func (e *Engine) load() (int, error) {
	f, err := os.Open(e.snapshotPath())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read baselines: %w", err)
	}
	defer f.Close()
	var n int
	zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxSnapshotMemory))
	if err == nil {
		n, err = e.decode(zr)
		zr.Close()
	}
	if err != nil {
		f.Close()
		bad := e.snapshotPath() + ".bad"
		e.log.Error("baselines snapshot unreadable; starting with empty baselines", "path", e.snapshotPath(), "moved_to", bad, "err", err)
		e.reset()
		if err := os.Rename(e.snapshotPath(), bad); err != nil {
			return 0, fmt.Errorf("move unreadable baselines aside: %w", err)
		}
		return 0, nil
	}
	return n, nil
}

func (e *Engine) reset() {
	for i := range e.shards {
		sh := &e.shards[i]
		sh.mu.Lock()
		sh.m = map[string]*entity{}
		sh.mu.Unlock()
	}
	e.peersMu.Lock()
	e.peers = map[string]map[string]*peerStat{}
	e.peersMu.Unlock()
	e.clockMu.Lock()
	e.clocks = map[string]int64{}
	e.clockMu.Unlock()
}

func (e *Engine) decode(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxSnapshotLine)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("empty file")
	}
	var h snapHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != snapshotFormat {
		return 0, fmt.Errorf("not a baselines snapshot: %.80q", sc.Text())
	}
	if h.Version != snapshotVersion {
		return 0, fmt.Errorf("baselines snapshot version %d: this build reads %d", h.Version, snapshotVersion)
	}
	byName := map[string]*analytic{}
	for _, a := range e.analytics {
		byName[a.cfg.Name] = a
	}
	var lines int64
	entities := 0
	var key []byte
	for sc.Scan() {
		var l snapLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return 0, fmt.Errorf("line %d: %w", lines+2, err)
		}
		switch {
		case l.End != nil:
			if *l.End != lines {
				return 0, fmt.Errorf("end line counts %d lines, the file has %d", *l.End, lines)
			}
			return entities, nil
		case l.Clock != nil:
			e.tick(l.Clock.Tenant, l.Clock.T)
		case l.Peers != nil:
			if byName[l.Peers.Analytic] != nil && len(l.Peers.Values) <= maxPeerValues {
				e.peersMu.Lock()
				e.peers[l.Peers.Tenant+"\x00"+l.Peers.Analytic] = l.Peers.Values
				e.peersMu.Unlock()
			}
		case l.Entity != nil:
			s := l.Entity
			key = appendKey(key[:0], s.Tenant, s.Type, s.Name)
			sh := e.shardOf(key)
			sh.mu.Lock() // Stats may look while the snapshot is read
			en := e.get(sh, key, s.Seen)
			en.first = s.First
			if s.Risk != nil && len(s.Risk.Contrib) <= maxContributions {
				en.risk = s.Risk
			}
			for name, st := range s.States {
				a := byName[name]
				if a == nil || a.cfg.Entity != s.Type {
					continue // an analytic no longer configured
				}
				var v any
				switch {
				case st.Values != nil && (a.kind == kindFirstSeen || a.kind == kindRarity):
					if len(st.Values.Vals) > e.maxValues {
						st.Values.Vals = st.Values.Vals[:e.maxValues]
					}
					v = st.Values
				case st.Rate != nil && a.kind == kindRate:
					if st.Rate.Hist != nil && len(st.Rate.Hist) != 168*rateWeeks {
						return 0, fmt.Errorf("entity %s: rate %s: %d history bytes, want %d", s.Name, name, len(st.Rate.Hist), 168*rateWeeks)
					}
					st.Rate.compact()
					v = st.Rate
				case st.Travel != nil && a.kind == kindTravel:
					v = st.Travel
				default:
					continue
				}
				en.states = append(en.states, slot{a: uint16(a.idx), st: v})
			}
			sh.mu.Unlock()
			entities++
		}
		lines++
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no end line: the file is truncated")
}

// Run writes the baselines every SnapshotInterval until ctx ends.
func (e *Engine) Run(ctx context.Context) {
	if e.opts.Dir == "" {
		return
	}
	t := time.NewTicker(e.opts.Config.SnapshotInterval.D())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.Snapshot(); err != nil {
				e.log.Error("snapshot baselines", "err", err)
			}
		}
	}
}

// Close writes the baselines a last time.
func (e *Engine) Close() error { return e.Snapshot() }
