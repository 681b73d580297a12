package queue

import (
	"fmt"
	"os"
	"time"
)

// HealthLevel grades a queue against its limits.
type HealthLevel int

const (
	// HealthOK: below WarnRatio of both limits.
	HealthOK HealthLevel = iota
	// HealthWarning: past WarnRatio (80%) of the byte or the age limit;
	// the oldest data will be dropped unless the output catches up.
	HealthWarning
	// HealthDropping: a limit was hit and undelivered records were dropped
	// in the last 10 minutes.
	HealthDropping
)

func (l HealthLevel) String() string {
	switch l {
	case HealthOK:
		return "ok"
	case HealthWarning:
		return "warning"
	case HealthDropping:
		return "dropping"
	}
	return fmt.Sprintf("HealthLevel(%d)", int(l))
}

// MarshalText renders the level as its name, for /api/v1/outputs.
func (l HealthLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Health is a queue's health with the reason an operator reads.
type Health struct {
	Level HealthLevel `json:"level"`
	// Reason says which limit and how close, empty when OK.
	Reason string `json:"reason,omitempty"`
	// BytesRatio and AgeRatio are the fractions of the limits in use (0
	// where there is no limit).
	BytesRatio float64 `json:"bytes_ratio"`
	AgeRatio   float64 `json:"age_ratio"`
}

// Status is a snapshot of a queue, for /api/v1/outputs and alerts.
type Status struct {
	Output string `json:"output"`
	Tenant string `json:"tenant"`
	// Records and Bytes are the undelivered records (appended, neither
	// acknowledged nor dropped) and the bytes of the segments holding them.
	Records uint64 `json:"records"`
	Bytes   int64  `json:"bytes"`
	// DiskBytes is what all segments take, delivered parts included.
	DiskBytes int64 `json:"disk_bytes"`
	Segments  int   `json:"segments"`
	// Oldest is the append time of the oldest undelivered record; zero
	// when there is none.
	Oldest time.Time `json:"oldest,omitzero"`
	// LastSeq is the sequence number of the last record appended.
	LastSeq uint64 `json:"last_seq"`
	// Acked is the sequence number up to which everything was delivered.
	Acked uint64 `json:"acked"`
	// Counts since Open.
	Appended      uint64 `json:"appended"`
	AppendedBytes uint64 `json:"appended_bytes"`
	Delivered     uint64 `json:"delivered"`
	Dropped       uint64 `json:"dropped"`
	DroppedBytes  uint64 `json:"dropped_bytes"`
	Corrupt       uint64 `json:"corrupt"`
	CorruptBytes  uint64 `json:"corrupt_bytes"`
	Torn          uint64 `json:"torn"`
	TornBytes     uint64 `json:"torn_bytes"`
	Fsyncs        uint64 `json:"fsyncs"`
	// Err is set once the queue has failed (see ErrFailed).
	Err    string `json:"error,omitempty"`
	Health Health `json:"health"`
}

// Status returns a snapshot of the queue.
func (q *Queue) Status() Status {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.statusLocked(q.opts.Now())
}

// Health returns the queue's health now.
func (q *Queue) Health() Health {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.evalHealth(q.opts.Now())
}

func (q *Queue) statusLocked(now time.Time) Status {
	st := Status{
		Output:        q.opts.Output,
		Tenant:        q.tenant,
		Records:       q.depthLocked(),
		DiskBytes:     q.diskBytesLocked(),
		Segments:      len(q.segs),
		LastSeq:       q.nextSeq - 1,
		Acked:         q.acked,
		Appended:      q.stats.appended,
		AppendedBytes: q.stats.appendedBytes,
		Delivered:     q.stats.acked,
		Dropped:       q.stats.dropped,
		DroppedBytes:  q.stats.droppedBytes,
		Corrupt:       q.stats.corrupt,
		CorruptBytes:  q.stats.corruptBytes,
		Torn:          q.stats.torn,
		TornBytes:     q.stats.tornBytes,
		Fsyncs:        q.stats.fsyncs,
		Health:        q.evalHealth(now),
	}
	st.Bytes = q.undeliveredBytesLocked()
	if t := q.oldestLocked(); t != 0 {
		st.Oldest = time.Unix(0, t)
	}
	if q.err != nil {
		st.Err = q.err.Error()
	}
	return st
}

func (q *Queue) diskBytesLocked() int64 {
	var n int64
	for _, s := range q.segs {
		n += s.size
	}
	return n
}

// undeliveredBytesLocked is the bytes from the first unacknowledged record
// to the end of the queue.
func (q *Queue) undeliveredBytesLocked() int64 {
	if q.depthLocked() == 0 {
		return 0
	}
	var n int64
	for _, s := range q.segs {
		switch {
		case s.first > q.ackPos.seg:
			n += s.size - segmentHeaderSize
		case s.first == q.ackPos.seg:
			n += max(s.size-max(q.ackPos.off, segmentHeaderSize), 0)
		}
	}
	return n
}

// oldestLocked returns the append time of the first unacknowledged record
// (Unix ns), 0 when there is none. It is remembered when known (from an
// Append into an empty queue or from the records in flight at an Ack) and
// otherwise read from the record's header at the acknowledged position; if
// that record cannot be read, the creation time of its segment stands in,
// which errs on the old side.
func (q *Queue) oldestLocked() int64 {
	if q.depthLocked() == 0 {
		return 0
	}
	if q.oldest != 0 {
		return q.oldest
	}
	idx := 0
	for i, s := range q.segs {
		if s.first <= q.ackPos.seg {
			idx = i
		}
	}
	off := max(q.ackPos.off, segmentHeaderSize)
	if q.segs[idx].first < q.ackPos.seg {
		off = segmentHeaderSize
	}
	if off >= q.segs[idx].size && idx+1 < len(q.segs) {
		idx, off = idx+1, segmentHeaderSize
	}
	s := q.segs[idx]
	q.oldest = s.created
	f, err := q.fs.OpenFile(join(q.dir, segmentName(s.first)), os.O_RDONLY, 0)
	if err != nil {
		return q.oldest
	}
	defer f.Close()
	b := make([]byte, recordHeaderSize)
	if readFull(f, b, off) == nil {
		if h, err := parseRecordHeader(b); err == nil && h.seq > q.acked {
			q.oldest = h.time
		}
	}
	return q.oldest
}

// evalHealth grades the queue against its limits at now.
func (q *Queue) evalHealth(now time.Time) Health {
	var h Health
	if q.opts.MaxBytes > 0 {
		h.BytesRatio = float64(q.diskBytesLocked()) / float64(q.opts.MaxBytes)
	}
	if q.opts.MaxAge > 0 {
		if t := q.oldestLocked(); t != 0 {
			h.AgeRatio = float64(now.UnixNano()-t) / float64(q.opts.MaxAge)
		}
	}
	switch {
	case !q.lastDrop.IsZero() && now.Sub(q.lastDrop) < recentDrop:
		h.Level = HealthDropping
		h.Reason = fmt.Sprintf("a limit was hit: %d undelivered records dropped since the queue was opened (%s ago last)",
			q.stats.dropped, now.Sub(q.lastDrop).Round(time.Second))
	case h.BytesRatio >= q.opts.WarnRatio:
		h.Level = HealthWarning
		h.Reason = fmt.Sprintf("queue holds %.0f%% of its byte limit (%d of %d bytes)",
			100*h.BytesRatio, q.diskBytesLocked(), q.opts.MaxBytes)
	case h.AgeRatio >= q.opts.WarnRatio:
		h.Level = HealthWarning
		h.Reason = fmt.Sprintf("oldest undelivered record is at %.0f%% of the age limit (%s of %s)",
			100*h.AgeRatio, time.Duration(h.AgeRatio*float64(q.opts.MaxAge)).Round(time.Second), q.opts.MaxAge)
	}
	return h
}
