// Package patterns owns template mining for records no normaliser
// describes: an online, Drain-class miner (He et al., "Drain: An Online Log
// Parsing Approach with Fixed Depth Tree", ICWS 2017) that groups messages
// by their constant words, a pattern table per tenant and source with
// counts, first and last seen, counts per hour and sample event ids, the
// "new pattern" signal rules match on, the table's file in the data
// directory (docs/format/patterns.md), and the pipeline skeleton a named
// pattern is promoted to (docs/patterns.md).
//
// A pattern's id is derived from its template text (a hash), never from a
// counter, so two nodes fed the same lines, or one node restarted, give
// the same template the same id.
package patterns
