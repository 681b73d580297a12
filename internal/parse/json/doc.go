// Package json owns the JSON record format: one JSON object per record
// (NDJSON lines, HTTP bodies split per object).
//
// Mapping:
//   - Nested objects are flattened to dotted names
//     ({"source":{"ip":"10.0.0.1"}} → source.ip); names are kept as the
//     record has them (they may already be ECS). An empty key is "_".
//   - Strings stay strings; numbers become ints when written without
//     fraction or exponent and within int64, floats otherwise; true/false
//     are bools; null is absent.
//   - Arrays become lists: scalars as their text (numbers as written),
//     objects and arrays as their JSON text, nulls left out.
//   - @timestamp (top level) sets the event time: an RFC 3339 string, or
//     epoch seconds/milliseconds/microseconds/nanoseconds as a number or
//     numeric string. Without @timestamp, the first of the common time
//     fields that parses as a time between 1980 and 2200 sets it (those
//     fields are kept too), in this order: TimeCreated (a string, or
//     TimeCreated.SystemTime / TimeCreated.@SystemTime at any depth),
//     EventTime, timestamp, Timestamp, time, eventTime, TimeGenerated,
//     CreationTime, createdDateTime, published, createdAt, ts, date
//     (event.TimeFieldRank). An @timestamp that does not parse is kept as
//     json.@timestamp.
//   - ECS fields whose type all formats must agree on are typed: ip and
//     *.ip are IPs; *.port, *.pid, *.bytes, *.packets and event.severity
//     are ints (numeric text converts). A value that does not convert is
//     kept as json.<name> rather than stored with the wrong type.
//   - msg becomes message when the record has no message.
//   - Keys naming envelope fields (event.id, vigil.tenant, vigil.source,
//     event.original, event.ingested), nested or dotted, are stored as
//     json.<name>: a record must not choose its tenant or its id.
//   - A duplicate key: the last value wins.
//
// Anything but a JSON object (an array, a scalar, trailing text after the
// object, invalid JSON, nesting deeper than 64) is an error wrapping
// ErrFormat with the byte position.
//
// Records that carry many events (a top-level array of objects, Azure's
// {"records":[…]}, CloudWatch Logs payloads, Security Hub events, NSG flow
// logs, osquery snapshots) are taken apart before parsing by Split
// (split.go, split_containers.go); the pipeline parses each part as a
// record of its own, in the auto format.
//
// The parser is hand-written, not encoding/json: decoding into
// map[string]any allocates a map, an interface and a copy per value, and
// loses the record's key order; this scanner validates as it goes (RFC
// 8259; invalid UTF-8 is replaced by U+FFFD as encoding/json does) and
// slices unescaped strings straight out of the record.
package json
