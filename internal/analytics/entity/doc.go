// Package entity owns behaviour analytics and risk for entities: the
// baselines each declared analytic learns per (tenant, entity) in event
// time, the anomalies they find, the alerts those raise, and each
// entity's risk score with its history.
//
// Kinds of analytic (docs/analytics.md lists the built-in ones):
//
//   - first_seen: the entity shows a value (a country, an ASN, a parent →
//     child pair) it never showed before, once it has been watched for
//     the analytic's learning period;
//   - rarity: the value was seen by the entity on fewer than min_days
//     earlier days, or by fewer than min_peers other entities of the tenant;
//   - rate: the hourly count, sum or distinct count of the entity is more
//     than threshold MADs above the median of the same hour of week (±1
//     hour) in up to rateWeeks past weeks, stored log-quantised in a byte;
//   - travel: two located logins of the entity are further apart than
//     max_speed_kmh allows in the time between them.
//
// Every event is placed in time by its @timestamp (bounded by MaxFuture
// past its receipt), never by the wall clock: replayed history trains the
// baselines exactly as live traffic does. Alerts are ordinary alert.Alert
// values with Analytic set; they and the alerts of other detectors (the
// AlertSink wrapper) add risk to their entities: points by level, raised
// for critical assets and privileged users, halving every half-life of
// event time. An entity crossing the risk threshold raises a risk alert
// citing the contributing alerts and events.
//
// Memory is bounded: at most MaxEntities entities (past it the least
// recently seen of a random sample is forgotten), MaxValues values per
// entity and analytic, maxPeerValues values per tenant and analytic for
// peer counts, maxContributions risk contributions per entity. Baselines
// are written to a snapshot file (docs/format/baselines.md) every
// SnapshotInterval and at Close, and read back by New.
package entity
