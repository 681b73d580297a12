package embedded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// segment is one hot write-ahead file.
type segment struct {
	seq     uint64
	path    string
	size    int64
	info    batchInfo
	created time.Time
	// received is the range of the store's clock at the segment's
	// commits: retention counts from it (zero for a segment written before
	// the chain; its created time stands in).
	receivedMin, receivedMax time.Time
	// tenants are the tenants of the segment's lines; nil for a segment
	// recovered at start (a freeze then reads them from the lines). Only
	// the committer writes it, and only while the segment is open.
	tenants map[string]bool
	// gen is the catalog generation (catalogSnapshot.gen) of the newest
	// catalog any of the segment's lines was encoded with; it is fixed
	// once the segment holds a line, since a batch encoded with a newer
	// catalog goes to a new segment (commit). So a search reads the
	// segments whose gen is at most its catalog's: every key of their
	// lines is a column it knows (relation). 0 for a segment recovered at
	// start, whose lines the loaded catalog all covers.
	gen uint64
}

// hotLog is a dataset's write-ahead log: the open segment, the closed
// segments not yet frozen, and the committer that writes and fsyncs.
//
// Lock order: hotLog.mu is taken alone; the committer never holds it while
// writing or syncing.
type hotLog struct {
	dir          string
	segmentBytes int64
	segmentAge   time.Duration
	now          func() time.Time

	mu   sync.Mutex
	cond *sync.Cond
	// maxBytes bounds the unfrozen bytes (backlogLocked): append waits on
	// room while they are at it, until markFrozen or close (0: no bound).
	maxBytes int64
	room     *sync.Cond
	// waiting counts appends waiting for room.
	waiting int
	pending []byte
	info    batchInfo
	gen     uint64   // the pending lines' newest catalog generation
	tenants []string // of the pending lines, each once per writer
	waiters []chan error
	closed  bool
	failed  error
	// forceRotate asks the committer to seal the open segment after the
	// next commit (sealCurrent).
	forceRotate bool

	// openFile opens a segment for appending; tests replace it to inject
	// write failures (a full disk).
	openFile func(path string) (segmentFile, error)

	// owned by the committer; read under mu by snapshot
	f      segmentFile
	cur    *segment
	sealed []*segment
	frozen uint64 // highest frozen seq
	// head is the chain after the last committed batch; owned by the
	// committer once it runs.
	head chainHash

	done chan struct{}
	// tornBytes counts bytes cut from the tail at start (a crash mid-write).
	tornBytes int64
	// damaged lists, at start, the segments whose batches fail their
	// checksums or chain (a byte changed on disk): the dataset logs them
	// for vigil verify, and the freeze records them in the manifest.
	damaged []string
}

// segmentFile is the open segment as the committer writes it.
type segmentFile interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

func openSegmentFile(path string) (segmentFile, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}

func segName(seq uint64) string { return fmt.Sprintf("seg-%016d.ndjson", seq) }

func parseSegName(name string) (uint64, bool) {
	s, ok := strings.CutPrefix(name, "seg-")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".ndjson")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// openHotLog recovers the segments in dir and starts the committer. head
