// Package ingest owns Vigil's declarative pipelines: YAML files that parse
// and normalise records the way Elastic and OpenSearch ingest pipelines
// do (grok, dissect, kv, csv, json, date, rename, set, …), so a user can
// add a parser for a product without writing Go. docs/pipelines.md is the
// language reference.
//
// A pipeline names the records it takes by the record itself (the CEF
// vendor and product, the syslog program, JSON keys, a regular expression
// or a search-language filter), so selection is the same for every source.
// A Set indexes the match entries by a cheap necessary condition of each
// (selectindex.go), so an event tries only the few entries that can take
// it.
// Each file is compiled once into a slice of steps, each a Go closure with
// its condition compiled by internal/query/filter: nothing is interpreted
// per event. A step that fails ends the pipeline with a *StepError that
// names the pipeline and the step; the Processor sends the record to the
// dead letters with that reason.
//
// Values written to ECS fields are checked against the field's ECS type
// (ip, long, float, boolean, keyword list): source.port gets an integer,
// source.ip an address, and a value that is not one fails the step. The
// null markers vendors write ("-", "") are skipped instead.
package ingest
