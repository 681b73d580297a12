// Package correlate owns the evaluation of Sigma correlation rules
// (specification 2.0: event_count, value_count, temporal,
// temporal_ordered, with group-by, timespan, conditions, aliases, chains
// and generate): the state machines of their windows, event time and the
// allowed lateness, the bounds on memory, and the persistence of the state
// across restarts.
//
// The flow:
//
//	[]*sigma.Rule (correlations) + detection rules ──Compile──► Set
//	event matched rule r ──Set.Project──► Hit (the fields the correlations read)
//	[]Hit ──Engine.Process──► []Firing (alerts to raise or update)
//
// A Hit carries no *event.Event: only the rule, tenant, event time, event
// id and the group-by (and value_count) fields, so hits can be logged,
// sorted (offline hunts) and replayed.
//
// State is kept per tenant, per correlation and per tuple of group-by
// values (a group), and nothing is shared between groups: the key is what a
// distributed deployment partitions by (DESIGN §8).
//
// Time is event time. Each group's watermark is its newest hit; a hit
// older than that minus the allowed lateness is late: it is counted
// (vigil_correlation_late_hits_total) and left out of the group's windows.
// Judging lateness per group lets sources that lag (a shipper's backlog)
// correlate as well as those on time. A group is dropped when its tenant's
// newest event time, and live also the wall clock, have moved past its
// windows. Window semantics are in window.go; the on-disk formats in
// persist.go and docs/correlation.md.
//
// Memory is bounded by a cap on groups per correlation and in total: past
// it, the groups hit least recently (the oldest windows) are evicted,
// counted (vigil_correlation_evictions_total) and logged.
//
// The engine is our own: no Go library implements the correlation
// specification (DESIGN §10), and the state must be keyed, bounded and
// persisted the way Vigil runs.
package correlate
