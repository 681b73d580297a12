// Package layering owns the rule of which Vigil package may import which
// (its test checks the whole module with `go list -deps -json`). Layers,
// lowest first:
//
//	base        event (and its field names), fsutil, jsontext, netlimit, testutil, rules
//	vocabulary  alert (the record), audit
//	parse/query parse, query (search language and filters), queue
//	pipeline    pipeline
//	store       the store facade (internal/store; its backends are stages)
//	records     dashboard (dashboards and saved searches)
//	config      config; then kafkaconn
//	stages      source, normalize, enrich, detect, store, forward, patterns, demo, tail
//	alert flow  alert/alertlog, analytics, hunt; then incident; then response
//	api         auth; then api
//	app         app
//	commands    cmd/..., apptest
//
// A package may import a package of a lower layer, or of its own layer
// only inside its own component (internal/<component>/...): no sideways
// imports, such as a source importing an output or detection an enricher.
// What two components share goes down into a neutral package
// (internal/kafkaconn, internal/event/winlog, internal/query/filter).
package layering
