package embedded

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// Options configure the store. Zero values take the defaults.
type Options struct {
	// Dir is the data directory; the store lives in Dir/store.
	Dir string
	// SegmentBytes closes a hot segment at this size. Default 64 MiB: big
	// enough that a segment holds ~200k events, small enough that sealing
	// one is cheap.
	SegmentBytes int64
	// SegmentAge closes a non-empty hot segment after this long. Default 1m.
	SegmentAge time.Duration
	// HotBytes freezes the sealed segments once they hold this much.
	// Default 256 MiB (~500k–1M events): queries scan hot data as NDJSON at
	// ~0.6 µs/row, so the hot tier costs at most ~0.5 s per query.
	HotBytes int64
	// HotMaxBytes bounds the hot log's unfrozen bytes: when freezing falls
	// behind ingest (a machine busy with other work), a write waits at this
	// bound until a freeze makes room, so the hot log cannot fill the disk
	// and searches do not slow down with an ever larger hot tier; the wait
	// pushes back on the sources as a slow disk would. Default 4 × HotBytes
	// (1 GiB); at least HotBytes plus two segments, so that a waiting
	// write always leaves a freeze something sealed to freeze.
	HotMaxBytes int64
	// FileRows is how many rows a freeze puts in one cold file at most (per
	// tenant and day; a segment is never split). Default 250,000: the token
	// filter is per file, so a rare-term search reads at most about that
	// many rows per file that may hold the term (~0.1–0.3 s), while files
	// stay big enough (~15 MB) for Parquet to compress and skip well.
	FileRows int
	// FreezeBytes bounds the hot bytes one freeze reads (a segment is
	// never split): the direct writer holds them in memory while it sorts
	// and writes. Default 64 MiB, one segment: with 250,000 rows (~256 MB
	// of hot lines) they were half the live heap at the peak of a
	// 1M-event `vigil bench`.
	FreezeBytes int64
	// HotAge freezes sealed segments older than this. Default 15m: at low
	// rates this bounds a tenant to ~96 cold files a day.
	HotAge time.Duration
	// Retention returns the limits of a tenant. Default: 30 days, no byte limit.
	Retention func(tenant string) (maxAge time.Duration, maxBytes int64)
	// MemoryLimit bounds DuckDB's memory, as DuckDB writes it ("2GB").
	// Default "2GB"; DuckDB spills larger sorts and aggregations to disk.
	MemoryLimit string
	// IdleMemoryLimit is what DuckDB keeps of its buffer pool between
	// searches, in bytes: each Interval, while no search, scan or Freeze
	// runs, pages beyond it are evicted (memTrim). Default
	// DefaultIdleMemoryLimit; negative: never trimmed.
	IdleMemoryLimit int64
	// QueryTimeout bounds a search that does not set its own
	// (store.Request.Timeout). Default store.DefaultQueryTimeout.
	QueryTimeout time.Duration
	// Columns bound the columns per tenant and per dataset.
	Columns ColumnLimits
	// Threads DuckDB uses; 0 means all CPUs.
	Threads int
	// CompressionLevel is the zstd level of cold Parquet files (1–22).
	// Default 9: measured on the bench mix it stores ~10% fewer bytes than
	// level 3 for ~1.3x the freeze CPU; 19 saves ~8% more at ~6x the CPU.
	CompressionLevel int
	// Interval between background runs of freezing and retention. Default 10s.
	Interval time.Duration
	Logger   *slog.Logger
	// Now is the store's clock: the receive time recorded with each batch,
	// from which retention counts. Default time.Now; tests set it.
	Now func() time.Time
	// Registerer receives the store's metrics; nil: not registered.
	Registerer prometheus.Registerer

	// noDirectFreeze freezes through DuckDB's COPY only (tests compare
	// the two writers).
	noDirectFreeze bool
	// blockRows overrides coldBlockRows (tests use small blocks).
	blockRows int
	// partRows overrides coldPartRows.
	partRows int
	// pageBytes overrides coldPageBytes.
	pageBytes int
	// noBlockCounts makes searches read rows where block counts would
	// answer (tests compare the two).
	noBlockCounts bool
	// noPlaceRead makes a page of whole events always read through
	// DuckDB, never by place (coldrows.go; tests compare the two).
	noPlaceRead bool
	// noNewestBound makes a page of every event read all the time range
	// and count its total by rows, never from the cold files' meta
	// (newest.go; tests compare the two).
	noNewestBound bool
	// noTermScan makes a search for full-text terms find its matches
	// through DuckDB, never in Go (termscan.go; tests compare the two).
	noTermScan bool
}

