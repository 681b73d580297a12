// Package assets owns asset and identity context: inventories of hosts
// (by name, address or CIDR) with their criticality, owner and tags, and
// of users with their department, privileged flag and the like, read from
// CSV or JSON files and reloaded when they change; the processor that adds
// that context to events; and the rule that raises an alert's severity
// with the criticality of the assets it concerns (RaiseLevel, AlertLevel).
//
// ECS has no fields for criticality, owner or department, so the context
// goes under documented Vigil prefixes (ECS fields are used where they
// exist and the event lacks them: user.full_name, user.email,
// user.domain):
//
//	vigil.asset.criticality                  the highest criticality of every asset and identity the event involves
//	vigil.asset.host.*                       the asset matching host.name / host.hostname / host.ip
//	vigil.asset.source.*, vigil.asset.destination.*   the assets matching source.ip / destination.ip
//	   .name .criticality .owner .tags (list) .<other inventory column>
//	vigil.identity.*                         the identity matching user.name
//	   .department .privileged (bool) .criticality .title .manager .tags (list) .<other column>
package assets