// is the chain to continue from when no chained segment is left (the one
// the last freeze recorded); chainAt gives it from the frozen mark.
func openHotLog(dir string, segmentBytes, maxBytes int64, segmentAge time.Duration, now func() time.Time, chainAt func(frozen uint64) chainHash) (*hotLog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create hot dir: %w", err)
	}
	h := &hotLog{dir: dir, segmentBytes: segmentBytes, maxBytes: maxBytes, segmentAge: segmentAge, now: now, done: make(chan struct{}), openFile: openSegmentFile}
	h.cond = sync.NewCond(&h.mu)
	h.room = sync.NewCond(&h.mu)
	if b, err := os.ReadFile(filepath.Join(dir, "frozen")); err == nil {
		h.frozen, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read %s/frozen: %w", dir, err)
		}
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("read frozen mark: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list hot dir: %w", err)
	}
	var segs []*segment
	for _, ent := range entries {
		seq, ok := parseSegName(ent.Name())
		if !ok {
			continue
		}
		p := filepath.Join(dir, ent.Name())
		if seq <= h.frozen {
			// Frozen before a crash cut the clean-up short.
			if err := os.Remove(p); err != nil {
				return nil, fmt.Errorf("remove frozen segment: %w", err)
			}
			continue
		}
		st, err := ent.Info()
		if err != nil {
			return nil, err
		}
		if st.Size() == 0 {
			if err := os.Remove(p); err != nil {
				return nil, fmt.Errorf("remove empty segment: %w", err)
			}
			continue
		}
		segs = append(segs, &segment{seq: seq, path: p, size: st.Size(), created: st.ModTime()})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].seq < segs[j].seq })
	h.head = chainAt(h.frozen)
	for i, s := range segs {
		last := i == len(segs)-1
		if err := h.recoverSegment(s, last); err != nil {
			return nil, err
		}
	}
	if n := len(segs); n > 0 && segs[n-1].size == 0 {
		// Only a header was left of the last segment's first batch.
		if err := os.Remove(segs[n-1].path); err != nil {
			return nil, fmt.Errorf("remove empty segment: %w", err)
		}
		segs = segs[:n-1]
	}
	// The head a clean close left is for verify; a running log has none.
	if err := os.Remove(filepath.Join(dir, headName)); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("remove hot head: %w", err)
	}
	if len(segs) > 0 {
		h.sealed = segs
	}
	next := h.frozen + 1
	if len(segs) > 0 {
		next = segs[len(segs)-1].seq + 1
	}
	if err := h.openSegment(next); err != nil {
		return nil, err
	}
	go h.commitLoop()
	return h, nil
}

// recoverSegment scans a segment for its time range and chain and, for the
// last one, cuts a torn tail: in a chained segment everything after the
// last batch trailer (a group commit is acknowledged only once its trailer
// is fsynced with it); in an older one, bytes after the last newline and a
// last line that is not a JSON object. A chain that is broken is left as it
// is, for verify to report.
func (h *hotLog) recoverSegment(s *segment, last bool) error {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("recover segment %d: %w", s.seq, err)
	}
	good := len(data)
	sc := scanSegment(data, s.seq)
	for _, p := range sc.problems {
		h.damaged = append(h.damaged, fmt.Sprintf("segment %d: %s: %s", s.seq, p.Kind, p.Detail))
	}
	if sc.chained {
		if len(sc.problems) == 0 && last {
			good = int(sc.sealed)
			if sc.batches == 0 {
				good = 0
			}
		}
		h.head = sc.head
		s.receivedMin, s.receivedMax = sc.receivedMin, sc.receivedMax
	} else {
		if i := bytes.LastIndexByte(data, '\n'); i+1 != len(data) {
			good = i + 1
		}
		if good > 0 {
			start := bytes.LastIndexByte(data[:good-1], '\n') + 1
			if !json.Valid(data[start : good-1]) {
				good = start
			}
		}
	}
	if good != len(data) {
		if !last {
			return fmt.Errorf("recover segment %d: torn line in a sealed segment (%d bytes after offset %d)", s.seq, len(data)-good, good)
		}
		h.tornBytes += int64(len(data) - good)
		if err := os.Truncate(s.path, int64(good)); err != nil {
			return fmt.Errorf("cut torn tail of segment %d: %w", s.seq, err)
		}
		s.size = int64(good)
	}
	// Time range: the first key of every line is @timestamp.
	var info batchInfo
	for off := 0; off < good; {
		end := bytes.IndexByte(data[off:good], '\n') + off
		line := data[off:end]
		if t, ok := lineTime(line); ok {
			info.add(t)
		}
		off = end + 1
	}
	s.info = info
	return nil
}

