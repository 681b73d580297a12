// Package sqlgen owns the compiler of search plans (internal/query) to SQL:
// what the stores run for `vigil search`, the API and the UI. One compiler
// walks the plan; a Dialect supplies what differs between the engines:
// DuckDB (the embedded store, this comment) and ClickHouse (the dialect's
// doc, clickhouse.go). It builds SQL text only and imports no driver; the
// store runs the statements. Both dialects keep the semantics of the query
// package doc, and internal/store/clickhouse's TestSameAnswers checks that
// the two stores answer alike.
//
// # The contract with the store
//
// The store gives Compile one relation per query, as a FROM item with its
// alias (Request.From). Its columns are named by ECS field name: always
// "@timestamp" and "event.ingested" (TIMESTAMP, UTC, microseconds; Int64
// Unix microseconds in ClickHouse),
// "event.id", "vigil.tenant", "vigil.source", "event.original" and
// "message" (VARCHAR); every other field is a column of type VARCHAR (IP
// addresses in canonical text), BIGINT, DOUBLE, BOOLEAN, TIMESTAMP or
// VARCHAR[] that exists once data with the field was stored. The store
// says which through a query.Catalog; the compiler never names a column the
// catalog does not have, so there are no binder errors: a filter on a
// missing field is false, a group or aggregate over it null. A catalog
// that also implements ExprCatalog keeps some fields inside another column
// (the store's overflow column): the compiler reads such a field through
// the SQL expression FieldExpr gives, as text.
//
// The DuckDB store runs DuckDBSetup on every connection (the connector's
// init function): temporary macros for IPv4 and IPv6 addresses, because DuckDB's
// inet extension cannot be downloaded. It opens DuckDB with
// autoinstall_known_extensions and autoload_known_extensions off.
//
// Compile returns two statements with their arguments: Query.SQL for the
// rows (events newest first unless sorted, then by event.id so pages never
// overlap; Request.Limit and Offset applied after any head) and
// Query.CountSQL for the number of rows without paging. A store need not
// run CountSQL when Request.TotalFromRows can tell the total from the rows
// (a page that is not full): for a stats, CountSQL costs as much as the
// query. For a page of events in the default order the DuckDB dialect returns
// Query.PageTimesSQL: the @timestamp of each event on the page, sorted on
// that column alone. The rows of the page are then exactly the rows of
// Query.SQL compiled again with Start at the oldest of those times (and,
// on the first page, End just after the newest), which lets a store read
// whole events from a short time range instead of sorting every column of
// every match. Ties on @timestamp do not matter: the times on a page are
// the same whichever of the tied events it holds.
//
// In DuckDB every value of the query is a bound ? argument, in text order
// (ClickHouse 18.16 has none: there they are literals, written by
// CHLiteral); names are quoted identifiers. The SQL checks
// "vigil.tenant" = Request.Tenant again, whatever the FROM item does, and
// bounds "@timestamp" by Request.Start (inclusive) and End (exclusive).
// Only integers the compiler computes are spliced into the text (LIMIT,
// OFFSET, timechart spans).
//
// # How each construct compiles in DuckDB, and why
//
// The forms were chosen by measuring them on 1M synthetic rows on the
// development machine (2 shared cores; BenchmarkSQL reruns it):
//
//   - field:value on a string column is `col ILIKE ?` (15-25 ms per
//     million rows; lower(col) = ? took 50 ms); a value without letters is
//     `col = ?`. ILIKE ... ESCAPE is 7 times slower than ILIKE, so patterns
//     go without ESCAPE, their literal % and _ acting as wildcards, and only
//     when the value has such characters does an exact ILIKE with ESCAPE
//     check the rows that passed.
//   - Full-text terms are a regular expression with token boundaries
//     (regexp_matches, ~300 ms per million messages) behind a substring
//     test that drops most rows first: contains(col, ?) for terms without
//     letters (45 ms), contains(lower(col), ?) for ASCII terms (100 ms), none
//     for other scripts. ILIKE '%x%' took 450-680 ms. A term searches
//     message OR event.original.
//   - IPv4 CIDR is starts_with on the octets the prefix fixes, then an
//     anchored regular expression of the addresses in the prefix (50 ms for
//     a /8; converting every address to a number took 550 ms). IPv6 CIDR
//     converts with vigil_ip6 (about 450 ms per million IPv6 addresses),
//     after a regular expression on the first group when the prefix fixes a
//     non-zero one.
//   - Ranges on string columns use TRY_CAST(col AS DOUBLE) when every bound
//     is a number, vigil_ip4/vigil_ip6 when every bound is an address.
//   - NOT keeps SQL's NULL from dropping events without the field: a
//     condition that is NULL only when its column is becomes
//     `(col IS NULL OR NOT (…))`, any other `NOT COALESCE(…, false)`.
//   - List columns: list_contains over lower-cased items for equality,
//     list_bool_or(list_transform(…)) for the rest.
//   - Stats group with GROUP BY positions; sum of BIGINT is cast back to
//     BIGINT (an overflow is an error, not a wrong number); values() is the
//     sorted distinct values as VARCHAR[]. Timechart buckets are integer
//     arithmetic on epoch_us (half the time of time_bucket with an origin),
//     aligned to the Unix epoch.
//   - Pipes merge into one SELECT while they can; a where after a head or
//     a stats, a sort after a head and a stats after a stats wrap the
//     statement in a subquery, which keeps its order.
//
// # Other dialects
//
// A dialect is a value of Dialect (dialect.go lists its hooks): the
// spellings of functions, and the forms that differ because an engine
// lacks something or measured faster another way. The ClickHouse dialect's
// doc says what ClickHouse 18.16 lacks and how it is done instead.
package sqlgen
