package queue

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sentinel errors.
var (
	// ErrClosed is returned by every method once Close has been called.
	ErrClosed = errors.New("queue closed")
	// ErrRecordTooLarge rejects an Append holding a record above
	// Options.MaxRecordBytes; nothing of that batch is written.
	ErrRecordTooLarge = errors.New("record too large")
	// ErrAckAhead is returned by Ack for a sequence number the reader has
	// not been given yet: a bug in the caller.
	ErrAckAhead = errors.New("ack of a record not read yet")
	// ErrFailed wraps the error that broke the queue: after a failed fsync
	// the kernel may have dropped the unsynced pages while marking them
	// clean, so a later fsync could report success for data that is gone
	// (PostgreSQL's "fsyncgate"). Every later Append fails; reading and
	// acknowledging what was committed before still work. Close and reopen
	// the queue to recover from what the disk really holds.
	ErrFailed = errors.New("queue failed")
)

// Queue is a durable FIFO of records for one output and one tenant: many
// goroutines may Append, one goroutine reads (Read, Ack, Rewind).
//
// Lock ordering (acquire only in this order, never the reverse):
//
//	Set.mu  the set's map of queues (a Set holds it while opening a queue)
//	rmu     the reader: its open segment, scanner, in-flight records, the ledger
//	mu      everything else: segments, the writer, sequence numbers, counters
//	syncMu  a segment file's closing against an fsync of it in progress
//
// Callbacks run without any of them (Options.OnHealth), or with mu held and
// no lock taken inside (the Set's wake-up, a non-blocking send).
//
// No file I/O other than a segment's creation, rotation or removal, and the
// write of an Append's bytes, happens under mu; fsyncs of group commit and
// the reader's reads run without it.
type Queue struct {
	dir    string
	opts   Options
	fs     FS
	log    *slog.Logger
	tenant string

	rmu sync.Mutex
	r   reader
	led *ledger

	mu         sync.Mutex
	cond       *sync.Cond // on mu: group commit and Close wait on it
	closed     bool
	err        error // sticky: see ErrFailed
	segs       []segment
	active     *segFile
	nextSeq    uint64
	lastAppend int64 // newest record in the active segment, Unix ns; 0 when it holds none
	committed  position
	synced     uint64 // every record up to it is durable (SyncBatch)
	syncing    bool   // a group commit leader is in fsync
	appending  int    // Appends in progress, for Close
	notify     chan struct{}
	onCommit   func() // called with mu held when records become readable; must not block
	acked      uint64
	ackPos     position // where the first unacknowledged record starts
	oldest     int64    // append time of the first unacknowledged record; 0: not known
	dropFloor  uint64   // records below it were dropped by a limit
	lastDrop   time.Time
	health     Health
	stats      counters
	wbuf       []byte
	unsynced   []uint64 // segments sealed without an fsync (SyncNever), for Sync and Close

	syncMu sync.Mutex

	stop chan struct{}
	done chan struct{}
	coll *collector
	reg  prometheus.Registerer

	// waiting counts the Reads waiting for records; tests wait on it.
	waiting atomic.Int32
}

// position is a place in the queue: a segment (by its first sequence
// number) and a byte offset in it.
type position struct {
	seg uint64
	off int64
}

func (p position) less(o position) bool {
	return p.seg < o.seg || p.seg == o.seg && p.off < o.off
}

// segFile is the active segment's file as the writer holds it. Rotation
// fsyncs and closes it; an fsync leader that picked it up before that finds
// it closed and takes rotation's result instead of syncing a closed file.
type segFile struct {
	f       File
	closed  bool  // guarded by syncMu
	syncErr error // rotation's fsync result, guarded by syncMu
}

// counters are cumulative since Open.
type counters struct {
	appended, appendedBytes uint64
	acked                   uint64
	dropped, droppedBytes   uint64
	droppedAge              uint64 // of dropped, by the age limit
	corrupt, corruptBytes   uint64
	torn, tornBytes         uint64
	fsyncs                  uint64
}