func lineTime(line []byte) (time.Time, bool) {
	const prefix = `{"@timestamp":"`
	if !bytes.HasPrefix(line, []byte(prefix)) {
		return time.Time{}, false
	}
	rest := line[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return t, err == nil
}

func (h *hotLog) openSegment(seq uint64) error {
	p := filepath.Join(h.dir, segName(seq))
	f, err := h.openFile(p)
	if err != nil {
		return fmt.Errorf("open segment %d: %w", seq, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		f.Close()
		return err
	}
	if err := syncDir(h.dir); err != nil {
		f.Close()
		return fmt.Errorf("sync hot dir: %w", err)
	}
	h.mu.Lock()
	h.f = f
	var gen uint64
	if h.cur != nil {
		gen = h.cur.gen
	}
	h.cur = &segment{seq: seq, path: p, size: st.Size(), created: h.now(), tenants: map[string]bool{}, gen: gen}
	h.mu.Unlock()
	return nil
}

var errClosed = errors.New("store closed")

// append queues lines for the next commit and waits until they are
// durable. tenants are the lines' tenants; gen is the generation of the
// newest catalog the lines were encoded with. While the unfrozen bytes are
// at maxBytes it first waits for a freeze to make room (hotbound: the
// sources are pushed back instead of the disk filling).
func (h *hotLog) append(lines []byte, info batchInfo, tenants []string, gen uint64) error {
	ch := make(chan error, 1)
	h.mu.Lock()
	for h.maxBytes > 0 && !h.closed && h.backlogLocked() >= h.maxBytes {
		h.waiting++
		h.room.Wait()
		h.waiting--
	}
	if h.closed {
		h.mu.Unlock()
		return errClosed
	}
	h.pending = append(h.pending, lines...)
	h.info.merge(info)
	h.gen = max(h.gen, gen)
	h.tenants = append(h.tenants, tenants...)
	h.waiters = append(h.waiters, ch)
	h.cond.Signal()
	h.mu.Unlock()
	return <-ch
}

func (h *hotLog) commitLoop() {
	defer close(h.done)
	var buf []byte
	for {
		h.mu.Lock()
		for len(h.waiters) == 0 && !h.closed {
			h.cond.Wait()
		}
		if len(h.waiters) == 0 && h.closed {
			h.mu.Unlock()
			return
		}
		buf, h.pending = h.pending, buf[:0]
		info := h.info
		h.info = batchInfo{}
		gen := h.gen
		h.gen = 0
		tenants := h.tenants
		h.tenants = nil
		waiters := h.waiters
		h.waiters = nil
		force := h.forceRotate
		h.forceRotate = false
		h.mu.Unlock()

		err := h.commit(buf, info, tenants, gen, force)
		for _, w := range waiters {
			w <- err
		}
	}
}

// commit writes and fsyncs one group of lines, rotating the segment after
// it when it is full or old, and before it when the group was encoded with
// a newer catalog than the segment's lines (segment.gen). A failed write
// or sync marks the log failed: the file may hold a partial group, so
// nothing more is written until recoverWrites has cut it off, which the
// next commit tries first.
func (h *hotLog) commit(buf []byte, info batchInfo, tenants []string, gen uint64, force bool) error {
	h.mu.Lock()
	failed := h.failed
	h.mu.Unlock()
	if failed != nil {
		if err := h.recoverWrites(); err != nil {
			return fmt.Errorf("%w (recovery: %w)", failed, err)
		}
	}
	if len(buf) > 0 && gen > h.cur.gen {
		if h.cur.size > 0 {
			if err := h.rotate(); err != nil {
				return h.fail(err)
			}
		}
		h.mu.Lock()
		h.cur.gen = gen
		h.mu.Unlock()
	}
	if len(buf) > 0 {
		// The segment header goes with the first batch, so a segment is
		// never a header alone; the trailer seals the batch into the chain.
		var hdr []byte
		if h.cur.size == 0 {
			hdr = appendSegHeader(nil, h.cur.seq, h.head)
		}
		received := h.now()
		t := trailer{Rows: bytes.Count(buf, []byte{'\n'}), Received: received.UnixNano(),
			End: h.cur.size + int64(len(hdr)+len(buf)), Sum: batchSum(buf)}
		t.Chain = nextChain(h.head, t.Sum, h.cur.seq, t.End, t.Rows, t.Received)
		buf = appendTrailer(buf, t)
		if hdr != nil {
			if _, err := h.f.Write(hdr); err != nil {
				return h.fail(fmt.Errorf("write segment %d: %w", h.cur.seq, err))
			}
		}
		if _, err := h.f.Write(buf); err != nil {
			return h.fail(fmt.Errorf("write segment %d: %w", h.cur.seq, err))
		}
		if err := h.f.Sync(); err != nil {
			return h.fail(fmt.Errorf("sync segment %d: %w", h.cur.seq, err))
		}
		for _, t := range tenants {
			h.cur.tenants[t] = true
		}
		h.head = t.Chain
		h.mu.Lock()
		h.cur.size += int64(len(hdr) + len(buf))
		h.cur.info.merge(info)
		if h.cur.receivedMin.IsZero() {
			h.cur.receivedMin = received
		}
		h.cur.receivedMax = received
		h.mu.Unlock()
	}
	if h.cur.size >= h.segmentBytes || (force && h.cur.size > 0) {
		if err := h.rotate(); err != nil {
			return h.fail(err)
		}
	}
	return nil
}

// recoverWrites undoes a failed write so that writing can go on once the
// cause (a full disk) is gone: the open segment is cut back to its
// committed size, synced and reopened. Committed bytes were fsynced before
// the failure, so nothing acknowledged is touched. When the failure was
// opening the next segment, that is tried again. Only the committer calls
// it.
func (h *hotLog) recoverWrites() error {
	h.mu.Lock()
	rotated := len(h.sealed) > 0 && h.sealed[len(h.sealed)-1] == h.cur
	h.mu.Unlock()
	if rotated {
		if err := h.openSegment(h.cur.seq + 1); err != nil {
			return err
		}
	} else {
		_ = h.f.Close() // it failed already; the truncate below is what counts
		if err := os.Truncate(h.cur.path, h.cur.size); err != nil {
			return fmt.Errorf("cut segment %d back to %d bytes: %w", h.cur.seq, h.cur.size, err)
		}
		f, err := h.openFile(h.cur.path)
		if err != nil {
			return fmt.Errorf("reopen segment %d: %w", h.cur.seq, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("sync segment %d: %w", h.cur.seq, err)
		}
		h.f = f
	}
	h.mu.Lock()
	h.failed = nil
	h.mu.Unlock()
	return nil
}

// failure returns the error writes fail with, nil when they work.
func (h *hotLog) failure() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failed
}

// retryWrites asks the committer to recover a failed log now, without
// waiting for the next write, and returns what is left of the failure.
func (h *hotLog) retryWrites() error {
	done := make(chan error, 1)
	h.mu.Lock()
	if h.closed || h.failed == nil {
		h.mu.Unlock()
		return nil
	}
	h.waiters = append(h.waiters, done)
	h.cond.Signal()
	h.mu.Unlock()
	return <-done
}

func (h *hotLog) fail(err error) error {
	h.mu.Lock()
	if h.failed == nil {
		h.failed = err
	}
	h.mu.Unlock()
	return err
}

// rotate seals the current segment and opens the next. Only the committer
// calls it.
func (h *hotLog) rotate() error {
	if err := h.f.Close(); err != nil {
		return fmt.Errorf("close segment %d: %w", h.cur.seq, err)
	}
	h.mu.Lock()
	h.sealed = append(h.sealed, h.cur)
	next := h.cur.seq + 1
	h.mu.Unlock()
	return h.openSegment(next)
}

// sealCurrent seals the open segment if it has data and is older than age
// (0: any age). It runs through the committer so it never races a write.
func (h *hotLog) sealCurrent(age time.Duration) error {
	done := make(chan error, 1)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return errClosed
	}
	if h.cur.size == 0 || h.now().Sub(h.cur.created) < age {
		h.mu.Unlock()
		return nil
	}
	// A commit of whatever is pending, then a rotation, in the committer.
	h.waiters = append(h.waiters, done)
	h.forceRotate = true
	h.cond.Signal()
	h.mu.Unlock()
	return <-done
}

// backlogLocked returns the bytes not yet frozen: the sealed segments, the
// open one and the lines pending their commit. h.mu is held.
func (h *hotLog) backlogLocked() int64 {
	n := int64(len(h.pending))
	if h.cur != nil {
		n += h.cur.size
	}
	for _, s := range h.sealed {
		if s != h.cur {
			n += s.size
		}
	}
	return n
}

// waitingForRoom reports how many appends wait for a freeze to make room,
// and the unfrozen bytes.
func (h *hotLog) waitingForRoom() (int, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.waiting, h.backlogLocked()
}

// sealedSegments returns the sealed segments in order.
func (h *hotLog) sealedSegments() []*segment {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*segment(nil), h.sealed...)
}