// DefaultQueryTimeout is Options.QueryTimeout's default (the reason is
// at store.DefaultQueryTimeout).
const DefaultQueryTimeout = store.DefaultQueryTimeout

func (o *Options) setDefaults() {
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = 64 << 20
	}
	if o.SegmentAge <= 0 {
		o.SegmentAge = time.Minute
	}
	if o.HotBytes <= 0 {
		o.HotBytes = 256 << 20
	}
	if o.HotMaxBytes <= 0 {
		o.HotMaxBytes = 4 * o.HotBytes
	}
	o.HotMaxBytes = max(o.HotMaxBytes, o.HotBytes+2*o.SegmentBytes)
	if o.FileRows <= 0 {
		o.FileRows = 250_000
	}
	if o.FreezeBytes <= 0 {
		o.FreezeBytes = 64 << 20
	}
	if o.HotAge <= 0 {
		o.HotAge = 15 * time.Minute
	}
	if o.Retention == nil {
		o.Retention = func(string) (time.Duration, int64) { return 30 * 24 * time.Hour, 0 }
	}
	if o.MemoryLimit == "" {
		o.MemoryLimit = "2GB"
	}
	if o.IdleMemoryLimit == 0 {
		o.IdleMemoryLimit = DefaultIdleMemoryLimit
	}
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = DefaultQueryTimeout
	}
	if o.CompressionLevel <= 0 || o.CompressionLevel > 22 {
		o.CompressionLevel = 9
	}
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

type metrics struct {
	rows, bytes, tornBytes, corruptRows, frozenRows, retainedFiles, quarantinedRows, freezeFallbacks, duplicateRows *prometheus.CounterVec
	chainBreaks                                                                                                     *prometheus.CounterVec
	queries                                                                                                         prometheus.Counter
	queryErrors                                                                                                     prometheus.Counter
	queryTimeouts                                                                                                   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	cv := func(name, help string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "store", Name: name, Help: help}, []string{"dataset"})
		if reg != nil {
			reg.MustRegister(v)
		}
		return v
	}
	c := func(name, help string) prometheus.Counter {
		v := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "store", Name: name, Help: help})
		if reg != nil {
			reg.MustRegister(v)
		}
		return v
	}
	return &metrics{
		rows:            cv("written_rows_total", "Rows written durably to the hot log."),
		bytes:           cv("written_bytes_total", "Bytes written to the hot log."),
		tornBytes:       cv("torn_bytes_total", "Bytes cut from the end of the hot log at start (an unacknowledged write cut short by a crash)."),
		corruptRows:     cv("corrupt_rows_total", "Hot rows that could not be read when freezing (damaged on disk)."),
		frozenRows:      cv("frozen_rows_total", "Rows moved from the hot log to cold Parquet files."),
		duplicateRows:   cv("duplicate_rows_total", "Events not stored again: the same tenant, @timestamp and event.id as an event that is hot, was frozen by the latest freeze, or is frozen with them (a replayed or retried write)."),
		freezeFallbacks: cv("freeze_copy_fallbacks_total", "Freeze sets written by DuckDB's COPY because they held a value the direct cold writer does not convert exactly as DuckDB reads it."),
		quarantinedRows: cv("quarantined_rows_total", "Hot rows moved to quarantine/ by a freeze instead of cold files: a tenant name that is not valid, or a tenant whose rows failed to freeze on their own."),
		retainedFiles:   cv("retention_deleted_files_total", "Cold files deleted by retention."),
		chainBreaks:     cv("chain_breaks_total", "Breaks of the hash chain a freeze found in the hot segments it froze (data changed on disk; see vigil verify)."),
		queries:         c("queries_total", "Searches run."),
		queryErrors:     c("query_errors_total", "Searches that failed."),
		queryTimeouts:   c("query_timeouts_total", "Searches stopped by their time limit."),
	}
}

