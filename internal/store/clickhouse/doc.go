// Package clickhouse owns the ClickHouse storage backend
// (storage.backend: clickhouse): events, dead letters and audit entries in
// ClickHouse tables, behind the same store.Store facade as the embedded
// store and passing the same conformance suite (internal/store/storetest);
// and the record tables, passing the same suites as the embedded store's:
// alerts and their triage (alerts.go, triage.go: store.Alerts), incidents
// (incidents.go: store.Incidents), the response log (responses.go:
// store.ResponseLog), dashboards and saved searches (dashboards.go:
// store.Dashboards). ClickHouse has no transactions: each change that the
// embedded store makes in one transaction is one INSERT into one
// unpartitioned table here (one part, all or none), and rows that change
// are ReplacingMergeTree rows read with FINAL (rows.go).
//
// It talks to ClickHouse over its HTTP interface with net/http, as Vector's
// ClickHouse sink does: clickhouse-go does not work with the ClickHouse
// 18.16 that Debian ships (DESIGN §10). Inserts are INSERT … FORMAT
// JSONEachRow; selects are FORMAT JSONCompact. The SQL keeps to what 18.16
// understands (tested: 18.16.1); the schema is in schema.go and
// docs/format/clickhouse.md.
//
//   - One table per dataset (events, deadletters, audit), a
//     ReplacingMergeTree partitioned by (day, tenant) and ordered by
//     (tenant, @timestamp, event.id). A retried insert writes rows with the
//     same key; queries read with FINAL, so they count once (TestRetriedInsert).
//   - Common ECS fields have columns of their own; the other scalar fields
//     are in Nested(key, value) as text, lists in Nested(key, Array). The
//     event as JSON is kept whole (v_raw) and is what a search returns.
//   - A catalog table (fields) records each field's value kinds per dataset,
//     written before the events that use it; searches read it and give the
//     query compiler (internal/store/sqlgen, its ClickHouse dialect) typed
//     columns.
//   - Retention drops whole partitions (ALTER TABLE … DROP PARTITION).
//   - On a cluster (Options.Cluster, cluster.go) each event table is a
//     local table on every shard (Replicated* when replicated) and a
//     Distributed table over them, sharded by a function of the event so
//     that copies of one event meet on one shard; DDL and retention run
//     ON CLUSTER or on each node Vigil is given.
//   - No data-skipping indexes: 18.16.1 has none (docs/storage.md).
package clickhouse