// Open opens the queue in dir, creating it if needed, and recovers it: a
// torn tail of the newest segment is cut off and counted, and the reader
// is placed after the last acknowledged record. reg, when not nil,
// receives the queue's metrics (labelled by Options.Output and Tenant)
// until Close.
func Open(dir string, opts Options, reg prometheus.Registerer) (*Queue, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, fmt.Errorf("open queue %s: %w", dir, err)
	}
	q := &Queue{
		dir: dir, opts: opts, fs: opts.FS, tenant: opts.Tenant,
		log:    opts.Logger.With("output", opts.Output, "tenant", opts.Tenant, "queue", dir),
		notify: make(chan struct{}),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	q.cond = sync.NewCond(&q.mu)
	if err := q.recover(); err != nil {
		q.closeFiles()
		return nil, fmt.Errorf("open queue %s: %w", dir, err)
	}
	if reg != nil {
		q.coll = newCollector(q)
		if err := reg.Register(q.coll); err != nil {
			q.closeFiles()
			return nil, fmt.Errorf("open queue %s: register metrics: %w", dir, err)
		}
		q.reg = reg
	}
	q.health = q.evalHealth(q.opts.Now())
	go q.background()
	return q, nil
}

// recover loads the ledger and the segments, cuts off a torn tail, makes
// sure an active segment exists and places the reader.
func (q *Queue) recover() error {
	sync := q.opts.Sync != SyncNever
	if err := q.fs.MkdirAll(q.dir, 0o700); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	if sync {
		// The queue's own directory entry, in case MkdirAll just made it.
		if err := q.fs.SyncDir(filepath.Dir(q.dir)); err != nil {
			return fmt.Errorf("sync parent directory: %w", err)
		}
	}
	led, lost, err := openLedger(q.fs, q.dir, sync)
	if err != nil {
		return err
	}
	q.led = led
	q.acked = led.state.acked
	firsts, err := listSegments(q.fs, q.dir)
	if err != nil {
		return err
	}
	if lost && len(firsts) > 0 {
		q.log.Warn("queue ledger unreadable: delivering every queued record again")
	}
	for i, first := range firsts {
		if i == len(firsts)-1 {
			if err := q.recoverActive(first); err != nil {
				return err
			}
			break
		}
		s, err := q.statSealed(first)
		if err != nil {
			return err
		}
		q.segs = append(q.segs, s)
	}
	q.nextSeq = max(q.nextSeq, q.acked+1, 1)
	if q.active == nil || (q.lastAppend == 0 && q.segs[len(q.segs)-1].first != q.nextSeq) {
		// No segment, or an empty one whose name no longer matches the next
		// sequence number (the ledger is ahead of what survived): start one
		// named by the next record so a segment's name is its first record.
		if q.active != nil {
			last := q.segs[len(q.segs)-1]
			q.active.f.Close()
			q.active = nil
			q.segs = q.segs[:len(q.segs)-1]
			if err := q.fs.Remove(join(q.dir, segmentName(last.first))); err != nil {
				return fmt.Errorf("remove empty segment %d: %w", last.first, err)
			}
		}
		now := q.opts.Now().UnixNano()
		f, err := createSegment(q.fs, q.dir, q.nextSeq, now, sync)
		if err != nil {
			return err
		}
		q.active = &segFile{f: f}
		q.segs = append(q.segs, segment{first: q.nextSeq, size: segmentHeaderSize, created: now})
	}
	q.dropFloor = q.segs[0].first
	act := q.segs[len(q.segs)-1]
	q.committed = position{seg: act.first, off: act.size}
	// A killed process may have left writes in the page cache that were
	// never synced (its ledger, appends under SyncInterval or SyncNever):
	// make them durable now, or under SyncNever at Sync or Close.
	// The ledger is synced under every policy: its update scheme relies on
	// knowing which slot is durable.
	led.dirty = true
	if err := led.sync(); err != nil {
		return err
	}
	if sync {
		if err := q.active.f.Sync(); err != nil {
			return fmt.Errorf("sync segment %d: %w", act.first, err)
		}
		q.synced = q.nextSeq - 1
	} else {
		for _, s := range q.segs[:len(q.segs)-1] {
			q.unsynced = append(q.unsynced, s.first)
		}
	}
	q.reclaim()
	q.r.q = q
	start := max(q.acked+1, q.dropFloor)
	hint := position{seg: led.state.hintSeg, off: led.state.hintOff}
	if err := q.r.seek(start, hint); err != nil {
		return err
	}
	q.ackPos = q.r.pos()
	return nil
}

