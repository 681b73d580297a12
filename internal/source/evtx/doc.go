// Package evtx owns the "evtx" source: it imports Windows event log files
// (.evtx) matching globs, once each, and submits their records as events
// (decoded by internal/parse/evtx, with event.original the record's XML
// unless configured off, and log.file.path the file).
//
// What was imported is remembered in DataDir/state/<source name>/imported.json,
// written atomically, one entry per path: its size and a hash of its header
// block and first chunk (the header changes with every record written), and
// the last record acknowledged by the pipeline. So a restart neither reads a
// file again nor skips one:
//
//   - a file whose size and hash match an imported one (here or under
//     another name) is not read again;
//   - an import that was interrupted goes on after its last durable record
//     (records in batches not yet acknowledged are read again: delivery is
//     at least once, and their ids are stable);
//   - a file that changed after its import (the log went on) is read again
//     from the start, skipping the records up to the last one imported
//     while the record ids go on from there;
//   - a file is imported only once it has been left unmodified for
//     settle (2 s), so a copy in progress is not read half-written.
//
// Event ids are stable: event.NewID over the record's computer, channel,
// EventRecordID and time (the file's hash and the record id when a record
// lacks them), so the same record in a renamed or re-exported copy keeps its
// id and a receiver can drop the duplicate.
//
// Damaged files are imported as far as they can be read: every problem the
// decoder reports (bad checksums, bad records, truncation) is logged, the
// file counts as an error in the source's telemetry and its state keeps the
// number of problems.
package evtx
