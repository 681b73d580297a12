// Package objstore owns pull import: reading log files from a folder, an
// S3 bucket or an Azure container (the Bucket of sub-packages folder, s3
// and azblob) and importing each exactly once, remembering what was
// imported across restarts.
//
// # Exactly once
//
// Every record of an object has an ordinal (its line number, or its index
// among a CloudTrail file's records, from 1) and a position
// "<bucket>/<key>#<ordinal>", from which its event.id is derived
// (event.NewID over tenant, source, position and the record's bytes), so a
// record imported twice carries the same id both times.
//
// A state file per source, DataDir/state/<source name>/objects.json,
// keeps for each object its key, ETag and size, a status (importing,
// imported, failed) and Records: the ordinal up to which every record is
// durable. Records advances only when the pipeline acknowledges the
// batches holding those records (and every batch before them; batches are
// acknowledged out of order by parallel workers). The file is written
// atomically (temporary file, fsync, rename, fsync of the folder) at most
// every CheckpointInterval while objects are imported (less often when
// the state is so big that writing it takes more than 5% of the time),
// and when Run ends.
//
// After a crash, an object marked importing is read again from its first
// byte and its records up to Records are skipped: the object resumes after
// its last durable record. Only the records acknowledged in the last
// CheckpointInterval before the crash (or the batches in flight, which the
// store may have written without the acknowledgement arriving) are
// imported again, under the same event ids, so a consumer that keys on
// event.id drops them. Nothing is skipped: a record counts as imported
// only once the store has acknowledged it.
//
// An object is imported when its key, ETag and size are not in the state
// as imported or failed: a new object, or one whose content changed (a new
// ETag), which is then imported again from its start. State entries of
// objects a full listing no longer shows (deleted, moved, expired), and of
// objects older than ignore_older_than, are dropped, so the state stays as
// big as the live part of the bucket.
//
// # Listing
//
// Each poll lists the bucket. Stores that list in key order (S3) are asked
// only for keys after the highest key seen (start-after), except every
// full_scan_interval, when the listing starts from the first key: keys
// that arrive sorting before the highest one (CloudTrail writes under
// account/region/date paths, so a new file of another region sorts before
// the last one imported) are found by the next full scan at the latest.
// The first listing after a start is always full. Objects are imported in
// key order, up to MaxInFlight at a time awaiting acknowledgement.
//
// An object is ready when it has not been modified for settle, and, with
// done_marker set, once the object key+done_marker exists (markers are
// never imported).
//
// # Content
//
// Objects starting with the gzip magic bytes are decompressed, whatever
// their name; Parquet objects are refused. The layout is configured or,
// with auto, chosen per object from its first 64 KiB: a CloudTrail file
// ({"Records":[…]}, or CloudTrail records one per line) is decoded by
// awslog.CloudTrail; a VPC Flow Log (a header line of flow log field
// names) by awslog.FlowFormat; anything else is lines, each handed to the
// source's parser (format, default auto). Blank lines are skipped; a line
// longer than max_line_bytes is cut, counted as discarded. A CloudTrail or
// flow log record that cannot be decoded becomes an event with
// event.kind pipeline_error, error.message and the record as message, and
// is counted as an error: it stays searchable rather than lost.
//
// # Failures
//
// A batch the pipeline fails: the object is read again from its last
// durable record after a backoff, as often as needed. An object that
// cannot be read (the store refuses it, the connection breaks): tried
// again, up to max_attempts times in a row. An object whose content is
// damaged (corrupt gzip, a CloudTrail file cut in the middle): its
// records before the damage are imported, and it is recorded as failed
// with the reason (logged and kept in the state file) and not read again
// until it changes. Every failure counts in the source's errors; Stats and
// the Prometheus collector (vigil_import_objects_*) count objects imported,
// failed, pending and in flight.
package objstore
