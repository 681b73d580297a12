package shard

import (
	"time"

	"github.com/vigilsiem/vigil/internal/bus/keyshard"
)

// Limits and defaults, with the reasons.
const (
	// RecordVersion is the first byte of every hit and state record; a
	// reader refuses other versions rather than misread them.
	RecordVersion = 1
	// ChainRecordVersion is the first byte of a chained hit record (the
	// firing of an inner correlation routed to the outer correlation's
	// key), which adds the firing's event ids to a hit record.
	ChainRecordVersion = 2
	// DefaultSnapshotEvery, DefaultSnapshotInterval, DefaultTickInterval
	// and MaxStateRecord are the key shard's (package keyshard), which
	// keeps the partitions and their state.
	DefaultSnapshotEvery    = keyshard.DefaultSnapshotEvery
	DefaultSnapshotInterval = keyshard.DefaultSnapshotInterval
	DefaultTickInterval     = keyshard.DefaultTickInterval
	// MaxHitRecord bounds a hit record: a hit carries a few group-by and
	// value fields, far less.
	MaxHitRecord   = 64 << 10
	MaxStateRecord = keyshard.MaxStateRecord
	// DefaultTransactionTimeout bounds a Consumer's transaction: a batch
	// of DefaultMaxPollRecords events takes milliseconds to match and
	// route, and this is also how long the hits behind the open
	// transaction of a killed member stay unreadable to the Owners (the
	// brokers abort it then). Kafka clients default to 60 s; detection
	// latency after a crash matters more here.
	DefaultTransactionTimeout = 10 * time.Second
	// DefaultMaxPollRecords bounds the events of one transaction, the
	// pipeline's batch size.
	DefaultMaxPollRecords = 1000
	// retryBackoff spaces the retries of a batch whose processing failed
	// (its transaction aborted), so a lasting failure does not spin.
	retryBackoff = time.Second
)
