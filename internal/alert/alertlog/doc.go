// Package alertlog owns the durable append log in front of alert triage on
// a store node: the alert sink detection writes to, and the one background
// applier that moves what it holds into the alert table, incident grouping
// and response dispatch (internal/app openTriage's chain).
//
// Writing alerts into DuckDB batch by batch inside the ingest path cost
// most of the server's CPU in an alert storm (statement preparation and a
// commit per small batch). Instead, Log.WriteAlerts appends the batch's
// alerts, one JSON record each, to an internal/queue disk queue, fsynced
// with group commit, and returns: an alert whose WriteAlerts returned
// survives kill -9 (and power loss). The applier drains the log every
// Options.Interval, or when a reader asks (Flush), in batches of up to
// Options.MaxBatch alerts, hands each batch to the chain, and then
// acknowledges it in the queue's ledger.
//
// # Exactly the unapplied tail
//
// A batch is acknowledged only after the chain took it, so a crash between
// the two applies it again at the next start. Applying again is harmless:
// alerts are upserts keyed by alert id (and a detection update never
// touches an analyst's triage, kept in its own table); incident grouping
// treats an alert already in an incident as an update of its copy, never
// adding it twice. Response dispatch gets such a batch again; it skips
// the alerts whose jobs it recorded (it reads the last day's records back
// at start), and a receiver drops a duplicate by its delivery id.
//
// # Reads
//
// Readers of alerts and incidents call Flush first, which applies
// everything appended so far before they answer, so an API read sees every
// alert whose events were acknowledged.
//
// The record format is the queue's (docs/format/queue.md); the body of
// each record is one alert as JSON (docs/format/alertlog.md).
package alertlog
