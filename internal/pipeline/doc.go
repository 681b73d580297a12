// Package pipeline owns the flow of records from sources to sinks: the
// contracts sources, processors and sinks implement, batching, bounded
// queues with back-pressure, dead-lettering and the telemetry every
// component reports.
//
// The flow (DESIGN §2):
//
//	Source ──Submit(Batch)──► [bounded queue] ──► worker: parse → processors → sinks ──► ack
//
// Ownership rules:
//   - A source hands a Batch to Submit and must not touch it afterwards; the
//     pipeline owns it until the batch's ack function has been called.
//   - Record.Data is owned by the batch; sources copy bytes out of their read
//     buffers (Batcher does).
//   - A processor or sink receives []*event.Event for the duration of one
//     call. It may keep field values (strings are immutable) but never the
//     *event.Event or the slice: both are reused once every sink has returned.
//   - Sinks run one after another for a batch, in the order they were given;
//     the first sink that fails stops the batch and its error goes to the ack.
//     The store sink comes first, so an ack means "durable".
//
// Back-pressure: Submit blocks while the queue is full, so a source stops
// reading and TCP pushes back on its senders. Nothing is dropped silently:
// every record ends as an event in the sinks, a dead letter, or a counted
// drop (for instance a UDP datagram larger than the configured maximum).
package pipeline
