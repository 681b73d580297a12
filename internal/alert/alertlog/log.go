package alertlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/queue"
)

// Limits and defaults, with the reasons.
const (
	// DefaultInterval is how often the applier drains the log: 200 ms keeps
	// incident grouping and response dispatch within a fifth of a second of
	// detection while a storm of alerts reaches DuckDB in a few large
	// transactions a second instead of one per ingest batch.
	DefaultInterval = 200 * time.Millisecond
	// DefaultMaxBatch bounds one applied batch at 10,000 alerts: about
	// 10 MB of decoded alerts at most, and one DuckDB transaction whose
	// statement preparation and commit are shared by enough rows to cost
	// little per alert.
	DefaultMaxBatch = 10_000
	// maxBatchBytes bounds the bytes of one read from the log (alerts
	// carry at most alert.MaxEventIDs ids and a bounded reason, so 10,000
	// of them stay far below).
	maxBatchBytes = 64 << 20
	// maxLogBytes bounds the log on disk. The applier keeps it near empty;
	// it grows only while DuckDB refuses writes, and at 1 GB (about a
	// million alerts) the oldest unapplied alerts are dropped, counted in
	// vigil_queue_dropped_records_total{output="alertlog"}, rather than
	// filling the disk the events need.
	maxLogBytes = 1 << 30
	// output names the log in the queue's metrics and log lines.
	output = "alertlog"
	// maxRecentBytes bounds the alerts held in memory for the applier
	// (Log.recent), counted as the bytes of their records: 8 MB, about
	// 10,000 alerts of the bench mix, a little more than one applied batch
	// in a storm, where the applier keeps the log near empty.
	maxRecentBytes = 8 << 20
)

