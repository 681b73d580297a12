package correlate

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/correlate/wire"
	"github.com/vigilsiem/vigil/internal/fsutil"
)

// Persistence (the formats are drawn in docs/format/correlation.md).
//
// The state is a snapshot (correlation.snap) plus a hit log (hits-<seq>.log
// segments). Every hit of a referenced rule is appended to the log, with a
// sequence number, before Process evaluates it — one write(2) per call, no
// fsync: the bytes are in the kernel once Process returns, so a killed
// process (kill -9, a panic, the OOM killer) loses nothing the pipeline
// acknowledged; a power failure can lose the hits since the last snapshot.
// A snapshot is written every SnapshotInterval and at Close: encoded under
// the lock together with a rotation of the log to a new segment, then
// written to a temporary file, fsynced and renamed over the old one, and
// only then are the older segments deleted. At start the snapshot is
// restored and every logged hit with a higher sequence number replayed, in
// order, which rebuilds exactly the state the killed process had.

const (
	snapName    = "correlation.snap"
	snapMagic   = "VGCS\x01"
	segPrefix   = "hits-"
	segSuffix   = ".log"
	maxRecord   = 1 << 20 // one logged hit is far smaller
	maxSnapshot = 8 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt is wrapped by decoding errors of damaged files.
var errCorrupt = errors.New("corrupt correlation state")

// hitLog is the open segment of the hit log.
type hitLog struct {
	dir  string
	f    *os.File
	path string
	buf  []byte
	errs int
}

func segPath(dir string, start uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%s%020d%s", segPrefix, start, segSuffix))
}

// openSegment opens (creating) the segment starting at seq start.
func openSegment(dir string, start uint64) (*hitLog, error) {
	p := segPath(dir, start)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open hit log: %w", err)
	}
	return &hitLog{dir: dir, f: f, path: p}, nil
}

func (l *hitLog) close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// logHits appends hits to the log with their sequence numbers.
func (e *Engine) logHits(hits []Hit) {
	l := e.wal
	l.buf = l.buf[:0]
	for i := range hits {
		if len(e.set.inputs[hits[i].Rule]) == 0 {
			continue
		}
		e.seq++
		l.buf = appendRecord(l.buf, e.seq, &hits[i])
	}
	if len(l.buf) == 0 {
		return
	}
	if _, err := l.f.Write(l.buf); err != nil {
		l.errs++
		if l.errs == 1 || l.errs%1000 == 0 {
			e.log.Error("append to the correlation hit log (these hits are lost if the process dies before the next snapshot)",
				"err", err, "failures", l.errs)
		}
	}
}

func appendRecord(dst []byte, seq uint64, h *Hit) []byte {
	var p []byte
	p = binary.AppendUvarint(p, seq)
	p = appendString(p, h.Rule)
	p = appendString(p, h.Tenant)
	p = binary.AppendVarint(p, h.Time)
	p = appendString(p, h.ID)
	p = binary.AppendUvarint(p, uint64(len(h.Fields)))
	for _, f := range h.Fields {
		p = appendString(p, f.Name)
		p = appendString(p, f.Value)
	}
	dst = binary.AppendUvarint(dst, uint64(len(p)))
	dst = append(dst, p...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(p, castagnoli))
}

// readSegment reads the records of one segment until its end or the first
// damaged record (a write torn by a crash), calling fn for each.
func readSegment(path string, fn func(seq uint64, h Hit)) (torn bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var p []byte
	for {
		n, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil || n > maxRecord {
			return true, nil
		}
		if cap(p) < int(n)+4 {
			p = make([]byte, n+4)
		}
		p = p[:n+4]
		if _, err := io.ReadFull(r, p); err != nil {
			return true, nil
		}
		if crc32.Checksum(p[:n], castagnoli) != binary.LittleEndian.Uint32(p[n:]) {
			return true, nil
		}
		d := decoder{wire.Decoder{B: p[:n], Base: errCorrupt}}
		seq := d.Uvarint()
		h := Hit{Rule: d.Str(), Tenant: d.Str(), Time: d.Varint(), ID: d.Str()}
		nf := d.Count()
		for i := 0; i < nf && d.Err == nil; i++ {
			h.Fields = append(h.Fields, Field{Name: d.Str(), Value: d.Str()})
		}
		if d.Err != nil {
			return true, nil
		}
		fn(seq, h)
	}
}

