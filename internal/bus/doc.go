// Package bus owns the message bus that connects the roles of a
// distributed deployment (DESIGN §8, docs/configuration.md "bus"): the
// topics, how events and alerts are written to them and how they are read
// back with consumer groups. It runs over Kafka (franz-go), with the
// connection settings of internal/kafkaconn.
//
// Topics, for the topic prefix P (default "vigil"; docs/format/bus.md):
//
//   - P.events: normalised, enriched events in the binary form
//     (event.AppendBinary, docs/format/event-binary.md), keyed by tenant
//     and entity (host.name, else source.ip, else the event's source) so
//     that one partition holds the related events of an entity;
//   - P.alerts: alert documents (docs/format/alerts.md) as JSON, keyed by
//     tenant and alert id so that the updates of one alert stay in order.
//   - P.watchlists: watch-list writes as ops (docs/format/watchlist-ops.md),
//     keyed by tenant and list, read whole by every detect node with no
//     group and read committed only (watchlists.go: WatchlistPublisher,
//     ConsumeWatchlists); a detect batch's rule writes are produced in its
//     transaction.
//
// An event's envelope (tenant, source, event.id) is the one the ingest node
// gave it: only authenticated Vigil nodes can write to the bus. A consumer
// still checks each tenant (event.ValidTenant) and dead-letters a record
// it cannot decode or whose tenant is invalid, so such a record never
// reaches a store.
//
// Delivery is at least once. Publish returns once every record is
// acknowledged by the brokers (all in-sync replicas); a consumer commits a
// batch's offsets only after its handler returned nil, so a node killed
// between the two reads the batch again, and the stable event.id (or
// alert id) makes the replay harmless in the stores.
//
// The interface of the roles (internal/app wires them, app/bus.go):
//
//   - ingest: Bus.EventSink is the pipeline's sink: it publishes each
//     batch to P.events (Bus.PublishEvents) and returns once the brokers
//     have it, at most bus.kafka.publish_timeout, so the sources are
//     acknowledged only then;
//   - every role's alerts: Bus.AlertSink (Bus.PublishAlerts) to P.alerts;
//   - detect (internal/app/role_detect_bus.go): a transactional client of
//     its own on P.events in group b.Group("detect") (Bus.ClientOptions,
//     DecodeEvents), which writes a batch's alerts (Bus.AlertRecords) and
//     correlation hits (Bus.Topic("hits"), Bus.Producer) in the Kafka
//     transaction that commits the batch's offsets; Bus.ConsumeEvents
//     with a handler is the simpler, non-transactional way for a role
//     that produces nothing;
//   - store: Bus.ConsumeEvents with Group b.Group("store") into the
//     storage backend, gathering several polls into one write
//     (Consumer.BatchRows, Consumer.Linger: gather.go), and Bus.ConsumeAlerts with the same group into the
//     durable alert log;
//   - parts with topics of their own (the correlation shards): Bus.Topic,
//     Bus.CreateTopics, Bus.ClientOptions, Bus.Brokers and Bus.Producer
//     (clients.go).
package bus
