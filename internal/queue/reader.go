package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Record is one queued record as Read returns it. The caller owns Data.
type Record struct {
	// Seq is the record's sequence number in its queue: Ack takes it.
	Seq uint64
	// Time is when the record was appended.
	Time time.Time
	// Tenant is the tenant of the queue that stored it.
	Tenant string
	Data   []byte
}

// Read limits used when Read is given zero: the pipeline's batch size, so
// an output forwards the batches it was given.
const (
	DefaultReadRecords = 1000
	DefaultReadBytes   = 1 << 20
)

// reader is the single reader's state, guarded by Queue.rmu.
type reader struct {
	q        *Queue
	seg      uint64 // first sequence number of the open segment; 0: none
	f        File
	sc       scanner
	next     uint64 // the next record to return has this or a higher sequence number
	lastRead uint64 // the last record returned
	inflight []inflight
	head     int
	slab     []byte
}

// inflight is a record returned by Read and not yet acknowledged.
type inflight struct {
	seq  uint64
	seg  uint64
	end  int64 // where the record after it starts
	time int64
}

func (r *reader) pos() position { return position{seg: r.seg, off: r.sc.off} }

func (r *reader) closeFile() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	r.seg = 0
}

// open opens segment first for reading from its first record on.
func (r *reader) open(first uint64) error {
	r.closeFile()
	f, err := r.q.fs.OpenFile(join(r.q.dir, segmentName(first)), os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("open segment %d for reading: %w", first, err)
	}
	r.f, r.seg = f, first
	r.sc = scanner{f: f, off: segmentHeaderSize, minSeq: max(r.next, first), buf: r.sc.buf[:0]}
	return nil
}

// seek places the reader at the first record with sequence number target
// or above. hint, when it names the record's position, saves the scan from
// the start of its segment.
func (r *reader) seek(target uint64, hint position) error {
	r.inflight, r.head = r.inflight[:0], 0
	r.next, r.lastRead = target, target-1
	q := r.q
	q.mu.Lock()
	seg := q.segs[0].first
	for _, s := range q.segs {
		if s.first <= target {
			seg = s.first
		}
	}
	limit, _, _ := q.readLimitLocked(seg)
	q.mu.Unlock()
	if err := r.open(seg); err != nil {
		return err
	}
	r.sc.limit = limit
	if hint.seg == seg && hint.off >= segmentHeaderSize && hint.off < limit {
		r.sc.minSeq = target
		if rec, ok, err := r.sc.at(hint.off); err == nil && ok && rec.hdr.seq == target {
			r.sc.off = hint.off
			return nil
		}
		r.sc.minSeq = seg
	}
	for {
		rec, _, err := r.sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("seek to record %d: %w", target, err)
		}
		if rec.hdr.seq >= target {
			r.sc.off = rec.off
			break
		}
	}
	r.sc.minSeq = target
	return nil
}

// readLimitLocked says how far segment first may be read: to its end if
// it is sealed and committed (next is then the segment after it), or to the
// commit point. ok is false when the segment no longer exists.
func (q *Queue) readLimitLocked(first uint64) (limit int64, next uint64, ok bool) {
	for i, s := range q.segs {
		if s.first != first {
			continue
		}
		switch {
		case first < q.committed.seg:
			return s.size, q.segs[i+1].first, true
		case first == q.committed.seg:
			return q.committed.off, 0, true
		default:
			return segmentHeaderSize, 0, true
		}
	}
	return 0, 0, false
}

// Read returns the next records in order, at most maxRecords of them and,
// beyond the first, at most maxBytes of data (zero: DefaultReadRecords,
// DefaultReadBytes). It waits until at least one record is committed, ctx
// is done or the queue is closed. Records read and not acknowledged are
// read again only after Rewind or a reopen. Only one goroutine may read.
func (q *Queue) Read(ctx context.Context, maxRecords, maxBytes int) ([]Record, error) {
	return q.read(ctx, maxRecords, maxBytes, true)
}

// TryRead is Read without waiting: it returns no records and no error when
// none is committed.
func (q *Queue) TryRead(maxRecords, maxBytes int) ([]Record, error) {
	return q.read(context.Background(), maxRecords, maxBytes, false)
}

func (q *Queue) read(ctx context.Context, maxRecords, maxBytes int, wait bool) ([]Record, error) {
	if maxRecords <= 0 {
		maxRecords = DefaultReadRecords
	}
	if maxBytes <= 0 {
		maxBytes = DefaultReadBytes
	}
	for {
		out, notify, err := q.readCommitted(maxRecords, maxBytes)
		if err != nil || len(out) > 0 || !wait {
			return out, err
		}
		// Wait without holding the reader's lock, so that an output may
		// Ack from another goroutine meanwhile.
		q.waiting.Add(1)
		select {
		case <-notify:
		case <-ctx.Done():
			q.waiting.Add(-1)
			return nil, ctx.Err()
		}
		q.waiting.Add(-1)
	}
}