// segments lists the hit log segments of dir by starting sequence number.
func segments(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, de := range ents {
		n := de.Name()
		if strings.HasPrefix(n, segPrefix) && strings.HasSuffix(n, segSuffix) {
			if _, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(n, segPrefix), segSuffix), 10, 64); err == nil {
				out = append(out, filepath.Join(dir, n))
			}
		}
	}
	sort.Strings(out) // zero-padded: lexical order is numeric order
	return out, nil
}

// restore loads the snapshot, replays the log and starts a new segment.
// It runs before the engine is shared, so it takes no lock.
func (e *Engine) restore() ([]Firing, error) {
	dir := e.opts.Dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("correlation state dir: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, snapName))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read correlation snapshot: %w", err)
	default:
		if err := e.decodeSnapshot(b); err != nil {
			// a damaged snapshot costs the windows, not the service
			e.log.Error("correlation snapshot unreadable; starting with empty windows", "err", err)
			e.tenants, e.keys, e.perRule = map[string]*tenant{}, 0, map[string]int{}
		}
	}
	snapSeq := e.seq
	segs, err := segments(dir)
	if err != nil {
		return nil, fmt.Errorf("list hit log: %w", err)
	}
	var out []Firing
	replayed := 0
	for _, s := range segs {
		torn, err := readSegment(s, func(seq uint64, h Hit) {
			if seq <= snapSeq {
				return
			}
			e.seq = max(e.seq, seq)
			out = e.process([]Hit{h}, out)
			replayed++
		})
		if err != nil {
			return nil, fmt.Errorf("read hit log %s: %w", s, err)
		}
		if torn {
			e.log.Warn("hit log ends in a torn record (a write cut by a crash); the records before it were replayed", "segment", s)
		}
	}
	if e.wal, err = openSegment(dir, e.seq+1); err != nil {
		return nil, err
	}
	e.log.Info("correlation state restored", "groups", e.keys, "tenants", len(e.tenants), "replayed_hits", replayed, "firings", len(out))
	if err := e.Snapshot(); err != nil {
		return nil, err
	}
	return out, nil
}

// Snapshot writes the state to disk atomically and drops the hit log
// segments it covers.
func (e *Engine) Snapshot() error {
	if e.opts.Dir == "" {
		return nil
	}
	e.mu.Lock()
	if e.wal == nil {
		e.mu.Unlock()
		return errors.New("correlation snapshot: the engine is closed")
	}
	// The state goes to the file as it is encoded, not built in memory
	// first: it can be hundreds of MB (docs/correlation.md), and the
	// engine is locked either way while it is encoded.
	f, err := fsutil.CreateAtomic(filepath.Join(e.opts.Dir, snapName), 0o600)
	if err != nil {
		e.mu.Unlock()
		return fmt.Errorf("write correlation snapshot: %w", err)
	}
	defer f.Abort()
	if err := e.writeSnapshot(f); err != nil {
		e.mu.Unlock()
		return fmt.Errorf("write correlation snapshot: %w", err)
	}
	seq := e.seq
	if err := e.wal.close(); err != nil {
		e.log.Error("close hit log segment", "err", err)
	}
	if e.wal, err = openSegment(e.opts.Dir, seq+1); err != nil {
		e.mu.Unlock()
		return err
	}
	next := e.wal.path
	e.mu.Unlock()
	if err := f.Commit(); err != nil {
		return fmt.Errorf("write correlation snapshot: %w", err)
	}
	segs, err := segments(e.opts.Dir)
	if err != nil {
		return fmt.Errorf("list hit log: %w", err)
	}
	for _, s := range segs {
		if s < next {
			if err := os.Remove(s); err != nil && !errors.Is(err, os.ErrNotExist) {
				e.log.Warn("remove hit log segment", "segment", s, "err", err)
			}
		}
	}
	return nil
}

// encodeSnapshot encodes the state; the caller holds the lock.
func (e *Engine) encodeSnapshot() []byte {
	var b bytes.Buffer
	e.writeSnapshot(&b) // a bytes.Buffer takes every write
	return b.Bytes()
}

