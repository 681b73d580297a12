package entity

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// AlertEvents renders the alerts of analytics (anomalies and risk alerts)
// as events, so Sigma rules and correlations can match them like any
// other event (docs/analytics.md lists the fields): event.kind alert,
// event.module vigil, event.dataset vigil.analytics, so a rule selects them
// with `logsource: {product: vigil, service: analytics}`. The event id is
// the alert id. Other alerts are left out: a rule's alert fed back to the
// rules could feed itself.
func AlertEvents(as []alert.Alert) []*event.Event {
	var out []*event.Event
	for _, a := range as {
		if a.Analytic == nil || !strings.HasPrefix(a.RuleID, RuleIDPrefix) {
			continue
		}
		e := &event.Event{Timestamp: a.First, Ingested: a.Last, ID: a.ID, Tenant: a.Tenant, Source: "analytics"}
		e.SetString("event.kind", "alert")
		e.SetString("event.module", "vigil")
		e.SetString("event.dataset", "vigil.analytics")
		e.SetString("event.severity_name", a.Level)
		e.SetString("rule.id", a.RuleID)
		e.SetString("rule.name", a.Title)
		e.SetString("message", a.Analytic.Reason)
		set := func(name, v string) {
			if v != "" {
				e.SetString(name, v)
			}
		}
		set("vigil.analytics.name", a.Analytic.Name)
		set("vigil.analytics.kind", a.Analytic.Kind)
		set("vigil.analytics.entity_type", a.Analytic.EntityType)
		set("vigil.analytics.entity", a.Analytic.Entity)
		set("vigil.analytics.value", a.Analytic.Value)
		if len(a.Analytic.Baseline) > 0 {
			e.Set("vigil.analytics.baseline", event.List(append([]string(nil), a.Analytic.Baseline...)))
		}
		if len(a.EventIDs) > 0 {
			e.Set("vigil.analytics.event_ids", event.List(append([]string(nil), a.EventIDs...)))
		}
		first := func(name string, l []string) {
			if len(l) > 0 {
				e.SetString(name, l[0])
			}
		}
		first("user.name", a.Entities.Users)
		first("host.name", a.Entities.Hosts)
		first("source.ip", a.Entities.SourceIPs)
		first("destination.ip", a.Entities.DestinationIPs)
		out = append(out, e)
	}
	return out
}
