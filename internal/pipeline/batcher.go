package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Batching defaults. A batch is sent when it holds DefaultMaxBatchRecords
// records or DefaultMaxBatchBytes bytes, or DefaultLinger after its first
// record: at 100k records/s batches fill in 10 ms; at a trickle a record
// waits at most 50 ms, well inside the 2 s in which it must be searchable.
const (
	DefaultMaxBatchRecords = 1000
	DefaultMaxBatchBytes   = 1 << 20
	DefaultLinger          = 50 * time.Millisecond
)

// Batcher collects records of one source into batches and submits them when
// full or when the linger time has passed since the first record. It is safe
// for concurrent use; a source typically uses one per connection or file.
type Batcher struct {
	in         Input
	tenant     string
	source     string
	format     string
	maxRecords int
	maxBytes   int
	linger     time.Duration
	tel        *Telemetry
	occ        *event.Occurrences

	mu    sync.Mutex
	cur   *Batch
	bytes int
	// last is the number of records of the batch taken last: the next
	// one starts with room for as many, so a steady stream grows no
	// slice, and a trickle keeps small ones.
	last int
	// arena is where Add copies records: one allocation for many records
	// instead of one each (a quarter of the allocated bytes on the ingest
	// path). A record's Data is a full slice expression of it, so an
	// append to one never reaches the next. It belongs to the current
	// batch: take lets it go, so an idle Batcher holds no chunk.
	arena []byte
	timer *time.Timer
	err   error
}

// BatcherConfig configures a Batcher. Zero limits take the defaults.
type BatcherConfig struct {
	Tenant, Source, Format string
	MaxRecords, MaxBytes   int
	Linger                 time.Duration
	// Telemetry, when set, counts records and bytes received.
	Telemetry *Telemetry
	// Occurrences, when set, numbers the byte-identical records Add gets
	// without a position (Record.Occurrence), so that repeats of a record
	// get ids of their own. Its scope is the delivery: a syslog source
	// passes one per TCP connection, one per UDP listener.
	Occurrences *event.Occurrences
}

// NewBatcher returns a batcher submitting to in.
func NewBatcher(in Input, cfg BatcherConfig) *Batcher {
	if cfg.MaxRecords <= 0 {
		cfg.MaxRecords = DefaultMaxBatchRecords
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBatchBytes
	}
	if cfg.Linger <= 0 {
		cfg.Linger = DefaultLinger
	}
	return &Batcher{in: in, tenant: cfg.Tenant, source: cfg.Source, format: cfg.Format,
		maxRecords: cfg.MaxRecords, maxBytes: cfg.MaxBytes, linger: cfg.Linger, tel: cfg.Telemetry, occ: cfg.Occurrences}
}

// Add copies data into the current batch, submitting it when full. It
// blocks while the pipeline is full (back-pressure). It returns the error of
// a failed submit, including one from an earlier timed flush.
func (bt *Batcher) Add(ctx context.Context, data []byte, position, peer string) error {
	bt.mu.Lock()
	if bt.err != nil {
		err := bt.err
		bt.mu.Unlock()
		return err
	}
	if bt.cur == nil {
		bt.cur = &Batch{Tenant: bt.tenant, Source: bt.source, Format: bt.format, Received: time.Now(),
			Records: make([]Record, 0, min(bt.maxRecords, max(bt.last, 16)))}
		if bt.timer == nil {
			bt.timer = time.AfterFunc(bt.linger, bt.timedFlush)
		} else {
			bt.timer.Reset(bt.linger)
		}
	}
	occurrence := 0
	if bt.occ != nil && position == "" {
		occurrence = bt.occ.Next(data)
	}
	bt.cur.Records = append(bt.cur.Records, Record{Data: bt.copyRecord(data), Position: position, Peer: peer, Occurrence: occurrence})
	bt.bytes += len(data)
	if bt.tel != nil {
		bt.tel.Received.Inc()
		bt.tel.ReceivedBytes.Add(float64(len(data)))
	}
	if len(bt.cur.Records) < bt.maxRecords && bt.bytes < bt.maxBytes {
		bt.mu.Unlock()
		return nil
	}
	b := bt.take()
	bt.mu.Unlock()
	return bt.in.Submit(ctx, b)
}

// arenaChunk is the largest chunk Add copies records into: about 75
// records of the bench mix (212 bytes each) per allocation. A batch's
// chunks start at minArenaChunk and grow with the bytes the batch holds,
// so a batch of one record at a trickle takes a small one. A record
// larger than a quarter of arenaChunk gets an allocation of its own.
const (
	arenaChunk    = 16 << 10
	minArenaChunk = 1 << 10
)

// copyRecord returns a copy of data in bt.arena; bt.mu must be held.
func (bt *Batcher) copyRecord(data []byte) []byte {
	if len(data) > arenaChunk/4 {
		return append([]byte(nil), data...)
	}
	if cap(bt.arena)-len(bt.arena) < len(data) {
		bt.arena = make([]byte, 0, max(min(arenaChunk, bt.bytes), minArenaChunk, len(data)))
	}
	start := len(bt.arena)
	bt.arena = append(bt.arena, data...)
	return bt.arena[start:len(bt.arena):len(bt.arena)]
}

// take detaches the current batch; bt.mu must be held.
func (bt *Batcher) take() *Batch {
	b := bt.cur
	bt.cur, bt.bytes, bt.last, bt.arena = nil, 0, len(b.Records), nil
	if bt.timer != nil {
		bt.timer.Stop()
	}
	return b
}

func (bt *Batcher) timedFlush() {
	bt.mu.Lock()
	if bt.cur == nil {
		bt.mu.Unlock()
		return
	}
	b := bt.take()
	bt.mu.Unlock()
	if err := bt.in.Submit(context.Background(), b); err != nil {
		bt.mu.Lock()
		bt.err = err
		bt.mu.Unlock()
	}
}

// Flush submits the current batch now, if there is one.
func (bt *Batcher) Flush(ctx context.Context) error {
	bt.mu.Lock()
	if bt.cur == nil {
		err := bt.err
		bt.mu.Unlock()
		return err
	}
	b := bt.take()
	bt.mu.Unlock()
	return bt.in.Submit(ctx, b)
}

// Close flushes what is left and stops the timer.
func (bt *Batcher) Close(ctx context.Context) error {
	err := bt.Flush(ctx)
	bt.mu.Lock()
	if bt.timer != nil {
		bt.timer.Stop()
	}
	bt.mu.Unlock()
	return err
}
