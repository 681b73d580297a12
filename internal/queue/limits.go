package queue

import (
	"time"
)

// Reasons a segment is dropped, as the dropped counters' reason label has
// them.
const (
	dropMaxBytes = "max_bytes"
	dropMaxAge   = "max_age"
)

// enforceBytes drops the oldest segments while the queue's segments take
// more than MaxBytes. The active segment is never dropped, so the queue
// may pass the limit by the active segment (at most SegmentBytes, a
// quarter of the limit, plus one batch). Called with mu held.
func (q *Queue) enforceBytes() {
	if q.opts.MaxBytes < 0 {
		return
	}
	for len(q.segs) > 1 && q.diskBytesLocked() > q.opts.MaxBytes {
		q.dropOldest(dropMaxBytes)
	}
}

// enforceAge drops segments whose every record is older than MaxAge: a
// segment sealed by this process knows its newest record's time; for one
// found on disk at Open, the next segment's creation time bounds it. The
// active segment is sealed first when its newest record is too old.
// Called with mu held.
func (q *Queue) enforceAge(now int64) {
	if q.opts.MaxAge < 0 {
		return
	}
	cutoff := now - int64(q.opts.MaxAge)
	if q.lastAppend != 0 && q.lastAppend < cutoff {
		if err := q.rotate(now); err != nil {
			q.log.Error("queue could not seal an expired segment", "err", err)
		}
	}
	for len(q.segs) > 1 {
		newest := q.segs[0].newest
		if newest == 0 {
			newest = q.segs[1].created
		}
		if newest >= cutoff {
			return
		}
		q.dropOldest(dropMaxAge)
	}
}

// dropOldest deletes the oldest segment because a limit was hit, counting
// the records in it that were not acknowledged. Records the reader had read
// but not acknowledged count as dropped too: their delivery was not
// confirmed. Called with mu held.
func (q *Queue) dropOldest(reason string) {
	s := q.segs[0]
	last := q.segs[1].first - 1
	done := max(q.acked, q.dropFloor-1, s.first-1)
	var lost uint64
	if last > done {
		lost = last - done
	}
	if err := q.removeOldest(); err != nil {
		q.log.Error("queue limit hit but the oldest segment could not be deleted", "reason", reason, "err", err)
		return
	}
	if lost == 0 {
		return
	}
	q.stats.dropped += lost
	q.stats.droppedBytes += uint64(s.size)
	if reason == dropMaxAge {
		q.stats.droppedAge += lost
	}
	q.lastDrop = q.opts.Now()
	q.log.Warn("queue limit hit: dropped its oldest undelivered records", "reason", reason,
		"records", lost, "bytes", s.size, "first_seq", s.first, "last_seq", last,
		"max_bytes", q.opts.MaxBytes, "max_age", q.opts.MaxAge)
}

// maintain applies the age limit, starts a new segment when the active one
// is older than SegmentMaxAge (so old data can be reclaimed or dropped
// without waiting for the segment to fill), and reports health changes.
func (q *Queue) maintain() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	nowT := q.opts.Now()
	now := nowT.UnixNano()
	if q.err == nil {
		act := q.segs[len(q.segs)-1]
		if q.lastAppend != 0 && now-act.created >= int64(q.opts.SegmentMaxAge) {
			if err := q.rotate(now); err != nil {
				q.log.Error("queue could not start a new segment", "err", err)
			}
		}
		q.enforceAge(now)
	}
	h := q.evalHealth(nowT)
	changed := h.Level != q.health.Level
	q.health = h
	var st Status
	if changed {
		st = q.statusLocked(nowT)
	}
	q.mu.Unlock()
	if changed {
		q.logHealth(st)
		if q.opts.OnHealth != nil {
			q.opts.OnHealth(st)
		}
	}
}

func (q *Queue) logHealth(st Status) {
	switch st.Health.Level {
	case HealthOK:
		q.log.Info("queue healthy again", "records", st.Records, "bytes", st.Bytes)
	default:
		q.log.Warn("queue health: "+st.Health.Reason, "level", st.Health.Level.String(),
			"records", st.Records, "bytes", st.Bytes, "oldest", st.Oldest)
	}
}

// recentDrop is how long after a drop the health stays HealthDropping: long
// enough for a scrape or a look at /api/v1/outputs to see it even when the
// drop brought the queue back under its warning ratio.
const recentDrop = 10 * time.Minute
