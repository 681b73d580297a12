// Package jsontext owns the lexical layer of JSON that Vigil's
// hand-written decoders share (HTTP ingest bodies in internal/source/httpin,
// cloud log records in internal/source/objstore/awslog): string unescaping
// and number scanning exactly as RFC 8259 defines them, on byte slices.
//
// Why not encoding/json: those decoders exist because walking bodies with
// encoding/json's tokens or reflection cost tens of microseconds and
// allocations per record on the ingest path; each decoder's package doc has
// its figures. Each checks itself against encoding/json's verdict in its
// fuzz target, and this package against encoding/json's decoding of
// strings (FuzzUnescape).
package jsontext
