// Package forward owns delivery (DESIGN §7): routes that choose which
// events and alerts go to which outputs, the durable queue each output
// drains, and the loop that drains it with batching, throttling, retries
// and backoff, with the status and metrics of every output. The outputs
// themselves live in sub-packages (folder, kafka, syslog, http) and
// register their configuration types with internal/config.
//
// # Flow
//
//	pipeline ──► store sink ──► Router (a pipeline.Sink) ──► queue.Set per output ──► runner ──► Output ──► receiver
//	alerts ────► alert store ──► AlertSink ─────────────────┘   (one Queue per tenant)   (batch, throttle, retry, ack)
//
// The Router runs after the store sink, so what is queued is stored. For
// each event it finds the routes that take it (kind, tenant, source,
// filter), applies the route's field selection, encodes the event in its
// binary form (event.AppendBinary) and appends it to the queue of each of
// the routes' outputs; Write returns once every queue has fsynced (the
// queue's SyncBatch policy), so the pipeline acknowledges a batch only
// when its events are durable in every queue that takes them. An event
// goes to an output once even when several routes send it there: the first
// matching route (in configuration order) decides its field selection.
//
// # Delivery
//
// Each output has one runner goroutine. It reads a batch of one tenant
// from the output's queue.Set, waits for the throttle's tokens, and calls
// Output.Send. A failed send parks the tenant: its batch is rewound in its
// queue and read again after the tenant's own backoff (exponential, with
// jitter, capped), while the runner goes on with the other tenants, so one
// tenant's failure never holds up another's delivery. (A Flusher's failure
// still rewinds every tenant: its files hold them all.) Only then does it acknowledge the batch to
// the queue (the folder output, a Flusher, is acknowledged when the file
// holding the batch has been renamed into place). So delivery is at least
// once: a crash between Send and Ack sends the batch again, and every
// event carries its stable event.id so the receiver drops the duplicate.
//
// An error wrapped with Permanent says the receiver will never take the
// batch (an HTTP 400, a record over the broker's size limit): the runner
// splits the batch in halves and sends each, down to single events, and
// drops (and counts, and logs) only the events that are refused on their
// own. Every other error is retried forever; the queue's limits (7 days /
// 80 GB per tenant by default) bound what waits, dropping the oldest data
// visibly when they are hit.
//
// # Status
//
// Manager.Status, GET /api/v1/outputs and /metrics report per output the
// events delivered, failed (events in attempts that failed, counted per
// attempt) and dropped, the queue's depth and the age of its oldest
// undelivered event, and its health; RunHealthAlerts raises an alert when
// a queue passes 80% of a limit or drops data.
package forward