// statSealed reads what the queue keeps about a segment that is no longer
// written to. Its records are checked when the reader reaches them.
func (q *Queue) statSealed(first uint64) (segment, error) {
	name := join(q.dir, segmentName(first))
	f, err := q.fs.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return segment{}, fmt.Errorf("open segment %d: %w", first, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return segment{}, fmt.Errorf("stat segment %d: %w", first, err)
	}
	s := segment{first: first, size: size}
	b := make([]byte, segmentHeaderSize)
	n, err := f.ReadAt(b, 0)
	if err != nil && err != io.EOF {
		return segment{}, fmt.Errorf("read header of segment %d: %w", first, err)
	}
	h, err := parseSegmentHeader(b[:n])
	switch {
	case errors.Is(err, errSegmentVersion):
		return segment{}, fmt.Errorf("segment %d: %w", first, err)
	case err != nil || h.first != first:
		// The records may still be fine: the reader checks each. Without
		// the creation time, the previous segment's stands in for it (the
		// age limit then drops this one a little later, never earlier).
		q.log.Warn("queue segment header corrupt; reading its records anyway", "segment", first, "err", err)
		if len(q.segs) > 0 {
			s.created = q.segs[len(q.segs)-1].created
		}
	default:
		s.created = h.created
	}
	return s, nil
}

// recoverActive opens the newest segment for writing, cuts a torn tail off
// it and sets nextSeq and lastAppend from its last complete batch.
func (q *Queue) recoverActive(first uint64) error {
	name := join(q.dir, segmentName(first))
	f, err := q.fs.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("open segment %d: %w", first, err)
	}
	q.active = &segFile{f: f}
	size, err := f.Size()
	if err != nil {
		return fmt.Errorf("stat segment %d: %w", first, err)
	}
	now := q.opts.Now().UnixNano()
	seg := segment{first: first, size: size, created: now}
	hb := make([]byte, segmentHeaderSize)
	n, err := f.ReadAt(hb, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("read header of segment %d: %w", first, err)
	}
	h, herr := parseSegmentHeader(hb[:n])
	if errors.Is(herr, errSegmentVersion) {
		return fmt.Errorf("segment %d: %w", first, herr)
	}
	headerOK := herr == nil && h.first == first
	if headerOK {
		seg.created = h.created
	}

	sc := scanner{f: f, off: segmentHeaderSize, limit: size, minSeq: first}
	cut := int64(segmentHeaderSize)
	var pending, lastSeq uint64
	var lastTime, firstTime int64
	trailing := false
	for {
		rec, skipped, err := sc.next()
		if err == io.EOF {
			trailing = skipped > 0
			break
		}
		if err != nil {
			return fmt.Errorf("recover segment %d: %w", first, err)
		}
		if firstTime == 0 {
			firstTime = rec.hdr.time
		}
		pending++
		if rec.hdr.flags&flagBatchEnd != 0 {
			cut, lastSeq, lastTime, pending = rec.end(), rec.hdr.seq, rec.hdr.time, 0
		}
	}
	sync := q.opts.Sync != SyncNever
	if !headerOK {
		// A crash while the segment was being created, or corruption: write
		// the header again so the file is well-formed.
		if firstTime != 0 {
			seg.created = firstTime
		}
		if _, err := f.WriteAt(appendSegmentHeader(nil, first, seg.created), 0); err != nil {
			return fmt.Errorf("rewrite header of segment %d: %w", first, err)
		}
		size = max(size, segmentHeaderSize)
		q.log.Warn("queue segment header rewritten", "segment", first, "err", herr)
	}
	if size > cut {
		torn := pending
		if trailing || torn == 0 {
			torn++
		}
		if err := f.Truncate(cut); err != nil {
			return fmt.Errorf("truncate torn tail of segment %d: %w", first, err)
		}
		q.stats.torn += torn
		q.stats.tornBytes += uint64(size - cut)
		q.log.Warn("queue torn tail discarded after a crash", "segment", first,
			"records", torn, "bytes", size-cut, "last_kept_seq", lastSeq)
		size = cut
	}
	if sync && (size != seg.size || !headerOK) {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync recovered segment %d: %w", first, err)
		}
	}
	seg.size = size
	q.segs = append(q.segs, seg)
	if lastSeq != 0 {
		q.nextSeq, q.lastAppend = lastSeq+1, lastTime
	} else {
		q.nextSeq = first
	}
	return nil
}

