// Package analytics is the home of Vigil's baselines (DESIGN §8b): compact
// per-key statistics learned in event time, so that replaying history
// trains them and tests run in seconds. It holds no code itself; its
// sub-packages own one use each:
//
//   - entity: behaviour analytics per entity (user, host, source IP,
//     process) and tenant — first-seen, rarity, hour-of-week rate
//     anomalies scored with median/MAD, impossible travel — and entity
//     risk with decay and risk alerts (docs/analytics.md);
//   - sources and usage: source health and per-tenant metering
//     (docs/sources.md).
//
// The sub-packages are pipeline sinks and alert producers; they import
// the event, alert, config and filter layers and never storage or HTTP
// (internal/api serves their views).
package analytics
