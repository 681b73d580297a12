// Package query owns Vigil's search language: its lexer, parser and syntax
// tree, and the Plan every storage backend compiles to its own SQL (in
// internal/store, the only place with SQL: store/sqlgen, one compiler
// with a dialect for DuckDB and one for ClickHouse). The UI, the
// HTTP API and `vigil search` all parse with Parse, so a query means the same
// everywhere. docs/search.md is the user's reference; this comment is the
// contract for compilers.
//
// # Text
//
// A query is a filter, then pipes: `filter | cmd args | cmd args`. The time
// range is not part of the text; it comes with the request.
//
// Filter terms: bare words and "quoted phrases" (full-text search),
// field:value, field:pattern with * and ?, field:* (exists), field:CIDR,
// field:[lo TO hi] with { } for exclusive ends and * for open ones,
// comparisons field>v, >=, <, <=, != (also written field:>v), and field=v
// as another spelling of field:v. Terms combine with AND, OR and NOT (in
// any case), `-term` for NOT, juxtaposition for AND, and parentheses;
// NOT binds tightest, then AND, then OR. field:(a OR b -c) applies the
// field to every value in the group.
//
// Lexical rules: words end at spaces, parentheses and `|`. A backslash
// escapes the characters the lexer gives a meaning (space ( ) " : | < > =
// ! [ ] { } , -) and is an ordinary character before anything else, so
// Windows paths need no doubling and * ? after a backslash stay wildcards:
// C:\Users\*\AppData. Phrases know only \" and \\ and have no wildcards, so
// "a*b" matches a literal star. After an operator the value is one word in
// which ':' and '-' are ordinary (IPv6 addresses, times, negative numbers).
// A word that starts like `C:\x` or `https://` is a bare word, not a field.
//
// # Semantics compilers must keep
//
//   - Full text. Bare words and phrases search message and event.original;
//     field values on those two fields search that field the same way. The
//     text matches where it contains the value case-insensitively with a
//     token boundary on each end that is a token character (AppendTokens
//     defines tokens): `fail` does not match "failed", `fail*` does, and
//     `"failed password"` matches "Failed password for". `*` matches any run
//     of characters, `?` exactly one.
//   - Other string fields compare with the whole value, case-insensitively
//     (user.name:administrator matches "Administrator"); a pattern must
//     match the whole value. An IP address value also matches its canonical
//     text. List fields match when any item does.
//   - Numbers, bools and times compare by value when the text reads as
//     one; when it does not, the term matches nothing. A pattern over them
//     matches their text.
//   - Ranges and comparisons compare numbers on numeric fields, times on
//     time fields, and on string fields numerically when every bound is a
//     number, as addresses when every bound is an IP address of one family,
//     else as text (byte order).
//   - CIDR terms match IP addresses (canonical text) in the prefix.
//   - A term on a field the data does not have matches nothing, so NOT of it
//     matches everything; NOT matches events that lack the field (NOT
//     user.name:root includes events without user.name), while
//     field!=value needs the field (it is field:* AND NOT field:value).
//   - Stats group events without a by field into a group whose value is
//     null. Without a sort, events come newest first and table rows in the
//     order of their group columns; head keeps the first rows of that order.
//   - Timechart buckets start at whole multiples of the span since the Unix
//     epoch (UTC); a timechart without a span uses AutoSpan of the request's
//     time range. The result is long: TimeColumn, the by fields, the
//     aggregates, one row per bucket and group that has events.
//
// # Errors
//
// Parse returns *Error, whose Offset (bytes, 0-based) and Column
// (characters, 1-based) point at the problem; its text reads
// `parse query at COLUMN: message`. The parser checks everything it can
// without data: unknown commands, fields a pipe no longer has, values of
// time fields, duplicate columns.
//
// # For stores
//
// Plan.Terms lists the tokens every matching event has (for a token bloom
// filter per file: a file without one of them cannot match), Plan.Fields
// the stored fields the query reads (plus @timestamp and event.id, which
// order events, and every field when Plan.NeedsAllFields). Catalog is how a
// compiler learns which fields are stored and their types.
package query
