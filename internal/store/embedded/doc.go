// Package embedded owns Vigil's default store: hot data in write-ahead
// segments of NDJSON that DuckDB reads directly, cold data in zstd Parquet
// files per tenant and day, both queried through DuckDB as one relation.
//
// # Why not DuckDB tables for hot data
//
// DESIGN §4 chose DuckDB with hot data appended to DuckDB tables. Measured
// on the 2-core machine (2026-11-23, duckdb-go v2.10506.0, DuckDB 1.5.6)
// with realistic rows (20+ columns, syslog-sized text), the Appender into a
// persistent table commits at 60–90k rows/s (10–12 µs per row, 80% of it in
// DuckDB's commit), and `CREATE TABLE AS` from NDJSON at 12 µs/row, while
// DuckDB scans NDJSON with known columns at 0.56 µs/row and converts it to
// zstd Parquet at 3.4 µs/row. So the hot tier is our own write-ahead log in
// a format DuckDB reads natively: an fsync per group commit is the only
// cost on the write path, and DuckDB still answers every query.
//
// # Layout on disk
//
//	DATA/store/<dataset>/                 dataset: events | deadletters | …
//	  catalog.json                        field → column name, kinds seen, tenants
//	  manifest.ndjson                     chained record of cold files (chain.go)
//	  hot/seg-<seq:016d>.ndjson           write-ahead segments
//	  hot/frozen                          highest segment seq already frozen
//	  hot/head                            end of the hash chain at a clean stop
//	  cold/<tenant>/<YYYY-MM-DD>/s<first:016d>-<last:016d>-<n>.parquet
//	  cold/<tenant>/<YYYY-MM-DD>/….parquet.meta
//	  tmp/                                freezes in progress (deleted at start)
//	  quarantine/s<first>-<last>.ndjson   hot lines a freeze could not file (freezeplan.go)
//
// A segment is a header line, then lines of flat JSON objects, each one event,
// keyed by column name (the field name, or the field name with a "~N"
// suffix when it differs from an earlier field only in letter case, since
// DuckDB column names are case-insensitive). Lines are appended by one
// committer goroutine; a commit is the group's lines and a trailer line,
// one write and one fsync, and every Write waiting on it returns only after
// the fsync (group commit). A segment is closed when it reaches
// SegmentBytes or SegmentAge, and before a batch encoded with a newer
// catalog than its lines (one that added a column: see Searches). At start the last segment is cut back to its
// last trailer (its last complete line, for a segment from before the
// chain): a torn write from a crash; the cut bytes are counted.
//
// catalog.json records, for every field ever stored, its column name (made
// safe for SQL by columnBase), the kinds of values seen (int, float,
// string, …) and the tenants that stored it; the column type follows from
// the kinds (ints → BIGINT, ints and floats → DOUBLE, …, mixed → VARCHAR).
// A tenant's searches read its own columns only, and ColumnLimits bound
// them; further fields go to the overflow column.
// It is written and fsynced before the first segment line that needs the
// new field or kind, so a reader never meets a key the catalog lacks.
//
// Freezing turns closed segments [first, last] (at most FileRows rows and
// FreezeBytes bytes, read into memory once) into Parquet, one file per
// tenant and day, per set of tenants whose columns fit
// ColumnLimits.TenantColumns (freezeplan.go). Vigil's own writer
// (coldwrite.go) reads the hot lines, sorts them, stores a replayed event
// once (a write already drops a replay of a hot event: hotids.go) and
// writes blocks (row groups) of 32,768 rows; a set holding a
// value whose conversion only DuckDB defines goes through DuckDB's COPY …
// PARTITION_BY (tenant, day) instead. Files are written under tmp/, each
// gets a .meta file (zstd-compressed JSON: rows, min and max @timestamp, columns and bloom
// filters of the folded tokens of message and event.original, per block
// or for the whole file, see bloom.go and docs/format/store.md, and per
// block the count of each value of its low-cardinality columns, see
// blockstats.go), both are
// fsynced and renamed into cold/,
// then hot/frozen is set to last (atomic rename) and the segments are
// deleted. At start, segments at or below hot/frozen are deleted and cold
// files of ranges above it (a freeze cut short) are removed, so a crash at
// any point neither loses nor duplicates data.
//
// # Searches
//
// A search reads one relation: a typed empty row set naming every column,
// UNION ALL BY NAME the hot segments of the time range whose lines were
// all encoded with the search's catalog snapshot or an older one (a
// segment records the newest catalog generation of its lines; a line
// written with a newer catalog may hold a key the search would not read,
// and was written after the search began), UNION ALL BY NAME
// the tenant's cold files that the time range and the .meta bloom filters
// do not rule out (of a file with blocks, the row numbers of the blocks
// that may match); only the columns the query needs are read, unless it
// returns whole events. A page of whole events in the default order
// (newest first) is found in two steps: the @timestamp of each event on the
// page, sorted on that column alone and read with the filter's columns
// only (sqlgen's Query.PageTimesSQL), then the whole events of the time
// range those span. A filter matching hundreds of thousands of events
// otherwise sorts every column of all of them to keep a hundred: over the
// 10M events of `vigil bench`, 5.1 s against 0.9 s for its CIDR query and
// 4.9 s against 0.5 s for the newest 100 events. The total comes from the
// page when it is not full, else from a count on the filter's columns.
// When the filter has full-text terms, the first step also returns where
// each cold row was read (file and row number); a first page that is not
// full (it holds every match, as a rare term's does) then has its cold
// rows read by place, in Go, only the pages of each column that hold them
// (coldrows.go), instead of DuckDB decoding every column of each block
// holding a hit; its hot rows come from DuckDB over the hot tier alone.
// A filter of full-text terms alone (bare words, phrases, message:v and
// event.original:v, joined by AND and OR) skips DuckDB's first step for
// the cold files (termscan.go): the store reads message and event.original
// of the parts the token filters leave, matches them in Go as the SQL does
// (termmatch.go), reads the hits' other columns by place and keeps the
// rows of the tenant and time range; when more rows match than the page
// holds, the search goes the way above.
// A first page of every event (`*`) is read so too (newest.go): the first
// step reads only the newest cold blocks wholly inside the time range
// whose rows add up to the page (their .meta rows and time range), and
// one row more, so that a full page is read by place unless that row
// ties with the page's last (the order on event.id would settle it); the
// total is the blocks' rows from their meta plus a count of the rest.
//
// # Hash chain
//
// Each group commit ends with a trailer line holding the SHA-256 of its
// lines and a hash chained over the batch before; each segment starts with
// a header naming the chain it continues. A freeze checks the chain of its
// segments and appends to manifest.ndjson the files it made with their
// hashes and where the hot chain stood; retention appends its deletions;
// each manifest entry names the hash of the one before. Verify checks it
// all, reading only. docs/format/store.md has the format (version 1).
//
// Retention deletes whole cold files: those whose rows were all received
// (the store's clock at their commits, not their @timestamp) longer ago
// than the tenant's max age, then the files received longest ago until the
// tenant's cold bytes fit its max bytes.
package embedded
