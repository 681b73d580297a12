// Package keyshard owns the partitions of a keyed Kafka topic among the
// members of a consumer group, each partition's in-memory state, and the
// hand-over of that state when partitions move (issue 17, item 3): the
// machinery that correlation (internal/detect/correlate/shard) and entity
// analytics (internal/analytics/entity/shard) sharded by key share. What a
// partition's state is, and what its records mean, is the Machine's.
//
// The flow, for a topic T whose records are keyed so that all records of
// one key are in one partition:
//
//	owner of partition p: records ──Machine.Process──► (the machine emits)
//	every SnapshotEvery records: Machine.State + next offset ──► state topic,
//	                             partition p (compacted); then commit next
//	partition p assigned: last state record of p ──Machine.Restore──►;
//	                      consume T from its next offset
//
// A record's offset is committed only after a state that includes it is
// acknowledged by the brokers (acks=all); a member that dies loses the
// records since its last state record from its memory, not from the bus,
// and the next owner replays them from that state's offset: nothing
// acknowledged is lost and nothing is counted twice. A replay makes the
// machine emit again what it emitted for those records; machines give
// what they emit stable ids, so writing it again updates rather than
// duplicates. The Owner reads committed records only.
//
// The state of partition p is written in Kafka transactions of the
// transactional id "<Group>.<p>", the same on every member; a member
// taking p over initialises that id before it reads p's last committed
// state, which aborts what the previous owner left open and fences it if
// it still runs (a zombie, paused past its session timeout): its later
// state transactions are refused and it drops the partition. A Machine
// that makes records of its own (Outbox: correlation's chained hits) has
// them produced in the transaction of its next state.
//
// The state record format is in docs/format/correlation-shard.md.
package keyshard