// Options configure a Log.
type Options struct {
	// Dir holds the queue's segments and ledger.
	Dir string
	// Apply receives the alerts in the order they were appended.
	Apply alert.Sink
	// Interval is the applier's period. Default: DefaultInterval.
	Interval time.Duration
	// MaxBatch bounds the alerts of one Apply call. Default: DefaultMaxBatch.
	MaxBatch int
	// Sync is the log's fsync policy. Default: queue.SyncBatch.
	Sync       queue.SyncPolicy
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Log is the durable alert log and its applier.
type Log struct {
	q    *queue.Queue
	opts Options
	log  *slog.Logger

	// mu serialises draining: the queue takes one reader at a time.
	mu sync.Mutex

	// recent holds a copy of the alerts this process appended, by their
	// record's sequence number, until the applier reads them: it takes
	// them from here instead of decoding their records (in an alert storm
	// decoding cost ~5% of the server's CPU). Records not found here
	// (appended before a restart, past maxRecentBytes, read again after a
	// failed apply) are decoded. Bounded by maxRecentBytes.
	recentMu    sync.Mutex
	recent      map[uint64]recentAlert
	recentBytes int

	stop, done chan struct{}
	startOnce  sync.Once
	stopOnce   sync.Once
}

type recentAlert struct {
	a     alert.Alert
	bytes int
}

// Open opens (or creates) the log in o.Dir. Alerts appended before a
// crash and not yet applied are applied by the first drain.
func Open(o Options) (*Log, error) {
	if o.Apply == nil {
		return nil, errors.New("open alert log: no apply sink")
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	q, err := queue.Open(o.Dir, queue.Options{Output: output, Sync: o.Sync, MaxAge: -1, MaxBytes: maxLogBytes, Logger: o.Logger}, o.Registerer)
	if err != nil {
		return nil, fmt.Errorf("open alert log: %w", err)
	}
	return &Log{q: q, opts: o, log: o.Logger.With("part", output), stop: make(chan struct{}), done: make(chan struct{}),
		recent: map[uint64]recentAlert{}}, nil
}

// WriteAlerts implements alert.Sink: the alerts are appended as one batch
// and are durable when it returns.
func (l *Log) WriteAlerts(_ context.Context, as []alert.Alert) error {
	if len(as) == 0 {
		return nil
	}
	recs, err := encode(as)
	if err != nil {
		return err
	}
	last, err := l.q.Append(recs)
	if err != nil {
		return fmt.Errorf("log %d alerts: %w", len(as), err)
	}
	l.keep(as, recs, last+1-uint64(len(recs)))
	return nil
}

// invalidUTF8 is how encoding/json writes a byte that is not UTF-8: an
// alert that held one reads back changed, so the applier decodes it.
var invalidUTF8 = []byte(`\ufffd`)

// keep holds copies of the alerts just appended, the first at sequence
// number first, for the applier, within maxRecentBytes.
func (l *Log) keep(as []alert.Alert, recs [][]byte, first uint64) {
	l.recentMu.Lock()
	defer l.recentMu.Unlock()
	for i := range as {
		n := len(recs[i])
		if l.recentBytes+n > maxRecentBytes {
			return
		}
		if bytes.Contains(recs[i], invalidUTF8) {
			continue
		}
		l.recent[first+uint64(i)] = recentAlert{a: as[i].Clone(), bytes: n}
		l.recentBytes += n
	}
}

// take returns the alert of record r: the copy kept when it was appended,
// or its record decoded.
func (l *Log) take(r queue.Record) (alert.Alert, error) {
	l.recentMu.Lock()
	k, ok := l.recent[r.Seq]
	if ok {
		delete(l.recent, r.Seq)
		l.recentBytes -= k.bytes
	}
	l.recentMu.Unlock()
	if ok {
		return k.a, nil
	}
	var a alert.Alert
	err := json.Unmarshal(r.Data, &a)
	return a, err
}

// forget drops the copies of records before seq: records the log dropped
// by its size limit, never to be read.
func (l *Log) forget(seq uint64) {
	l.recentMu.Lock()
	defer l.recentMu.Unlock()
	for s, k := range l.recent {
		if s < seq {
			delete(l.recent, s)
			l.recentBytes -= k.bytes
		}
	}
}

// encode returns the alerts' records, their JSON (alert.AppendJSON),
// slices of one buffer.
func encode(as []alert.Alert) ([][]byte, error) {
	var (
		buf  []byte
		ends = make([]int, len(as))
		err  error
	)
	for i := range as {
		if buf, err = alert.AppendJSON(buf, &as[i]); err != nil {
			return nil, fmt.Errorf("log alert %s: %w", as[i].ID, err)
		}
		ends[i] = len(buf)
	}
	recs := make([][]byte, len(as))
	start := 0
	for i, end := range ends {
		recs[i] = buf[start:end:end]
		start = end
	}
	return recs, nil
}

// Pending is the number of alerts appended and not yet applied.
func (l *Log) Pending() uint64 { return l.q.Status().Records }

// Start starts the applier.
func (l *Log) Start() {
	l.startOnce.Do(func() { go l.run() })
}

func (l *Log) run() {
	defer close(l.done)
	t := time.NewTicker(l.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			if err := l.Flush(context.Background()); err != nil {
				l.log.Error("apply alerts", "err", err)
			}
		}
	}
}

// Flush applies every alert appended before it was called (and any
// appended meanwhile).
func (l *Log) Flush(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		recs, err := l.q.TryRead(l.opts.MaxBatch, maxBatchBytes)
		if err != nil {
			return fmt.Errorf("read alert log: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		l.forget(recs[0].Seq)
		as := make([]alert.Alert, 0, len(recs))
		for _, r := range recs {
			a, err := l.take(r)
			if err != nil {
				// The queue checked the record's CRC: this is a record of a
				// format this version does not know. Skip it, loudly.
				l.log.Error("skip an alert log record that does not decode", "seq", r.Seq, "err", err)
				continue
			}
			as = append(as, a)
		}
		if err := l.opts.Apply.WriteAlerts(ctx, as); err != nil {
			// Not acknowledged: the next drain reads the batch again.
			if rerr := l.q.Rewind(); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rewind alert log: %w", rerr))
			}
			return fmt.Errorf("apply %d alerts: %w", len(as), err)
		}
		if err := l.q.Ack(recs[len(recs)-1].Seq); err != nil {
			return fmt.Errorf("acknowledge applied alerts: %w", err)
		}
	}
}

// Close stops the applier, applies what is left and closes the log.
// What cannot be applied stays in the log for the next start. A log that
// was never started applies nothing (what follows it in the chain, such
// as response dispatch, may not be running): the next start applies it.
func (l *Log) Close(ctx context.Context) error {
	l.stopOnce.Do(func() { close(l.stop) })
	started := true
	l.startOnce.Do(func() { started = false; close(l.done) })
	<-l.done
	var err error
	if started {
		err = l.Flush(ctx)
	}
	if cerr := l.q.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close alert log: %w", cerr))
	}
	return err
}
