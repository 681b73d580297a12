package dashboard

// Builtins are the dashboards Vigil ships, for the logs its built-in
// normalisers and pipelines map to ECS (docs/normalization.md,
// docs/pipelines.md). Their queries read only fields those produce:
//
//   - Windows: event.code, user.name, source.ip, host.name (the Windows
//     normaliser, internal/normalize/windows*.go).
//   - Linux auth: event.action ssh-login, event.outcome, user.name,
//     source.ip (the auth.log normaliser, authlog.go).
//   - Firewall: observer.type firewall, event.action, destination.port,
//     source.ip (Cisco ASA/FTD, PAN-OS, iptables, FortiGate … pipelines).
//   - Web: http.response.status_code, url.path, source.ip,
//     user_agent.original (the access-log normaliser, weblog.go; IIS,
//     HAProxy, Squid pipelines).
//   - Cloud: cloud.provider, event.action, event.outcome, user.name,
//     source.ip (the CloudTrail, Azure and GCP audit pipelines).
//
// Map panels place source.geo.location.lat and .lon, which GeoIP
// enrichment adds
// (docs/enrichment.md).
func Builtins() []Dashboard {
	return []Dashboard{
		{ID: BuiltinPrefix + "windows", Title: "Windows", Builtin: true, From: "-24h",
			Description: "Windows Security logons and events (event codes 4624, 4625, 4688).",
			Panels: []Panel{
				{Title: "Failed logons (4625)", Query: "event.code:4625 | timechart count()", Chart: Line, Width: 2},
				{Title: "Failed logons", Query: "event.code:4625 | stats count()", Chart: Single},
				{Title: "Failed logons by user", Query: "event.code:4625 | stats count() by user.name | sort -count | head 10", Chart: Bar},
				{Title: "Logons by host", Query: "event.code:4624 | stats count() by host.name | sort -count | head 10", Chart: Table},
				{Title: "Failed logon sources", Query: "event.code:4625 source.geo.location.lat:* | stats count() by source.geo.location.lat, source.geo.location.lon | sort -count | head 500", Chart: Map},
				{Title: "Event codes by hour", Query: "event.code:(4624 OR 4625 OR 4634 OR 4672 OR 4688 OR 4720 OR 4740) | timechart span=1h count() by event.code", Chart: Heatmap, Width: 3},
			}},
		{ID: BuiltinPrefix + "linux-auth", Title: "Linux authentication", Builtin: true, From: "-24h",
			Description: "SSH logins from auth.log and journald: outcomes, users and where they come from.",
			Panels: []Panel{
				{Title: "SSH logins by outcome", Query: "event.action:ssh-login | timechart count() by event.outcome", Chart: Line, Width: 2},
				{Title: "Failed SSH logins", Query: "event.action:ssh-login event.outcome:failure | stats count()", Chart: Single},
				{Title: "Failing source addresses", Query: "event.action:ssh-login event.outcome:failure | stats count() by source.ip | sort -count | head 10", Chart: Bar},
				{Title: "Users logged in", Query: "event.action:ssh-login event.outcome:success | stats count(), dc(source.ip) as sources by user.name | sort -count | head 20", Chart: Table},
				{Title: "Login sources", Query: "event.action:ssh-login source.geo.location.lat:* | stats count() by source.geo.location.lat, source.geo.location.lon | sort -count | head 500", Chart: Map},
				{Title: "SSH actions by hour", Query: "event.action:ssh-* | timechart span=1h count() by event.action", Chart: Heatmap, Width: 3},
			}},
		{ID: BuiltinPrefix + "firewall", Title: "Firewall", Builtin: true, From: "-24h",
			Description: "Firewall logs (observer.type firewall): actions, ports and sources.",
			Panels: []Panel{
				{Title: "Events by action", Query: "observer.type:firewall | timechart count() by event.action", Chart: Line, Width: 2},
				{Title: "Denied", Query: "observer.type:firewall event.action:(deny OR denied OR drop OR dropped OR block OR blocked OR reject) | stats count()", Chart: Single},
				{Title: "Top destination ports", Query: "observer.type:firewall | stats count() by destination.port | sort -count | head 10", Chart: Bar},
				{Title: "Top sources", Query: "observer.type:firewall | stats count(), dc(destination.port) as ports by source.ip | sort -count | head 20", Chart: Table},
				{Title: "Sources on the map", Query: "observer.type:firewall source.geo.location.lat:* | stats count() by source.geo.location.lat, source.geo.location.lon | sort -count | head 500", Chart: Map, Width: 3},
			}},
		{ID: BuiltinPrefix + "web", Title: "Web", Builtin: true, From: "-24h",
			Description: "Web server access logs: status codes, paths, clients.",
			Panels: []Panel{
				{Title: "Requests by status", Query: "http.response.status_code:* | timechart count() by http.response.status_code", Chart: Line, Width: 2},
				{Title: "Server errors (5xx)", Query: "http.response.status_code>=500 | stats count()", Chart: Single},
				{Title: "Top paths", Query: "url.path:* | stats count() by url.path | sort -count | head 10", Chart: Bar},
				{Title: "Top clients", Query: "http.response.status_code:* | stats count(), dc(url.path) as paths by source.ip | sort -count | head 20", Chart: Table},
				{Title: "Clients on the map", Query: "http.response.status_code:* source.geo.location.lat:* | stats count() by source.geo.location.lat, source.geo.location.lon | sort -count | head 500", Chart: Map},
				{Title: "Not found (404) by hour", Query: "http.response.status_code:404 | timechart span=1h count() by url.path", Chart: Heatmap, Width: 2},
			}},
		{ID: BuiltinPrefix + "cloud", Title: "Cloud", Builtin: true, From: "-24h",
			Description: "AWS CloudTrail, Azure activity and GCP audit logs.",
			Panels: []Panel{
				{Title: "Events by provider", Query: "cloud.provider:* | timechart count() by cloud.provider", Chart: Line, Width: 2},
				{Title: "Failed calls", Query: "cloud.provider:* event.outcome:failure | stats count()", Chart: Single},
				{Title: "Top actions", Query: "cloud.provider:* | stats count() by event.action | sort -count | head 10", Chart: Bar},
				{Title: "Failed calls by user", Query: "cloud.provider:* event.outcome:failure | stats count() by user.name, event.action | sort -count | head 20", Chart: Table},
				{Title: "Callers on the map", Query: "cloud.provider:* source.geo.location.lat:* | stats count() by source.geo.location.lat, source.geo.location.lon | sort -count | head 500", Chart: Map},
			}},
	}
}

// Builtin returns the built-in dashboard id, if there is one.
func Builtin(id string) (Dashboard, bool) {
	for _, d := range Builtins() {
		if d.ID == id {
			return d, true
		}
	}
	return Dashboard{}, false
}
