package keyshard

import "time"

// Limits and defaults, with the reasons.
const (
	// StateVersion is the first byte of every state record; a reader
	// refuses other versions rather than misread them.
	StateVersion = 1
	// DefaultSnapshotEvery is how many records of a partition are
	// processed between two state records: a new owner replays at most
	// this many per partition, and the state topic gets one record per
	// this many.
	DefaultSnapshotEvery = 10_000
	// DefaultSnapshotInterval writes the state of a partition that got
	// records at least this often, so a quiet partition's replay stays
	// short.
	DefaultSnapshotInterval = 30 * time.Second
	// DefaultTickInterval is how often the machines are ticked (to close
	// the windows of quiet tenants), and the longest a poll waits.
	DefaultTickInterval = time.Second
	// MaxStateRecord bounds a state record. Kafka's default
	// max.message.bytes is 1 MiB; the state topic must be created with
	// max.message.bytes at least this (CreateTopics does), and a
	// partition's state above it is not written (logged; its offsets are
	// then not committed, so nothing is lost, but the replay grows): more
	// partitions keep each state smaller.
	MaxStateRecord = 64 << 20
	// DefaultTransactionTimeout bounds a state transaction (a produce and
	// a commit), and is how long a partition's records behind the open
	// transaction of a killed owner stay unreadable if no member takes
	// the partition over (a take-over aborts it at once).
	DefaultTransactionTimeout = 10 * time.Second
	// stateLookBack is how many offsets before the end of a state
	// partition its last committed state is first looked for (then 8
	// times more, and so on): a committed state transaction ends with one
	// marker after its record, and each aborted one (a fenced owner's)
	// adds two more.
	stateLookBack = 8
)
