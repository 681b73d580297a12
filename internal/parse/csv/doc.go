// Package csv owns the CSV record format (RFC 4180), one record per line:
// fields separated by a delimiter (',' unless configured; any character,
// tab included), optionally quoted with '"', a quote inside a quoted field
// written twice. Embedded delimiters (and line breaks, when the framing
// keeps them) are allowed inside quotes. A quote inside an unquoted field
// is kept as a character; text after a closing quote, or a quote that
// never closes, is an error wrapping ErrFormat.
//
// Column names come from Options.Header, or else from the first record the
// parser sees: that record yields no event (ErrSkip), and a later record
// identical to it (a header repeated by a rotated file) is skipped too.
// Names are trimmed; an empty or repeated name becomes csv.column<N> (N
// counts from 1) and an envelope name (event.id, @timestamp, …) becomes
// csv.<name>. Columns beyond the header are csv.column<N>; missing columns
// and empty fields are absent. Values are typed with event.Infer. A blank
// line is skipped (ErrSkip).
//
// A learned header belongs to one Parser: with several pipeline workers,
// configure Options.Header, since each worker's parser learns from the
// first record it happens to get.
package csv
