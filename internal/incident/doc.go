// Package incident owns Vigil's incidents (DESIGN §6, docs/incidents.md):
// the grouping of alerts that share an entity within a time window into one
// incident, the incident's triage state (status, assignee, comments) and
// timeline, and the Service that lists, shows and updates incidents (the
// HTTP API, package api, serves it).
//
// # Grouping
//
// Manager is an alert.Sink placed after the alert store. For each alert of
// a batch, in alert-time order:
//
//   - an alert already in an incident (a folded alert's update: same id, a
//     higher count) updates its copy there and the incident's times; it is
//     never added twice, and an update does not reopen a closed incident;
//   - otherwise the alert's entities (host names, user names and IP
//     addresses, source and destination alike, compared without case) are
//     looked up among the tenant's open incidents. An incident is a
//     candidate when it shares an entity, is not closed, the alert comes
//     within Window of the incident's first-to-last range, and taking the
//     alert keeps the incident within MaxSpan;
//   - no candidate: the alert opens a new incident; one: it joins it;
//     several: the alert links them, and they merge into the one that began
//     first. The others are closed with merged_into naming the survivor, and
//     their alerts move to it, so an alert is in exactly one incident. The
//     survivor keeps the most advanced status and, if it had none, the
//     assignee of a merged incident; both timelines record the merge.
//
// Entity values that would link unrelated alerts (SYSTEM, loopback
// addresses, "-") are ignored (config.DefaultIncidentIgnore).
//
// # State
//
// The incidents a new alert can join (not closed, last alert within two
// windows of the newest alert time of their tenant, at most MaxActive) are
// indexed in memory by entity; the index is rebuilt from the store at start,
// so a restart keeps grouping. Every batch is written to the Store in one
// transaction before the index changes are kept; when a write fails the
// index is rebuilt from the store, which still holds the state before the
// batch. Writes (alert batches and updates through the API) are serialised
// by one mutex; reads go straight to the store.
//
// The storage is behind the Store interface (store.Incidents, whose record
// types this package's Incident, Entry, Filter and Changes are, by alias;
// internal/store/incidents keeps them in DuckDB tables beside the alerts);
// every read names a tenant and the store answers only that tenant's
// incidents.
package incident