// allSegments returns the sealed segments and the open one, with its
// committed size, for a query. Lines a query reads are all committed.
// While a rotation opens the next segment, the open one is already the
// last sealed one (rotate, recoverWrites): it is listed once.
func (h *hotLog) allSegments() []segment {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]segment, 0, len(h.sealed)+1)
	for _, s := range h.sealed {
		out = append(out, *s)
	}
	rotating := len(h.sealed) > 0 && h.sealed[len(h.sealed)-1] == h.cur
	if h.cur != nil && h.cur.size > 0 && !rotating {
		out = append(out, *h.cur)
	}
	return out
}

// markFrozen records that segments up to last are in cold storage and
// deletes them.
func (h *hotLog) markFrozen(last uint64) error {
	if err := writeFileAtomic(filepath.Join(h.dir, "frozen"), []byte(strconv.FormatUint(last, 10)+"\n")); err != nil {
		return fmt.Errorf("mark frozen: %w", err)
	}
	h.mu.Lock()
	h.frozen = last
	var keep []*segment
	var drop []*segment
	for _, s := range h.sealed {
		if s.seq <= last {
			drop = append(drop, s)
		} else {
			keep = append(keep, s)
		}
	}
	h.sealed = keep
	h.room.Broadcast()
	h.mu.Unlock()
	for _, s := range drop {
		if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove frozen segment %d: %w", s.seq, err)
		}
	}
	return syncDir(h.dir)
}

// close stops the committer after the queued commits and leaves the head
// of the chain in hot/head, so that verify can tell a segment cut short
// after a clean stop.
func (h *hotLog) close() error {
	h.mu.Lock()
	h.closed = true
	h.cond.Signal()
	h.room.Broadcast()
	h.mu.Unlock()
	<-h.done
	err := h.f.Close()
	h.mu.Lock()
	failed := h.failed
	h.mu.Unlock()
	if err == nil && failed == nil {
		hd := hotHead{Seq: h.cur.seq, Size: h.cur.size, Chain: h.head}
		err = writeFileAtomic(filepath.Join(h.dir, headName), mustJSON(hd))
	}
	return err
}

// headName is the file a clean close leaves the chain's head in.
const headName = "head"

// hotHead is the content of hot/head: the open segment and the chain at a
// clean close.
type hotHead struct {
	Seq   uint64    `json:"seq"`
	Size  int64     `json:"size"`
	Chain chainHash `json:"chain"`
}