// Append adds records as one batch and returns the sequence number of the
// last. It returns once the batch is durable under the sync policy; on an
// error no record of the batch will be delivered, unless a crash follows a
// failed fsync (at-least-once: the caller retries, receivers drop the
// duplicate by event.id). The records' bytes are copied; the caller keeps
// ownership of them.
func (q *Queue) Append(records [][]byte) (uint64, error) {
	if len(records) == 0 {
		return 0, nil
	}
	size := 0
	for i, r := range records {
		if len(r) > q.opts.MaxRecordBytes {
			return 0, fmt.Errorf("append: record %d of %d bytes: %w (limit %d)", i, len(r), ErrRecordTooLarge, q.opts.MaxRecordBytes)
		}
		size += recordSize(q.tenant, r)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, ErrClosed
	}
	q.appending++
	defer func() {
		q.appending--
		if q.closed {
			q.cond.Broadcast()
		}
	}()
	if q.err != nil {
		return 0, fmt.Errorf("append: %w", q.err)
	}
	now := q.opts.Now().UnixNano()
	act := &q.segs[len(q.segs)-1]
	if act.size > segmentHeaderSize &&
		(act.size+int64(size) > q.opts.SegmentBytes || now-act.created >= int64(q.opts.SegmentMaxAge)) {
		if err := q.rotate(now); err != nil {
			return 0, fmt.Errorf("append: %w", err)
		}
		act = &q.segs[len(q.segs)-1]
	}

	first := q.nextSeq
	buf := q.wbuf[:0]
	for i, r := range records {
		var flags byte
		if i == len(records)-1 {
			flags = flagBatchEnd
		}
		buf = appendRecord(buf, first+uint64(i), now, flags, q.tenant, r)
	}
	if cap(buf) <= 4<<20 {
		q.wbuf = buf
	}
	off := act.size
	if _, err := q.active.f.WriteAt(buf, off); err != nil {
		if terr := q.active.f.Truncate(off); terr != nil {
			q.err = fmt.Errorf("%w: truncate segment %d after a failed write: %w", ErrFailed, act.first, terr)
		}
		return 0, fmt.Errorf("append %d records to segment %d: %w", len(records), act.first, err)
	}
	last := first + uint64(len(records)) - 1
	if q.depthLocked() == 0 {
		q.oldest = now
	}
	q.nextSeq = last + 1
	act.size += int64(len(buf))
	q.lastAppend = now
	q.stats.appended += uint64(len(records))
	q.stats.appendedBytes += uint64(len(buf))
	end := position{seg: act.first, off: act.size}
	if q.opts.Sync == SyncBatch {
		if err := q.waitDurable(last); err != nil {
			return 0, fmt.Errorf("append: %w", err)
		}
	} else {
		q.commit(end)
	}
	q.enforceBytes()
	return last, nil
}

