package response

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// Outcomes of an attempt.
const (
	OutcomeSuccess = store.OutcomeSuccess
	// OutcomeRetry: the attempt failed and another follows.
	OutcomeRetry = store.OutcomeRetry
	// OutcomeFailure: the attempt failed and it was the last.
	OutcomeFailure = store.OutcomeFailure
	// OutcomeDropped: the job never ran (its queue was full, or Vigil
	// stopped first).
	OutcomeDropped = store.OutcomeDropped
)

// Record is one attempt of a response, or one dropped job, as the response
// log keeps it (store.ResponseLog).
type Record = store.ResponseRecord

// Limits of the recorder.
const (
	// recordBuffer bounds the records waiting to be written: workers wait
	// when it is full; a drop that finds it full is counted as lost.
	recordBuffer = 4096
	// recordBatch records go to the store in one write; recordLinger is
	// how long the writer waits to fill one.
	recordBatch  = 200
	recordLinger = 200 * time.Millisecond
	// maxDetail bounds a record's detail.
	maxDetail = 16 << 10
)

// Recorder writes attempt records to the store's response log, in batches,
// from one goroutine, and lists them.
type Recorder struct {
	st   store.ResponseLog
	in   chan Record
	done chan struct{}
	// mu guards closed against the close of in.
	mu     sync.RWMutex
	closed bool
	// lost counts records dropped because the buffer was full.
	lost atomic.Int64
	log  *slog.Logger
}

// NewRecorder starts the writer of records to st. A nil logger is
// slog.Default().
func NewRecorder(st store.ResponseLog, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	r := &Recorder{st: st, in: make(chan Record, recordBuffer), done: make(chan struct{}), log: log.With("component", "responses")}
	go r.run()
	return r
}

// add queues a record, waiting while the buffer is full.
func (r *Recorder) add(rec Record) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.lost.Add(1)
		return
	}
	r.in <- rec
}

// tryAdd queues a record unless the buffer is full.
func (r *Recorder) tryAdd(rec Record) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if !r.closed {
		select {
		case r.in <- rec:
			return
		default:
		}
	}
	r.lost.Add(1)
}

func (r *Recorder) run() {
	defer close(r.done)
	batch := make([]Record, 0, recordBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := r.write(batch); err != nil {
			r.log.Error("write response records", "records", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case rec, ok := <-r.in:
			if !ok {
				flush()
				return
			}
			if len(batch) == 0 {
				timer.Reset(recordLinger)
			}
			batch = append(batch, rec)
			if len(batch) >= recordBatch {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

func (r *Recorder) write(recs []Record) error {
	return r.st.WriteResponses(context.Background(), recs)
}

// Close writes what is buffered and stops the writer. Nothing may be
// added after.
func (r *Recorder) Close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.in)
	}
	r.mu.Unlock()
	<-r.done
}

// RecordFilter selects records. Tenant is required.
type RecordFilter = store.ResponseFilter

// List returns the records matching f, the most recent first, and how
// many match in all.
func (r *Recorder) List(ctx context.Context, f RecordFilter) ([]Record, int64, error) {
	return r.st.ListResponses(ctx, f)
}

// recentDeliveries returns the deliveries recorded in the last day, up to
// limit: the jobs a restarted dispatcher must not run again when a folded
// alert's update arrives.
func (r *Recorder) recentDeliveries(ctx context.Context, since time.Time, limit int) ([]string, error) {
	return r.st.RecentDeliveries(ctx, since, limit)
}