// checkpointThreshold is the size of DuckDB's WAL at which a commit
// checkpoints the database (DuckDB's default is 16 MB). The database holds
// the record tables (alerts, incidents, responses): in an alert storm each
// checkpoint writes their changed row groups and primary-key indexes
// again, at a cost that grows with the tables, and a 16 MB WAL is reached
// every few applied batches. 64 MB checkpoints a quarter as often
// (docs/bench.md, "Fewer checkpoints"); the cost is up to 64 MB more WAL on
// disk, replayed at the next start.
const checkpointThreshold = "64MB"

// Store is the embedded store. It implements store.Store.
type Store struct {
	opts     Options
	log      *slog.Logger
	m        *metrics
	db       *sql.DB
	conn     *duckdb.Connector
	datasets map[store.Dataset]*dataset
	mem      memTrim

	stop    chan struct{}
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

var _ store.Store = (*Store)(nil)

// Open opens (or creates) the store under opts.Dir/store and starts its
// background work.
func Open(opts Options) (*Store, error) {
	opts.setDefaults()
	if opts.Dir == "" {
		return nil, errors.New("open store: no data directory")
	}
	root := filepath.Join(opts.Dir, "store")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{opts: opts, log: opts.Logger.With("component", "store"), m: newMetrics(opts.Registerer),
		datasets: map[store.Dataset]*dataset{}, stop: make(chan struct{})}
	tmpDir := filepath.Join(root, "duckdb.tmp")
	if err := os.RemoveAll(tmpDir); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	dsn := filepath.Join(root, "vigil.duckdb") + "?autoinstall_known_extensions=false&autoload_known_extensions=false" +
		"&memory_limit=" + opts.MemoryLimit + "&temp_directory=" + tmpDir + "&preserve_insertion_order=false" +
		"&checkpoint_threshold=" + checkpointThreshold
	if opts.Threads > 0 {
		dsn += fmt.Sprintf("&threads=%d", opts.Threads)
	}
	// Every connection gets the SQL macros compiled queries use.
	conn, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, stmt := range sqlgen.DuckDBSetup {
			if _, err := ex.ExecContext(context.Background(), stmt, nil); err != nil {
				return fmt.Errorf("set up connection: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	s.conn = conn
	s.db = sql.OpenDB(conn)
	for _, name := range store.Datasets {
		d, err := openDataset(name, root, &s.opts, s.log, s.m)
		if err != nil {
			s.db.Close()
			return nil, fmt.Errorf("open dataset %s: %w", name, err)
		}
		s.datasets[name] = d
		if opts.Registerer != nil {
			opts.Registerer.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Namespace: "vigil", Subsystem: "store", Name: "write_failing",
				Help:        "1 while writes to the dataset's hot log fail (a full disk, say); they are retried every interval and on each write.",
				ConstLabels: prometheus.Labels{"dataset": string(name)},
			}, func() float64 {
				if d.hot.failure() != nil {
					return 1
				}
				return 0
			}))
		}
	}
	if opts.Registerer != nil {
		opts.Registerer.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "vigil", Subsystem: "store", Name: "duckdb_memory_bytes",
			Help: "Memory DuckDB's buffer manager holds (queries, freezes by COPY, the record tables' pages), bounded by storage.memory_limit; -1 when it cannot be read.",
		}, s.duckdbMemory))
	}
	s.wg.Add(2)
	go s.background()
	go s.trimLoop()
	return s, nil
}

