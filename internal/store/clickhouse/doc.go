// Package clickhouse owns the ClickHouse storage backend
// (storage.backend: clickhouse): events, dead letters and audit entries in
// ClickHouse tables, behind the same store.Store facade as the embedded
// store and passing the same conformance suite (internal/store/storetest).
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
package clickhouse
