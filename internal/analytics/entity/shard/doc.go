// Package shard runs entity analytics sharded by entity over a Kafka bus,
// so that each entity's baselines and risk are learned by exactly one
// engine whatever the number of detect nodes (issue 17, item 3): the
// routing of events and alerts to the partition of their entity, and the
// engines of the partitions a node owns. The partitions, their ownership
// and their state topic are package keyshard's; the analytics are package
// entity's.
//
// The flow:
//
//	detect node: events batch (a Kafka transaction, correlate/shard.Consumer)
//	    event ──Router.Events──► entity topic, one record per entity it feeds,
//	                             key (tenant, type, name)
//	    alert of a rule, correlation or intel ──Router.Alerts──► entity topic,
//	                             one record per user, host, source address
//	    event showing a value of a rarity analytic with min_peers ──► entity
//	                             topic, key (tenant, analytic, value)
//	owner of a value's partition: Engine.CountPeerFor ──► the event and its
//	    peer count, to the entity's partition, in the transaction of the
//	    partition's next state (keyshard's Outbox) ──► Engine.WritePeersFor
//	owner of partition p: records ──Engine.WriteFor / AddAlertsFor──►
//	    anomaly and risk alerts ──► Out
//	every SnapshotEvery records: Engine.State + next offset ──► state topic
//
// Events and alerts are routed inside the transaction of the batch they
// came from, so each is in the entity topic once however often its batch
// is read (alerts raised outside a batch, the firings of correlations, are
// routed at least once: an alert adds risk once per id). An owner killed
// -9 loses nothing acknowledged: its successor restores the last state
// and replays the records after it, and the alerts the replay raises
// again have the ids the first run gave them (anomaly ids hash the entity,
// value, event id and time; risk alert ids the entity and time), so they
// update rather than duplicate.
//
// The record format is in docs/format/entity-shard.md.
package shard
