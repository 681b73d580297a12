// Package watchlist owns Vigil's watch-lists (the "active lists" of other
// SIEMs): named tables of keys with a value, a count and a lifetime, per
// tenant, that Sigma rules write when they match (the `watchlist:`
// section: add, increment, remove) and read while they match (the
// `|watchlist` modifier), and that analysts edit through the HTTP API
// (package api serves Store), the CLI (`vigil watchlist`) and CSV imports. The rule syntax
// is in docs/watchlists.md and package sigma.
//
// Keys compare case-insensitively, like Sigma values. An entry lives for
// its own TTL, else its list's, counted from its last write; zero is
// forever. A list holds at most MaxEntries entries: a write past that is
// rejected, counted and logged, never silently dropped.
//
// Lists persist under the data directory as a snapshot plus an operation
// log (persist.go says why not the DuckDB store).
//
// On a node with a bus, every write is also published as an op and every
// node applies every node's ops, once each, in the topic's order
// (replica.go; docs/watchlists.md "Several detect nodes"). The writes of
// rules matched while the detect role processes a batch of events in a
// bus transaction are collected in a Batch and produced in that
// transaction instead, so an aborted batch leaves none (batch.go).
package watchlist
