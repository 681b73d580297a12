package response

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/queue"
)

// Each response keeps its jobs in a durable queue (internal/queue, the
// queue every output drains) until their last attempt: a job is appended
// (and fsynced) when an alert or notice matches, and acknowledged when it
// succeeded or was given up on. So a stop or a crash loses no job: the next
// start runs again what was queued, waiting to retry or running, with the
// same delivery id and body (docs/format/response-queue.md has the record).

// maxJobQueueBytes backstops the count limit (Queue + Workers jobs): an
// envelope is a few KiB, one with a folded alert's 1,000 event ids ~50 KiB,
// so 1,000 jobs need under 64 MiB; 256 MiB leaves room and still bounds
// the disk a response can take.
const maxJobQueueBytes = 256 << 20

// readRetry is the wait after a failed read of a job queue (a failed disk):
// short enough to resume soon, long enough not to spin.
const readRetry = time.Second

// queued is a job read from its queue, with its sequence number to
// acknowledge.
type queued struct {
	seq uint64
	j   *job
}

func openJobQueue(dir, name string, log *slog.Logger, reg prometheus.Registerer) (*queue.Queue, error) {
	q, err := queue.Open(filepath.Join(dir, name), queue.Options{Output: "response:" + name, MaxBytes: maxJobQueueBytes, Logger: log}, reg)
	if err != nil {
		return nil, fmt.Errorf("open job queue: %w", err)
	}
	return q, nil
}

// read hands the response's queued jobs to its workers until Close.
func (d *Dispatcher) read(r *responder) {
	defer close(r.jobs)
	for {
		recs, err := r.q.Read(d.stopping, 1, 0)
		if err != nil {
			if d.stopping.Err() != nil || errors.Is(err, queue.ErrClosed) {
				return
			}
			d.log.Error("read response queue", "response", r.cfg.Name, "err", err)
			t := time.NewTimer(readRetry)
			select {
			case <-t.C:
			case <-d.stopping.Done():
				t.Stop()
				return
			}
			continue
		}
		for _, rec := range recs {
			r.acks.read(rec.Seq)
			j, err := unmarshalJob(rec.Data)
			if err != nil {
				// Not a job this Vigil can run: say so and go on.
				d.log.Error("skip queued response job", "response", r.cfg.Name, "seq", rec.Seq, "err", err)
				d.met.outcomes.WithLabelValues(r.cfg.Name, r.cfg.Type, OutcomeDropped).Inc()
				d.finish(r, rec.Seq)
				continue
			}
			d.remember(j.delivery)
			select {
			case r.jobs <- queued{seq: rec.Seq, j: j}:
			case <-d.stopping.Done():
				return
			}
		}
	}
}

// finish acknowledges a finished job once every job read before it has
// finished too.
func (d *Dispatcher) finish(r *responder, seq uint64) {
	r.pending.Add(-1)
	if upTo := r.acks.finish(seq); upTo > 0 {
		if err := r.q.Ack(upTo); err != nil && !errors.Is(err, queue.ErrClosed) {
			d.log.Error("acknowledge response jobs", "response", r.cfg.Name, "seq", upTo, "err", err)
		}
	}
}

// ackTracker turns jobs finished out of order (several workers) into the
// in-order acknowledgements a queue takes.
type ackTracker struct {
	mu    sync.Mutex
	order []uint64 // read and not acknowledged, in read order
	done  map[uint64]bool
}

func (t *ackTracker) read(seq uint64) {
	t.mu.Lock()
	t.order = append(t.order, seq)
	t.mu.Unlock()
}

// finish marks seq finished and returns the last sequence number up to
// which every read job is finished, or 0 when that did not move.
func (t *ackTracker) finish(seq uint64) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done == nil {
		t.done = map[uint64]bool{}
	}
	t.done[seq] = true
	var upTo uint64
	for len(t.order) > 0 && t.done[t.order[0]] {
		upTo = t.order[0]
		delete(t.done, upTo)
		t.order = t.order[1:]
	}
	return upTo
}
