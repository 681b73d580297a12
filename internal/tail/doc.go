// Package tail owns live tail's fan-out: a pipeline sink (Hub) that tells
// each subscriber which events of its tenant were just stored, as batches
// of event ids with their time span. The API (internal/api/tail.go) turns a
// subscription into server-sent events, running the subscriber's filter
// over each batch's ids through the store, so a tailed query matches
// exactly what the same search matches.
//
// Bounds (limits.go): subscribers in all and per tenant, batches queued
// per subscriber, ids per batch, and a subscription's lifetime. A
// subscriber whose queue is full is a slow consumer: it is dropped (its
// Gone channel closes with the reason) and counted in
// vigil_tail_dropped_total; the pipeline never waits for one.
package tail