// duckdbMemory is the memory DuckDB's buffer manager holds now, in bytes.
func (s *Store) duckdbMemory() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var n sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT sum(memory_usage_bytes) FROM duckdb_memory()`).Scan(&n); err != nil {
		return -1
	}
	return float64(n.Int64)
}

// Name implements pipeline.Sink.
func (s *Store) Name() string { return "store" }

// Write implements store.Store: it returns once the events are fsynced.
func (s *Store) Write(_ context.Context, events []*event.Event) error {
	if err := s.datasets[store.Events].write(events); err != nil {
		return fmt.Errorf("store events: %w", err)
	}
	return nil
}

// WriteDeadLetters implements pipeline.DeadLetterSink: dead letters are
// stored as events of kind pipeline_error in the deadletters dataset.
func (s *Store) WriteDeadLetters(_ context.Context, letters []pipeline.DeadLetter) error {
	if len(letters) == 0 {
		return nil
	}
	events := make([]*event.Event, len(letters))
	for i, dl := range letters {
		events[i] = store.DeadLetterEvent(dl)
	}
	if err := s.datasets[store.DeadLetters].write(events); err != nil {
		return fmt.Errorf("store dead letters: %w", err)
	}
	return nil
}

// WriteAudit implements audit.Sink: audit entries, rendered as events, are
// stored durably in the audit dataset.
func (s *Store) WriteAudit(_ context.Context, events []*event.Event) error {
	if err := s.datasets[store.Audit].write(events); err != nil {
		return fmt.Errorf("store audit entries: %w", err)
	}
	return nil
}

// Freeze moves all hot data of every dataset to cold storage now. A
// dataset that fails does not keep the others from freezing.
func (s *Store) Freeze(ctx context.Context) error {
	defer s.mem.busy()()
	var errs []error
	for _, name := range store.Datasets {
		if err := s.datasets[name].freeze(ctx, s.db, true); err != nil {
			errs = append(errs, fmt.Errorf("freeze %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Store) background() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx := context.Background()
		for _, name := range store.Datasets {
			if failed := s.datasets[name].hot.failure(); failed != nil {
				if err := s.datasets[name].hot.retryWrites(); err != nil {
					s.log.Warn("hot log writes still fail", "dataset", name, "err", err)
				} else {
					s.log.Info("hot log writes work again", "dataset", name, "after", failed)
				}
			}
			if n, backlog := s.datasets[name].hot.waitingForRoom(); n > 0 {
				s.log.Warn("freezing has fallen behind ingest: writes wait until it makes room", "dataset", name, "hot_bytes", backlog, "hot_max_bytes", s.opts.HotMaxBytes, "waiting_writes", n)
			}
			if err := s.datasets[name].freeze(ctx, s.db, false); err != nil && !errors.Is(err, errClosed) {
				s.log.Error("freeze failed; hot data stays hot and is retried", "dataset", name, "err", err)
			}
			if err := s.datasets[name].retain(s.opts.Now()); err != nil {
				s.log.Error("retention failed", "dataset", name, "err", err)
			}
		}
	}
}

// Degraded returns why the store is not fully working, one reason a line,
// or nil when it is: a dataset whose writes fail (until they recover), or
// whose writes wait for freezing to make room (Options.HotMaxBytes). The
// reason is the system's error without the file's path: health needs no
// credentials.
func (s *Store) Degraded() []string {
	var out []string
	for _, name := range store.Datasets {
		if err := s.datasets[name].hot.failure(); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			out = append(out, fmt.Sprintf("store: writes to %s fail: %v", name, err))
		}
		if n, backlog := s.datasets[name].hot.waitingForRoom(); n > 0 {
			out = append(out, fmt.Sprintf("store: writes to %s wait for freezing: %d bytes are hot, at storage.hot_max_bytes (%d)", name, backlog, s.opts.HotMaxBytes))
		}
	}
	return out
}

// Close stops background work and closes the hot logs and DuckDB. Data
// stays in the hot log; it is frozen on a later run.
func (s *Store) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.stop)
	s.wg.Wait()
	var errs []error
	for _, name := range store.Datasets {
		d := s.datasets[name]
		d.freezeMu.Lock()
		errs = append(errs, d.hot.close())
		d.cold.opened.close()
		d.freezeMu.Unlock()
	}
	errs = append(errs, s.db.Close(), s.conn.Close())
	return errors.Join(errs...)
}