// writeSnapshot writes the state to w; the caller holds the lock.
func (e *Engine) writeSnapshot(w io.Writer) error {
	st := &decodedState{seq: e.seq}
	names := make([]string, 0, len(e.tenants))
	for n := range e.tenants {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		tn := e.tenants[n]
		ts := tenantState{name: tn.name, wm: tn.wm}
		keys := make([]string, 0, len(tn.corrs))
		for k := range tn.corrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ts.corrs = append(ts.corrs, tn.corrs[k])
		}
		st.tenants = append(st.tenants, ts)
	}
	return writeState(w, st)
}

// encodeState encodes a state in the snapshot format (writeState).
func encodeState(st *decodedState) []byte {
	var b bytes.Buffer
	writeState(&b, st) // a bytes.Buffer takes every write
	return b.Bytes()
}

// snapChunk is how much of a snapshot writeState encodes before writing
// it out: the whole state is never in memory twice.
const snapChunk = 256 << 10

// writeState writes a state in the snapshot format: deterministic for a
// given state, tenants and correlations in the order given, groups least
// recently hit first. It encodes a chunk at a time, checksumming as it
// writes.
func writeState(w io.Writer, st *decodedState) error {
	var crc uint32
	var err error
	flush := func(b []byte) []byte {
		if err == nil && len(b) > 0 {
			crc = crc32.Update(crc, castagnoli, b)
			_, err = w.Write(b)
		}
		return b[:0]
	}
	b := make([]byte, 0, snapChunk+4<<10)
	b = append(b, snapMagic...)
	b = binary.AppendUvarint(b, st.seq)
	b = binary.AppendUvarint(b, uint64(len(st.tenants)))
	for _, ts := range st.tenants {
		b = appendString(b, ts.name)
		b = binary.AppendVarint(b, ts.wm)
		b = binary.AppendUvarint(b, uint64(len(ts.corrs)))
		for _, cs := range ts.corrs {
			b = appendString(b, cs.key)
			b = binary.AppendUvarint(b, uint64(cs.order.n))
			for g := cs.order.head; g != nil; g = g.next {
				b = appendGroup(b, g)
				if len(b) >= snapChunk {
					b = flush(b)
				}
			}
		}
	}
	b = flush(b)
	b = binary.LittleEndian.AppendUint32(b, crc)
	flush(b)
	return err
}

func appendGroup(b []byte, g *group) []byte {
	b = appendString(b, g.key)
	var flags byte
	if g.open {
		flags |= 1
	}
	if g.alert != nil {
		flags |= 2
	}
	b = append(b, flags)
	for _, v := range []int64{g.deadline, g.latest, g.first, g.last, g.n} {
		b = binary.AppendVarint(b, v)
	}
	b = appendEntries(b, g.ents)
	b = appendEntries(b, g.prefix)
	if a := g.alert; a != nil {
		b = appendString(b, a.id)
		for _, v := range []int64{a.first, a.last, a.until, a.value, a.count} {
			b = binary.AppendVarint(b, v)
		}
		b = appendStrings(b, a.eventIDs)
		b = appendStrings(b, a.alertIDs)
	}
	return b
}