// readCommitted returns the next committed records, or none and a channel
// closed when more are committed.
func (q *Queue) readCommitted(maxRecords, maxBytes int) ([]Record, <-chan struct{}, error) {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	r := &q.r
	var out []Record
	var gap, garbage uint64
	defer func() {
		if gap > 0 || garbage > 0 {
			q.mu.Lock()
			q.stats.corrupt += gap
			q.stats.corruptBytes += garbage
			q.mu.Unlock()
			q.log.Warn("queue skipped corrupt records", "records", gap, "bytes", garbage, "segment", r.seg)
		}
	}()
	bytes, vanished := 0, 0
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, nil, ErrClosed
		}
		floor := q.dropFloor
		limit, nextSeg, ok := q.readLimitLocked(r.seg)
		notify := q.notify
		q.mu.Unlock()
		if r.next < floor || !ok {
			// Dropped by a limit (counted there) or never opened.
			if err := r.seek(max(r.next, floor), position{}); err != nil {
				if errors.Is(err, os.ErrNotExist) && vanished < 3 {
					// A limit deleted the segment between our look at
					// the list and the open: look again.
					vanished++
					r.closeFile()
					continue
				}
				return nil, nil, err
			}
			continue
		}
		r.sc.limit = limit
		for len(out) < maxRecords && (len(out) == 0 || bytes < maxBytes) {
			rec, skipped, err := r.sc.next()
			if err == io.EOF {
				garbage += uint64(skipped)
				break
			}
			if err != nil {
				if len(out) > 0 {
					return out, nil, nil
				}
				return nil, nil, fmt.Errorf("read segment %d: %w", r.seg, err)
			}
			garbage += uint64(skipped)
			if rec.hdr.seq > r.next {
				gap += rec.hdr.seq - r.next
			}
			out = append(out, r.record(rec))
			bytes += len(rec.data)
		}
		if len(out) > 0 {
			return out, nil, nil
		}
		if nextSeg == 0 {
			return nil, notify, nil
		}
		// The sealed segment is read to its end: whatever was meant to be
		// between its last record and the next segment's first was lost.
		if nextSeg > r.next {
			gap += nextSeg - r.next
			r.next = nextSeg
		}
		if err := r.open(nextSeg); err != nil {
			if errors.Is(err, os.ErrNotExist) && vanished < 3 {
				vanished++
				continue
			}
			return nil, nil, err
		}
	}
}

// slabSize is the unit in which Read allocates record data: records of one
// Read share a few allocations instead of one each.
const slabSize = 256 << 10

func (r *reader) record(rec rawRecord) Record {
	n := len(rec.data)
	if cap(r.slab)-len(r.slab) < n {
		r.slab = make([]byte, 0, max(slabSize, n))
	}
	start := len(r.slab)
	r.slab = append(r.slab, rec.data...)
	tenant := r.q.tenant
	if string(rec.tenant) != tenant {
		tenant = string(rec.tenant)
	}
	r.next = rec.hdr.seq + 1
	r.lastRead = rec.hdr.seq
	r.inflight = append(r.inflight, inflight{seq: rec.hdr.seq, seg: r.seg, end: rec.end(), time: rec.hdr.time})
	return Record{
		Seq:    rec.hdr.seq,
		Time:   time.Unix(0, rec.hdr.time),
		Tenant: tenant,
		Data:   r.slab[start : start+n : start+n],
	}
}

// Ack records that every record up to and including seq was delivered.
// Acknowledging less than was read is fine (the rest stays in flight);
// acknowledging again what was acknowledged does nothing. The ledger is
// written at once (a killed process keeps it) and fsynced on the sync
// interval; segments whose every record is acknowledged are deleted.
func (q *Queue) Ack(seq uint64) error {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	r := &q.r
	q.mu.Lock()
	closed, acked, pos := q.closed, q.acked, q.ackPos
	q.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if seq <= acked {
		return nil
	}
	if seq > r.lastRead {
		return fmt.Errorf("ack %d: %w (last read %d)", seq, ErrAckAhead, r.lastRead)
	}
	i := r.head
	for i < len(r.inflight) && r.inflight[i].seq <= seq {
		i++
	}
	if i > r.head {
		last := r.inflight[i-1]
		pos = position{seg: last.seg, off: last.end}
	}
	if err := q.led.write(ledgerState{acked: seq, hintSeg: pos.seg, hintOff: pos.off}); err != nil {
		return fmt.Errorf("ack %d: %w", seq, err)
	}
	q.mu.Lock()
	q.acked = seq
	q.ackPos = pos
	q.stats.acked += uint64(i - r.head)
	q.oldest = 0
	if i < len(r.inflight) {
		q.oldest = r.inflight[i].time
	}
	q.reclaim()
	q.mu.Unlock()
	r.head = i
	if r.head == len(r.inflight) {
		r.inflight, r.head = r.inflight[:0], 0
	} else if r.head > 1024 && r.head > len(r.inflight)/2 {
		n := copy(r.inflight, r.inflight[r.head:])
		r.inflight, r.head = r.inflight[:n], 0
	}
	return nil
}

// Rewind makes the next Read start again after the last acknowledged
// record: an output that gave up on records it read calls it so they are
// delivered again.
func (q *Queue) Rewind() error {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	q.mu.Lock()
	closed := q.closed
	target := max(q.acked+1, q.dropFloor)
	hint := q.ackPos
	q.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return q.r.seek(target, hint)
}
