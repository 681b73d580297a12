// Package normalize owns the registry of the normalisers written in Go and
// the two that run after the declarative pipelines (the audit join and the
// common fields). Each vendor normaliser is a package of its own
// (internal/normalize/windows, ciscoasa, weblog, authlog) that registers
// itself (Register, with its Phase and Order); internal/normalize/all
// imports them all, so adding one is a folder plus one line there
// (CONTRIBUTING.md). The declarative pipelines that cover the other vendors
// live in ingest (the language) and pipelines (the built-in files); they
// run after the vendor normalisers.
//
// Each normaliser is a pipeline.Processor that runs after parsing and
// before enrichment. It makes a cheap test first (a field's first bytes,
// the syslog program name) so events of other vendors pass for almost
// nothing, maps what it recognises to ECS names (source.ip, user.name,
// event.action, event.category/type/outcome …) and keeps what ECS lacks
// under a vendor prefix (cisco.asa.*, system.auth.*). The record itself is
// always kept in event.original by the pipeline, so a normaliser never
// drops information; a message whose text does not fit its grammar keeps
// the fields it had. docs/normalizers.md lists every mapping.
//
// The parsers are hand-written over a small cursor (internal/scan) rather
// than regular expressions: the messages are fixed grammars, and a cursor
// costs a few hundred nanoseconds per line where Go's regexp costs
// microseconds.
package normalize
