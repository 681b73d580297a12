package shard

import "time"

// Limits and defaults, with the reasons.
const (
	// RecordVersion is the first byte of every hit and state record; a
	// reader refuses other versions rather than misread them.
	RecordVersion = 1
	// ChainRecordVersion is the first byte of a chained hit record (the
	// firing of an inner correlation routed to the outer correlation's
	// key), which adds the firing's event ids to a hit record.
	ChainRecordVersion = 2
	// DefaultSnapshotEvery is how many hits of a partition are processed
	// between two state records: a new owner replays at most this many
	// per partition, and the state topic gets one record per this many.
	DefaultSnapshotEvery = 10_000
	// DefaultSnapshotInterval writes the state of a partition that got
	// hits at least this often, so a quiet partition's replay stays short.
	DefaultSnapshotInterval = 30 * time.Second
	// DefaultTickInterval is how often the engines close the windows of
	// quiet tenants (correlate.Engine.Tick), and the longest a poll waits.
	DefaultTickInterval = time.Second
	// MaxHitRecord bounds a hit record: a hit carries a few group-by and
	// value fields, far less.
	MaxHitRecord = 64 << 10
	// MaxStateRecord bounds a state record. Kafka's default
	// max.message.bytes is 1 MiB; the state topic must be created with
	// max.message.bytes at least this (docs/format/correlation-shard.md),
	// and a partition's state above it is not written (logged; its
	// offsets are then not committed, so nothing is lost, but the replay
	// grows): more partitions keep each state smaller.
	MaxStateRecord = 64 << 20
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
	// stateLookBack is how many offsets before the end of a state
	// partition its last committed state is first looked for (then 8
	// times more, and so on): a committed state transaction ends with one
	// marker after its record, and each aborted one (a fenced owner's)
	// adds two more.
	stateLookBack = 8
	// retryBackoff spaces the retries of a batch whose processing failed
	// (its transaction aborted), so a lasting failure does not spin.
	retryBackoff = time.Second
)
