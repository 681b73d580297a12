// Package usage owns EPS metering per tenant, the unit KUMA licenses by:
// how many events and bytes each tenant's sources delivered, per hour and
// day, their average and peak events per second, and quotas that warn
// but never drop (docs/sources.md).
//
// The Meter is a pipeline sink placed right after the store, so it counts
// exactly what the store acknowledged, by arrival time (UTC). Counts live
// in hourly buckets; they survive restarts and crashes of the process
// through a snapshot and an append-only journal in the data directory
// (docs/format/usage.md). Quotas (events per second, events per day) raise
// an alert and set a metric when a tenant passes them; the events are
// stored all the same.
package usage
