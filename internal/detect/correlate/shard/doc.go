// Package shard runs correlation sharded by key over a Kafka bus, so that
// counts are exact whatever the number of detect nodes (issue 17, item 3).
// It owns the routing of hits to their key's partition, the ownership of
// partitions by the members of a consumer group, and the hand-over of
// their state when partitions move; the windows themselves are the
// correlate engine's.
//
// The flow:
//
//	detect node: events topic ──Consumer (a Kafka transaction per batch)──►
//	             Process: rules ──► Hits, alerts (produced in the transaction)
//	detect node: Hit ──Router.Route──► hit topic, key (tenant, correlation, group),
//	                                   partition murmur2(key) mod n
//	owner of partition p: records ──Engine.ProcessFor──► Firings ──emit
//	every SnapshotEvery records: engine state + next offset ──► state topic,
//	                             partition p (compacted); then commit next
//	partition p assigned: last state record of p ──Restore──► engine;
//	                      consume the hit topic from its next offset
//
// Each (tenant, correlation, group) is one key, so all of its hits are in
// one partition, in the order they were produced, and exactly one member
// of the group counts them. Each owned partition has its own in-memory
// engine, so the state of a partition moves as a whole.
//
// A record's offset is committed only after a state that includes it is
// acknowledged by the brokers (acks=all); a member that dies loses the
// hits since its last state record from its memory, not from the bus, and
// the next owner replays them from that state's offset: nothing
// acknowledged is lost and nothing is counted twice. The replay re-emits
// the firings of those hits with the alert ids the first run gave them,
// so writing them again updates rather than duplicates an alert.
//
// Chained correlations: a partition engine does not feed the firing of an
// inner correlation to the outer one (correlate.Options.RouteChains); the
// Owner routes it as a chained hit to the outer key's partition, produced
// in the transaction of the partition's next state record, so the state
// that fired and the hits it routed commit together (exactly once across a
// kill). Each partition's state is written through its own transactional
// id, the same on every member: the member taking a partition over
// initialises it before reading the state, which fences the previous
// owner if it is still running (a zombie past its session timeout).
//
// From events to hits it is exactly once: Consumer commits a batch's event
// offsets in the transaction that produced its hits, and Owner reads
// committed records only, so the hits of a batch whose node died before
// committing are aborted and routed again by the batch's next reader.
//
// The formats of both topics are in docs/format/correlation-shard.md.
package shard
