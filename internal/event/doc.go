// Package event owns Vigil's event: a flat, ordered set of ECS-named fields
// with typed values, plus the fixed envelope every event carries
// (@timestamp, event.ingested, event.id, tenant, source, event.original).
//
// Every other package reads and writes events through this type: parsers fill
// it, normalisers rename its fields, the store persists it, Sigma rules and
// searches read it. Field names follow ECS (https://www.elastic.co/guide/en/ecs);
// fields ECS lacks keep their vendor names under a vendor prefix
// (cisco.asa.*, winlog.event_data.*).
//
// Ownership: an Event is owned by exactly one goroutine at a time. A pipeline
// stage that keeps a value beyond the call that handed it the event must copy
// it (strings are immutable, so keeping a string is safe; keeping a *Event is not).
package event
