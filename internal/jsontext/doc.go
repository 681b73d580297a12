// Package jsontext owns the lexical layer of JSON that every hand-written
// JSON decoder of Vigil shares: the JSON record parser (internal/parse/json),
// HTTP ingest bodies (internal/source/httpin) and cloud log records
// (internal/source/objstore/awslog). It reads white space, strings (with
// unescaping), numbers and literals exactly as RFC 8259 defines them,
// skips and validates whole values, and holds the one nesting limit
// (MaxDepth), on strings or byte slices alike (Text), so the record parser
// slices strings out of its record without copying.
//
// The decoders keep what differs between them: the values they build (a
// flattened event, map[string]any) and their error texts.
//
// Why not encoding/json: those decoders exist because walking bodies with
// encoding/json's tokens or reflection cost tens of microseconds and
// allocations per record on the ingest path; each decoder's package doc has
// its figures. Each checks itself against encoding/json's verdict in its
// fuzz target, and this package against encoding/json's decoding of
// strings (FuzzUnescape) and its validation (FuzzSkip).
package jsontext