// waitDurable waits, with mu held, until every record up to seq is synced:
// the first waiter becomes the leader and fsyncs everything written so far,
// while appenders that arrive meanwhile write and wait for the next round;
// so concurrent appenders share fsyncs (group commit).
func (q *Queue) waitDurable(seq uint64) error {
	for q.synced < seq {
		if q.err != nil {
			return q.err
		}
		if q.syncing {
			q.cond.Wait()
			continue
		}
		q.syncing = true
		target, targetEnd, sf := q.nextSeq-1, q.writtenEnd(), q.active
		q.mu.Unlock()
		err := q.syncSegFile(sf)
		q.mu.Lock()
		q.syncing = false
		q.stats.fsyncs++
		if err != nil {
			q.err = fmt.Errorf("%w: sync segment: %w", ErrFailed, err)
			q.log.Error("queue fsync failed; appends fail until the queue is reopened", "err", err)
		} else {
			q.synced = max(q.synced, target)
			q.commit(targetEnd)
		}
		q.cond.Broadcast()
	}
	return nil
}

func (q *Queue) writtenEnd() position {
	act := q.segs[len(q.segs)-1]
	return position{seg: act.first, off: act.size}
}

// syncSegFile fsyncs sf unless rotation has already synced and closed it.
func (q *Queue) syncSegFile(sf *segFile) error {
	q.syncMu.Lock()
	defer q.syncMu.Unlock()
	if sf.closed {
		return sf.syncErr
	}
	return sf.f.Sync()
}

// commit makes the records up to end visible to the reader. It never
// moves backwards. Called with mu held.
func (q *Queue) commit(end position) {
	if q.committed.less(end) {
		q.committed = end
		close(q.notify)
		q.notify = make(chan struct{})
		if q.onCommit != nil {
			q.onCommit()
		}
	}
}

// rotate seals the active segment (fsynced, unless SyncNever) and starts a
// new one named by the next sequence number. Called with mu held.
func (q *Queue) rotate(now int64) error {
	sync := q.opts.Sync != SyncNever
	old := q.active
	var serr error
	if sync {
		serr = old.f.Sync()
		q.stats.fsyncs++
	} else {
		q.unsynced = append(q.unsynced, q.segs[len(q.segs)-1].first)
	}
	q.syncMu.Lock()
	old.closed, old.syncErr = true, serr
	cerr := old.f.Close()
	q.syncMu.Unlock()
	if serr != nil {
		q.err = fmt.Errorf("%w: sync segment %d: %w", ErrFailed, q.segs[len(q.segs)-1].first, serr)
		q.log.Error("queue fsync failed; appends fail until the queue is reopened", "err", serr)
		return q.err
	}
	if cerr != nil {
		q.err = fmt.Errorf("%w: close segment %d: %w", ErrFailed, q.segs[len(q.segs)-1].first, cerr)
		return q.err
	}
	// Everything written so far is in the sealed segment, durable unless
	// SyncNever.
	if sync {
		q.synced = q.nextSeq - 1
	}
	q.commit(q.writtenEnd())
	q.segs[len(q.segs)-1].newest = q.lastAppend
	f, err := createSegment(q.fs, q.dir, q.nextSeq, now, sync)
	if err != nil {
		// The queue has no file to append to: it stays failed until it is
		// reopened (which starts a new segment).
		q.err = fmt.Errorf("%w: %w", ErrFailed, err)
		return q.err
	}
	q.active = &segFile{f: f}
	q.segs = append(q.segs, segment{first: q.nextSeq, size: segmentHeaderSize, created: now})
	q.lastAppend = 0
	q.reclaim()
	return nil
}

// Sync makes everything appended so far and the ledger durable, whatever
// the policy: the active segment, segments sealed without an fsync (under
// SyncNever) and the directory.
func (q *Queue) Sync() error {
	q.rmu.Lock()
	lerr := q.led.sync()
	q.rmu.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	if err := q.syncAllLocked(); err != nil {
		return err
	}
	return lerr
}

