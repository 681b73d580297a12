// Package sigma owns Vigil's Sigma engine: it parses Sigma detection rules
// (specification 2.x), compiles them into matchers over event.Event, decides
// from each rule's logsource which events it sees, and indexes a rule set so
// an event is tested only against the rules that could match it.
//
// The pipeline of a rule:
//
//	YAML ──Parse──► Rule ──Compile──► Compiled (one variant per logsource
//	                                  alternative, fields resolved)
//	[]*Compiled ──NewRuleSet──► RuleSet ──Match(event)──► the rules that fire
//
// Semantics follow the specification and pySigma's reference matcher:
// values are case-insensitive strings unless `cased` or `re` says otherwise;
// `*` and `?` are wildcards, `\` escapes them; lists are OR (AND with
// `all`), maps are AND; `null` matches an absent, null or empty field; `”`
// matches an empty or absent field; numbers compare numerically against
// numeric fields and fields whose text is a number. Keyword (unnamed)
// searches look for the value in the message, event.original and every
// string field of the event.
//
// Logsources (logsource.go) become the set of (Windows channel, event id)
// buckets a rule lives in, or a predicate on ECS categorisation fields for
// other products. Field names resolve per logsource (taxonomy.go): Windows
// rules read winlog.* and winlog.event_data.* directly, other logsources
// map Sigma taxonomy names to ECS, and a field name is always also tried as
// written, so ECS names and raw vendor names in a rule work too.
//
// A rule that cannot be supported is rejected with a *RuleError naming the
// reason (see Reason* constants) and wrapping ErrUnsupported or ErrInvalid;
// nothing in a rule is ignored silently.
//
// Correlation rules (correlation.go) are parsed here and evaluated by
// package correlate; the watch-list extension (watchlist.go) is parsed and
// compiled here and served by package watchlist.
//
// The engine is our own: the Go Sigma libraries measured in DESIGN §10 lack
// several modifiers (base64offset, windash, wide, exists, fieldref) and
// both evaluate every rule against every event.
package sigma
