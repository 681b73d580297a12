// Package response owns Vigil's automated responses (DESIGN §6,
// docs/responses.md): actions run when an alert, or an incident, matches a
// configured response — a signed webhook, a program run without a shell, an
// RFC 5424 syslog message, a Kafka record — and the audit trail of every
// attempt (the store's response log, store.ResponseLog; GET
// /api/v1/responses; Prometheus counters).
//
// # Flow
//
// Dispatcher is an alert.Sink (after the alert store and the incident
// manager) and an incident.Notifier. It matches each new alert (a folded
// alert's later updates do not trigger again) or incident notice against
// the responses, and appends a job to the response's durable queue
// (internal/queue, the queue every output drains; one fsync per batch of
// alerts), never waiting for a receiver: detection is never slowed by one.
// A queue at its limit (queue + workers unfinished jobs) drops the job,
// counts it and records it with the outcome "dropped". Each response has
// its own queue and workers, so a receiver that hangs holds up only its own
// response.
//
// A worker runs a job's attempts: each attempt has the response's timeout,
// failed attempts that may succeed later (a network error, HTTP 5xx or 429,
// a program's non-zero exit or timeout) are retried with exponential
// backoff and jitter up to the configured number of attempts, and every
// attempt is recorded with its outcome: success, retry (failed, another
// attempt follows), failure (failed, given up) or dropped (never run).
//
// # What is sent
//
// Every action sends the same JSON envelope (Envelope): the kind (alert or
// incident), the response's name, a delivery id that is the same for every
// attempt and every restart (receivers drop duplicates by it), the tenant,
// the reason of an incident notice, and the alert or incident itself.
//
// # Guarantees and limits
//
// A job stays in its queue (DATA/state/responses/<name>) until its last
// attempt succeeded or failed for good: a stop, which does not wait out a
// backoff, or a crash loses none, and the next start runs it again with
// the same delivery id and body (its attempts count from 1 again).
// Responses are at-least-once: a job that ran before a crash acknowledged
// it runs again, and receivers drop the duplicate by its delivery id.
// Secrets (webhook secrets and headers,
// SASL passwords, program environment values) never appear in records or
// logs: errors are rebuilt without URLs' paths and queries.
//
// The wire clients are the outputs': a syslog response is written by the
// syslog output's RFC 5424 writer and sent over its connection
// (internal/forward/syslog), a Kafka response connects as the Kafka output
// and source do (internal/kafkaconn), and a webhook uses the HTTP output's
// transport (internal/forward/http). The webhook's request is its own: one
// signed envelope per POST, where the HTTP output POSTs batches.
package response
