// Package sources owns source health: which log sources a tenant has, when
// each was last seen, its event rate over the last minute, hour and day, its
// parse errors, and the alerts raised when one falls silent, drops in
// volume or starts failing to parse (docs/sources.md).
//
// A log source is a sending host (or stream) within a configured source
// listener and a tenant: the key is (tenant, source, host), where host is
// the event's host.name, else host.hostname, else the sender's address
// (log.source.address without its port), else empty (the stream itself).
//
// The Tracker is a pipeline sink placed right after the store, so it sees
// exactly the events the store acknowledged; DeadLetters wraps the
// dead-letter sink so parse errors count against the host that sent them.
// Time is arrival time from an injectable clock: silence is about the
// present, and a replayed archive says nothing about a sender's live rhythm.
// Run checks every source at a fixed interval and writes alerts to an
// alert.Sink, the same one detection writes to, so health alerts are stored,
// grouped into incidents and answered like any other.
//
// The state is saved to a file every minute and at shutdown, and read back
// at start (docs/format/sources.md). State is bounded: each tracked source costs about 1.3 KiB (counter rings
// for 60 seconds, 60 minutes and 60 hours), at most MaxSourcesPerTenant per
// tenant and MaxTenants tenants; limits.go gives the defaults and their
// reasons, and what happens past them.
package sources
