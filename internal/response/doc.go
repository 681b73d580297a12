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
// the responses, and puts a job on the response's bounded queue without
// waiting: detection is never slowed by a receiver. A full queue drops the
// job, counts it and records it with the outcome "dropped". Each response
// has its own queue and workers, so a receiver that hangs holds up only its
// own response.
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
// Jobs live in memory: a crash or a stop loses the jobs still queued (a
// stop records them as dropped). Responses are at-least-once per attempt
// and best-effort per job; the durable, exactly-once path for alerts is an
// output route (docs/outputs.md). Secrets (webhook secrets and headers,
// SASL passwords, program environment values) never appear in records or
// logs: errors are rebuilt without URLs' paths and queries.
//
// The syslog client is written here rather than taken from a library: it
// is ~150 lines (RFC 5424 formatting, octet-counting or LF framing, one
// reconnecting connection), and the Go syslog packages either lack TLS and
// octet counting (log/syslog) or are parsers, not clients.
package response
