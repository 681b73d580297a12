// Package queue owns Vigil's durable disk queue: the store-and-forward
// buffer each output drains (DESIGN §7), so a receiver that is down, or a
// Vigil killed mid-way, loses no record.
//
// # Model
//
// A Queue holds the records of one output and one tenant (a Set holds one
// Queue per tenant for an output; set.go says why per tenant). Any number
// of goroutines Append batches of opaque records (event.AppendBinary
// output, say); one reader Reads them in order and Acks what the output
// delivered. Every record gets a sequence number, increasing by one; with
// SyncBatch the number of a record whose Append returned is never given to
// another. Delivery is at least once: after a crash
// or a Rewind the reader starts again after the last acknowledged record,
// and the records carry the event's stable event.id so receivers drop the
// duplicates.
//
// Durability follows the SyncPolicy: with SyncBatch (the default) Append
// returns only after an fsync, and concurrent appenders share one (group
// commit: while one fsync runs, the next appenders write their batches and
// the first of them to wait syncs all of them at once). The reader sees a
// record only once it is durable under the policy.
//
// # Files
//
// The queue's directory holds a ledger and segment files named by the
// sequence number of their first record:
//
//	ledger
//	00000000000000000001.seg
//	00000000000000052001.seg   (the active segment: appends go here)
//
// A new segment starts when the active one would pass SegmentBytes or is
// older than SegmentMaxAge. Segments whose every record was acknowledged
// are deleted; the limits (MaxBytes, MaxAge) delete the oldest whole
// segments, counting the undelivered records in them as dropped.
//
// # Segment format
//
// All integers are little endian; every checksum is CRC-32C (Castagnoli).
// A segment is a header followed by records:
//
//	segment header (28 bytes)
//	+--------+---------+----------+-----------+-------------+---------+
//	| magic  | version | reserved | first seq | created     | CRC     |
//	| "VQSG" | 1 (u8)  | 3 × 0    | u64       | i64 Unix ns | u32     |
//	+--------+---------+----------+-----------+-------------+---------+
//	0        4         5          8           16            24        28
//	CRC covers bytes 0-23.
//
//	record (29-byte header, then the body)
//	+------------+-------+----------+---------+-------------+----------+------------------+
//	| header CRC | flags | body len | seq     | append time | body CRC | body             |
//	| u32        | u8    | u32      | u64     | i64 Unix ns | u32      | body len bytes   |
//	+------------+-------+----------+---------+-------------+----------+------------------+
//	0            4       5          9         17            25         29
//	header CRC covers bytes 4-28; body CRC covers the body.
//	flags: bit 0 = last record of its Append (batch end); other bits 0.
//
//	body := uvarint(len(tenant)) tenant data
//
// The version byte is in the segment header (records have none): a reader
// refuses a segment of a version it does not know instead of guessing.
//
// Two checksums per record because the header's lets a scan find the next
// record after corruption cheaply (a candidate costs a 25-byte CRC, not a
// body's), and a record is accepted only if both match and its sequence
// number is not lower than expected.
//
// # Ledger format
//
// The ledger records what the reader delivered. It is two 64-byte slots,
// written in place (no rename, one write per Ack): updates go to the slot
// the last fsync did not make durable, and an fsync makes it the durable
// one, so a crash can tear only the slot written since; Open takes the
// valid slot with the higher generation:
//
//	ledger slot (64 bytes; slot 0 at offset 0, slot 1 at offset 64)
//	+--------+---------+----------+------------+-------+------------+------------+----------+-----+
//	| magic  | version | reserved | generation | acked | hint seg   | hint off   | reserved | CRC |
//	| "VQLG" | 1 (u8)  | 3 × 0    | u64        | u64   | u64        | i64        | 20 × 0   | u32 |
//	+--------+---------+----------+------------+-------+------------+------------+----------+-----+
//	0        4         5          8            16      24           32           40         60    64
//	CRC covers bytes 0-59. acked: every record up to it was delivered.
//	hint: where the record after it starts (checked before use).
//
// # Recovery
//
// Open reads the ledger and scans the active (newest) segment. Its records
// after the last batch end are a torn tail, an Append that a crash cut
// short and that never returned: they are truncated away, counted
// (Status.Torn, vigil_queue_torn_records_total) and logged, and Open
// succeeds. So after kill -9 every record whose Append returned is kept
// (with SyncBatch, also after a power failure) and no part of an Append
// that did not return is ever delivered.
//
// A record corrupted in the middle of the queue (a bad checksum that is
// not at the tail) is skipped when the reader reaches it: the reader scans
// forward to the next valid record, counts the records lost from the gap
// in sequence numbers (Status.Corrupt, vigil_queue_corrupt_records_total),
// logs it and goes on. A segment header that is corrupt is logged and its
// records are still read. A segment or ledger of an unknown version stops
// Open with an error. A ledger with no valid slot means delivery starts
// again from the oldest record.
//
// # Concurrency
//
// Append may be called from any number of goroutines; Read, TryRead, Ack
// and Rewind from one reader at a time. Status, Health and Sync are safe
// from anywhere. The lock ordering is on the Queue type.
//
// # Why our own
//
// VictoriaMetrics' persistentqueue has no acknowledgements (a read is a
// delivery) and nothing of it is importable as a library with Vigil's
// needs; Vector's disk_v2 buffer, the model for this one, is Rust. The
// format is small enough to own, and owning it lets the tests inject
// faults and crashes at every step.
package queue
