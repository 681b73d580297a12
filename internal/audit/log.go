package audit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
)

// Sink stores audit events durably; the embedded store implements it.
type Sink interface {
	WriteAudit(ctx context.Context, events []*event.Event) error
}

// Recorder takes audit entries. A nil Recorder is not allowed: use Discard
// where nothing is audited (tests of other packages).
type Recorder interface {
	Record(e Entry)
}

// Discard is a Recorder that keeps nothing.
var Discard Recorder = discard{}

type discard struct{}

func (discard) Record(Entry) {}

// Limits of the writer.
const (
	// queueLen bounds the entries waiting to be written; Record blocks
	// beyond it, which slows the requests being audited rather than lose
	// an entry.
	queueLen = 4096
	// maxBatch entries are written in one group commit.
	maxBatch = 512
)

// Log writes entries to a Sink in batches.
type Log struct {
	sink  Sink
	log   *slog.Logger
	ch    chan Entry
	done  chan struct{}
	start string
	seq   uint64

	mu     sync.RWMutex
	closed bool
	// refused counts the entries the sink refused (failed counts them for
	// /metrics).
	refused atomic.Int64
	written prometheus.Counter
	failed  prometheus.Counter
}

// New starts a Log writing to sink. With a nil sink (a node without the
// store role) the entries go to the process log at info level instead.
func New(sink Sink, logger *slog.Logger, reg prometheus.Registerer) *Log {
	if logger == nil {
		logger = slog.Default()
	}
	l := &Log{sink: sink, log: logger.With("component", "audit"), ch: make(chan Entry, queueLen), done: make(chan struct{}),
		start:   fmt.Sprint(time.Now().UnixNano()),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_audit_entries_total", Help: "Audit entries written."}),
		failed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_audit_write_errors_total", Help: "Audit entries the store refused; they were written to the process log instead."}),
	}
	if reg != nil {
		reg.MustRegister(l.written, l.failed)
	}
	go l.run()
	return l
}

// Record queues e; it blocks while the queue is full. After Close it
// writes e to the process log.
func (l *Log) Record(e Entry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	// The read lock lets Records send at once while Close waits for them:
	// the writer drains the channel, so a blocked send ends.
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.logEntry(e, "audit log closed")
		return
	}
	l.ch <- e
}

// Close writes what is queued and stops the writer.
func (l *Log) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	close(l.ch)
	l.mu.Unlock()
	<-l.done
}

func (l *Log) run() {
	defer close(l.done)
	batch := make([]Entry, 0, maxBatch)
	for e := range l.ch {
		batch = append(batch[:0], e)
	fill:
		for len(batch) < maxBatch {
			select {
			case e, ok := <-l.ch:
				if !ok {
					break fill
				}
				batch = append(batch, e)
			default:
				break fill
			}
		}
		l.write(batch)
	}
}

func (l *Log) write(batch []Entry) {
	if l.sink == nil {
		for _, e := range batch {
			l.logEntry(e, "")
		}
		return
	}
	evs := make([]*event.Event, len(batch))
	for i, e := range batch {
		l.seq++
		evs[i] = e.Event(fmt.Sprintf("%s:%d", l.start, l.seq))
	}
	if err := l.sink.WriteAudit(context.Background(), evs); err != nil {
		l.failed.Add(float64(len(batch)))
		l.refused.Add(int64(len(batch)))
		for _, e := range batch {
			l.logEntry(e, err.Error())
		}
		return
	}
	l.written.Add(float64(len(batch)))
}

// failedCount is how many entries the sink refused.
func (l *Log) failedCount() int64 { return l.refused.Load() }

// logEntry writes e to the process log, the fallback when it cannot be
// stored.
func (l *Log) logEntry(e Entry, storeErr string) {
	tenant := e.Tenant
	if tenant == "" {
		tenant = SystemTenant
	}
	attrs := []any{"time", e.Time, "tenant", tenant, "user.name", e.User, "source.ip", e.SourceIP, "event.action", e.Action,
		"event.outcome", e.Outcome, "event.reason", e.Reason, "url.path", e.Path}
	if storeErr != "" {
		l.log.Error("audit entry not stored", append(attrs, "err", storeErr)...)
		return
	}
	l.log.Info("audit", attrs...)
}
