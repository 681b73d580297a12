// Package store owns the storage facade: the interface every storage backend
// implements (the embedded DuckDB/Parquet store, ClickHouse), the request and
// result types of a search, and the shared conformance suite (storetest) that
// every backend must pass.
//
// Tenant isolation is enforced here, not in handlers: every read names one
// tenant, and a backend only ever reads that tenant's data.
package store