func appendEntries(b []byte, ents []entry) []byte {
	if ents == nil {
		return binary.AppendUvarint(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ents))+1)
	for _, en := range ents {
		b = binary.AppendVarint(b, en.t)
		b = binary.AppendUvarint(b, en.h)
		if en.ok {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = appendString(b, en.id)
		b = appendStrings(b, en.ids)
		b = appendStrings(b, en.alerts)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// decodeSnapshot restores a snapshot into the (empty) engine; groups of
// correlations the current set does not have are dropped.
func (e *Engine) decodeSnapshot(b []byte) error {
	st, err := decodeState(b)
	if err != nil {
		return err
	}
	e.seq = st.seq
	dropped := 0
	now := e.opts.Now()
	for _, ts := range st.tenants {
		tn := e.tenant(ts.name)
		tn.wm, tn.wall = ts.wm, now
		for _, cs := range ts.corrs {
			if e.set.byKey[cs.key] == nil {
				dropped += len(cs.groups)
				continue
			}
			// a restored group gets a fresh wall-clock lease
			for g := cs.order.head; g != nil; g = g.next {
				g.touched = now.UnixNano()
			}
			tn.corrs[cs.key] = cs
			e.keys += len(cs.groups)
			e.perRule[cs.key] += len(cs.groups)
		}
	}
	if dropped > 0 {
		e.log.Info("restored correlation state of rules no longer loaded was dropped", "groups", dropped)
	}
	return nil
}

type tenantState struct {
	name  string
	wm    int64
	corrs []*corrState
}

type decodedState struct {
	seq     uint64
	tenants []tenantState
}

// decodeState decodes a snapshot; damaged input gives an error wrapping
// errCorrupt, never a panic.
func decodeState(b []byte) (*decodedState, error) {
	if len(b) > maxSnapshot || len(b) < len(snapMagic)+4 || string(b[:len(snapMagic)]) != snapMagic {
		return nil, fmt.Errorf("%w: not a snapshot (bad magic or size)", errCorrupt)
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	d := decoder{wire.Decoder{B: body[len(snapMagic):], Base: errCorrupt}}
	st := &decodedState{seq: d.Uvarint()}
	nt := d.Count()
	for i := 0; i < nt && d.Err == nil; i++ {
		ts := tenantState{name: d.Str(), wm: d.Varint()}
		nc := d.Count()
		for j := 0; j < nc && d.Err == nil; j++ {
			cs := &corrState{key: d.Str(), groups: map[string]*group{}}
			ng := d.Count()
			gs := make([]*group, 0, ng)
			for k := 0; k < ng && d.Err == nil; k++ {
				g := d.group()
				if d.Err != nil {
					break
				}
				if _, dup := cs.groups[g.key]; dup {
					d.Fail("group %q twice", g.key)
					break
				}
				cs.groups[g.key] = g
				gs = append(gs, g)
			}
			cs.order.build(gs)
			ts.corrs = append(ts.corrs, cs)
		}
		st.tenants = append(st.tenants, ts)
	}
	if d.Err == nil && len(d.B) != 0 {
		d.Fail("%d bytes after the end", len(d.B))
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return st, nil
}

// decoder reads what the append* functions wrote (package wire), and
// the state's own structures.
type decoder struct{ wire.Decoder }

func (d *decoder) strs() []string {
	n := d.Count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && d.Err == nil; i++ {
		out = append(out, d.Str())
	}
	return out
}

func (d *decoder) entries() []entry {
	n := d.Count()
	if n == 0 {
		return nil
	}
	out := make([]entry, 0, n-1)
	for i := 0; i < n-1 && d.Err == nil; i++ {
		en := entry{t: d.Varint(), h: d.Uvarint()}
		en.ok = d.Byte() == 1
		en.id = d.Str()
		en.ids, en.alerts = d.strs(), d.strs()
		out = append(out, en)
	}
	return out
}

func (d *decoder) group() *group {
	g := &group{key: d.Str()}
	flags := d.Byte()
	g.open = flags&1 != 0
	g.deadline, g.latest, g.first, g.last, g.n = d.Varint(), d.Varint(), d.Varint(), d.Varint(), d.Varint()
	g.ents, g.prefix = d.entries(), d.entries()
	if flags&2 != 0 {
		a := &openAlert{id: d.Str()}
		a.first, a.last, a.until, a.value, a.count = d.Varint(), d.Varint(), d.Varint(), d.Varint(), d.Varint()
		a.eventIDs, a.alertIDs = d.strs(), d.strs()
		g.alert = a
	}
	if flags&^3 != 0 {
		d.Fail("unknown group flags %#x", flags)
	}
	return g
}

// Run writes a snapshot every SnapshotInterval and closes quiet tenants'
// windows every second (Tick), passing what fires to emit, until stop is
// closed.
func (e *Engine) Run(stop <-chan struct{}, emit func([]Firing)) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	snap := time.NewTicker(e.opts.SnapshotInterval)
	defer snap.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if fs := e.Tick(); len(fs) > 0 && emit != nil {
				emit(fs)
			}
		case <-snap.C:
			if err := e.Snapshot(); err != nil {
				e.log.Error("correlation snapshot", "err", err)
			}
		}
	}
}
