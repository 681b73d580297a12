// Package audit owns Vigil's audit log: one entry for each security-relevant
// action (a failed or throttled login, a denied request, a search, a change
// through the API such as a watch-list edit, an alert or incident update or
// a freeze, a rule reload, a response run, a start and a stop) saying who
// did it, what, when, from where and with what outcome.
//
// Entries are stored as events of the store's "audit" dataset, so the
// dataset's hash chain makes them tamper-evident, retention keeps them like
// any other data, and admins search them with dataset=audit. An entry
// belongs to the tenant the action concerned; actions on the whole node
// (logins that failed before a tenant was known, freezes, rule reloads,
// start and stop) belong to SystemTenant. The fields are ECS names; see
// docs/security.md for the list.
//
// Log writes entries in batches from one goroutine; Record blocks only
// while its bounded queue is full, so an audit entry is never dropped.
package audit