// syncAllLocked is Sync's work, with mu held.
func (q *Queue) syncAllLocked() error {
	if q.err != nil {
		return q.err
	}
	for len(q.unsynced) > 0 {
		first := q.unsynced[0]
		if q.segs[0].first <= first {
			f, err := q.fs.OpenFile(join(q.dir, segmentName(first)), os.O_RDONLY, 0)
			if err != nil {
				return fmt.Errorf("sync segment %d: %w", first, err)
			}
			err = f.Sync()
			f.Close()
			if err != nil {
				q.err = fmt.Errorf("%w: sync segment %d: %w", ErrFailed, first, err)
				return q.err
			}
		}
		q.unsynced = q.unsynced[1:]
	}
	if q.synced < q.nextSeq-1 {
		if err := q.waitDurable(q.nextSeq - 1); err != nil {
			return err
		}
	}
	if err := q.fs.SyncDir(q.dir); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// depthLocked is the number of records appended and neither acknowledged
// nor dropped.
func (q *Queue) depthLocked() uint64 {
	done := max(q.acked, q.dropFloor-1)
	if q.nextSeq-1 <= done {
		return 0
	}
	return q.nextSeq - 1 - done
}

// reclaim deletes sealed segments whose every record was acknowledged.
// Called with mu held.
func (q *Queue) reclaim() {
	for len(q.segs) > 1 && q.segs[1].first-1 <= q.acked {
		if err := q.removeOldest(); err != nil {
			q.log.Warn("queue could not delete a delivered segment", "err", err)
			return
		}
	}
}

// removeOldest deletes the oldest segment, which must not be the active one.
func (q *Queue) removeOldest() error {
	s := q.segs[0]
	if err := q.fs.Remove(join(q.dir, segmentName(s.first))); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove segment %d: %w", s.first, err)
	}
	q.segs = q.segs[1:]
	q.dropFloor = max(q.dropFloor, q.segs[0].first)
	if q.ackPos.seg < q.segs[0].first {
		q.ackPos = position{seg: q.segs[0].first, off: segmentHeaderSize}
		q.oldest = 0
	}
	return nil
}

// Close stops the queue: it waits for appends in progress, syncs the
// segment and the ledger, and closes the files. A Read waiting for records
// returns ErrClosed.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	q.closed = true
	close(q.notify)
	q.notify = make(chan struct{})
	for q.appending > 0 {
		q.cond.Wait()
	}
	q.mu.Unlock()
	close(q.stop)
	<-q.done

	var errs []error
	q.rmu.Lock()
	if err := q.led.sync(); err != nil {
		errs = append(errs, err)
	}
	q.rmu.Unlock()
	q.mu.Lock()
	if q.err == nil {
		if err := q.syncAllLocked(); err != nil {
			errs = append(errs, err)
		}
	}
	q.mu.Unlock()
	if q.reg != nil {
		q.reg.Unregister(q.coll)
	}
	if err := q.closeFiles(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close queue %s: %w", q.dir, err)
	}
	return nil
}

func (q *Queue) closeFiles() error {
	var errs []error
	q.rmu.Lock()
	q.r.closeFile()
	if q.led != nil {
		errs = append(errs, q.led.f.Close())
	}
	q.rmu.Unlock()
	q.mu.Lock()
	if q.active != nil {
		q.syncMu.Lock()
		if !q.active.closed {
			q.active.closed = true
			errs = append(errs, q.active.f.Close())
		}
		q.syncMu.Unlock()
	}
	q.mu.Unlock()
	return errors.Join(errs...)
}

// background fsyncs on the interval (SyncInterval appends, and the ledger
// under every policy but SyncNever) and maintains the queue: the age limit,
// segment age, and health changes.
func (q *Queue) background() {
	defer close(q.done)
	syncT := time.NewTicker(q.opts.SyncInterval)
	defer syncT.Stop()
	maintT := time.NewTicker(maintainInterval)
	defer maintT.Stop()
	for {
		select {
		case <-q.stop:
			return
		case <-syncT.C:
			if q.opts.Sync != SyncNever {
				q.intervalSync()
			}
		case <-maintT.C:
			q.maintain()
		}
	}
}

func (q *Queue) intervalSync() {
	q.rmu.Lock()
	if err := q.led.sync(); err != nil {
		q.log.Warn("queue ledger sync failed", "err", err)
	}
	q.rmu.Unlock()
	if q.opts.Sync != SyncInterval {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.err != nil || q.synced >= q.nextSeq-1 {
		return
	}
	if err := q.waitDurable(q.nextSeq - 1); err != nil {
		q.log.Error("queue interval fsync failed", "err", err)
	}
}
