// Package chsql owns the compiler of search plans (internal/query) to
// ClickHouse SQL: what the ClickHouse store (internal/store/clickhouse)
// runs. It mirrors internal/store/embedded/duckdbsql construct by construct and keeps
// the semantics of the query package doc; it builds SQL text only.
//
// # The contract with the store
//
// The store gives Compile one relation per query as a FROM item with its
// alias (Request.From). Its columns are named by ECS field name:
// "@timestamp" and "event.ingested" are Int64 Unix microseconds (ClickHouse
// 18.16 has no DateTime64), "event.id", "vigil.tenant", "vigil.source",
// "event.original" and "message" are String; every other field the catalog
// names is a Nullable column of String (IP addresses in canonical text),
// Int64, Float64, UInt8 (bool) or Int64 microseconds (time), or an
// Array(String) for lists (empty when the event lacks the list). A filter
// on a field the catalog lacks is false, a group or aggregate over it null.
//
// # Values
//
// ClickHouse 18.16 has no server-side query parameters, so values are
// literals in the SQL text, all written by Literal and QuoteString (one
// function, fuzzed). Names are backquoted identifiers. The SQL checks
// "vigil.tenant" against Request.Tenant again, whatever the FROM item does,
// and bounds "@timestamp" by Request.Start (inclusive) and End (exclusive).
//
// # Forms, and what 18.16 lacks
//
//   - No ILIKE, and match() ignores (?i) when the pattern has a literal
//     part: case-insensitive equality is lowerUTF8(col) = lower(value),
//     patterns are anchored match() over lowerUTF8(col).
//   - Full-text terms: position()/positionCaseInsensitive() first, then a
//     match() with token boundaries, over message OR event.original.
//   - IPv4 CIDR: startsWith on the fixed octets and an anchored regular
//     expression; IPv6 CIDR: hex(IPv6StringToNum(col)) between the bounds,
//     guarded by a match() of the IPv6 text form (IPv6StringToNum reads
//     garbage as ::).
//   - No GROUP BY positions: stats group by the expressions, timechart by
//     its alias. count() is UInt64 and is cast to Int64. sum of Int64 wraps
//     on overflow.
//   - LIMIT offset, n rather than LIMIT … OFFSET.
//   - 18.16 drops a subquery's columns the outer query does not read,
//     aggregates included (an outer count() over a stats without by would
//     count events): an aggregating subquery gets HAVING NOT ignore(…) of
//     its columns (keepColumns).
//   - A bare integer literal takes the smallest type that holds it
//     (3600000000 is a UInt32): timechart spans are toInt64(…).
package chsql
