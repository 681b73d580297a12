package queue

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// SyncPolicy says when appended records are fsynced.
type SyncPolicy int

const (
	// SyncBatch (the default) fsyncs before Append returns: a record whose
	// Append returned survives kill -9 and power loss. Concurrent appenders
	// share fsyncs (group commit).
	SyncBatch SyncPolicy = iota
	// SyncInterval fsyncs every Options.SyncInterval: Append returns once
	// the records are written to the OS, which keeps them across kill -9
	// but not across a power failure within the interval.
	SyncInterval
	// SyncNever never fsyncs while running (Open, Sync and Close still
	// do): for tests and benchmarks.
	SyncNever
)

func (p SyncPolicy) String() string {
	switch p {
	case SyncBatch:
		return "batch"
	case SyncInterval:
		return "interval"
	case SyncNever:
		return "never"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// ParseSyncPolicy parses "batch", "interval" or "never".
func ParseSyncPolicy(s string) (SyncPolicy, error) {
	for _, p := range []SyncPolicy{SyncBatch, SyncInterval, SyncNever} {
		if s == p.String() {
			return p, nil
		}
	}
	return 0, fmt.Errorf("parse sync policy %q: want batch, interval or never", s)
}

// Defaults, with the reasoning behind them.
const (
	// DefaultMaxAge keeps undelivered data for 7 days: long enough for a
	// receiver that goes down on a Friday evening of a long weekend to be
	// noticed, repaired and caught up, which is what the delivery service
	// Vigil replaces promised its customers.
	DefaultMaxAge = 7 * 24 * time.Hour
	// DefaultMaxBytes keeps at most 80 GB (decimal, as vigil.yaml's "80GB")
	// per output and tenant: 7 days of a tenant sending 132 KB/s (80e9 B /
	// 604,800 s), ~440 events/s of 300 bytes, fit; a busier tenant hits the byte limit
	// first and loses its oldest data, which is the promise of the service
	// Vigil replaces. Size the disk for the sum over tenants and outputs.
	DefaultMaxBytes = 80_000_000_000
	// DefaultWarnRatio raises the health warning at 80% of either limit, so
	// an operator has a fifth of the limit's time (~34 hours of the age
	// limit) to fix the receiver before data is dropped.
	DefaultWarnRatio = 0.8
	// DefaultSegmentBytes (64 MiB) makes the byte limit drop data in steps
	// of under 0.1% of 80 GB, keeps the number of files at 80 GB near 1,200,
	// and lets one segment be read back in about 0.1 s.
	DefaultSegmentBytes = 64 << 20
	// DefaultSegmentMaxAge starts a new segment at least hourly, so that at
	// a trickle the age limit drops data in steps of an hour rather than of
	// whole 64 MiB files that may span days.
	DefaultSegmentMaxAge = time.Hour
	// DefaultMaxRecordBytes bounds one record at 64 MiB, the largest HTTP
	// ingest body: no single event can be larger than the request that
	// carried it.
	DefaultMaxRecordBytes = 64 << 20
	// DefaultSyncInterval is the fsync period of SyncInterval and of the
	// ledger: at most a second of acknowledgements is redone after a power
	// failure.
	DefaultSyncInterval = time.Second
	// maintainInterval is how often the age limit, segment age and health
	// are checked: a second is far finer than an age limit of days and
	// costs nothing when nothing changes.
	maintainInterval = time.Second
	// minSegmentBytes keeps segments from becoming uselessly small when a
	// tiny byte limit shrinks them (see Options.SegmentBytes).
	minSegmentBytes = 4 << 10
)

// Options configure a Queue. Zero values take the defaults; a negative
// MaxAge or MaxBytes means no limit.
type Options struct {
	// Output and Tenant label the queue's metrics, status and log lines.
	// Tenant is also written into every record. Default tenant: "default".
	Output, Tenant string
	// Sync is the fsync policy. Default: SyncBatch.
	Sync SyncPolicy
	// SyncInterval is the period of SyncInterval and of ledger fsyncs.
	SyncInterval time.Duration
	// MaxAge drops segments whose every record is older. Default: 7 days.
	MaxAge time.Duration
	// MaxBytes drops the oldest segments while the segments take more.
	// Default: 80 GB.
	MaxBytes int64
	// WarnRatio is the fraction of a limit at which Health warns.
	WarnRatio float64
	// SegmentBytes is the size at which a new segment is started. It is
	// capped at a quarter of MaxBytes so the limit drops data in steps of at
	// most a quarter. Default: 64 MiB.
	SegmentBytes int64
	// SegmentMaxAge starts a new segment when the current one is older.
	SegmentMaxAge time.Duration
	// MaxRecordBytes is the largest record Append accepts.
	MaxRecordBytes int
	// Logger receives drops, corruption and torn tails. Default: slog.Default().
	Logger *slog.Logger
	// OnHealth, when set, is called (from a background goroutine, never with
	// a lock held) each time the queue's health level changes.
	OnHealth func(Status)
	// FS is the file system. Default: OSFS{}.
	FS FS
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() error {
	if o.Tenant == "" {
		o.Tenant = event.DefaultTenant
	}
	if o.Sync < SyncBatch || o.Sync > SyncNever {
		return fmt.Errorf("options: unknown sync policy %d", o.Sync)
	}
	if o.SyncInterval <= 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.MaxAge == 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.WarnRatio == 0 {
		o.WarnRatio = DefaultWarnRatio
	}
	if o.WarnRatio < 0 || o.WarnRatio > 1 {
		return fmt.Errorf("options: warn ratio %v is not in (0, 1]", o.WarnRatio)
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.MaxBytes > 0 && o.SegmentBytes > o.MaxBytes/4 {
		o.SegmentBytes = max(o.MaxBytes/4, minSegmentBytes)
	}
	if o.SegmentMaxAge <= 0 {
		o.SegmentMaxAge = DefaultSegmentMaxAge
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxRecordBytes > maxBodySize-recordHeaderSize-len(o.Tenant)-10 {
		return errors.New("options: MaxRecordBytes is above the format's 1 GiB record limit")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.FS == nil {
		o.FS = OSFS{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}
