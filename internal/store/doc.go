// Package store owns the storage facade: the interfaces every storage
// backend implements (the embedded DuckDB/Parquet store, ClickHouse), the
// request and result types of a search, the records the alert side keeps,
// and the shared conformance suites (storetest) that every backend must
// pass. It is the only place with SQL: packages above it see these
// interfaces, never a database handle.
//
// The interfaces, one concept per file:
//
//   - Store (store.go): events, dead letters and the audit log; written by
//     the pipeline, searched in the query language.
//   - Alerts (alert.go): the alerts detection raises and their triage.
//   - Incidents (incident.go): incidents, the alerts in them and their
//     timelines, with the entity keys their filter matches (entitykey.go).
//   - ResponseLog (response.go): every attempt of a response action.
//   - Dashboards (dashboard.go): the console's dashboards and saved
//     searches.
//
// The embedded backend keeps the last four in tables of its DuckDB
// database (store/alerts, store/incidents, store/responses,
// store/dashboards, opened through embedded.Store); ClickHouse implements
// Store and, so far, AlertRecords (the writes and lists of alerts). Each
// filter type has a Normalize method, so that every backend refuses the
// same requests with the same errors. Both backends compile searches with
// store/sqlgen, one compiler with a dialect each.
//
// Watch-lists (internal/detect/watchlist), mined patterns
// (internal/patterns) and baselines (internal/analytics) are kept in files
// of their own formats (docs/format/), not in the store.
//
// Tenant isolation is enforced here, not in handlers: every read names one
// tenant, and a backend only ever reads that tenant's data.
package store
