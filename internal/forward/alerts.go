package forward

import (
	"context"
	"strconv"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// AlertSource is the source (vigil.source) of alerts as routes see them.
const AlertSource = "alert"

// AlertEvent renders an alert as the flat event routes filter and outputs
// send (event.kind:alert). Its event.id is stable for one state of the
// alert (its id and count), so a replay is a duplicate and an update of a
// folded alert is not:
//
//	@timestamp          the alert's last event
//	event.id            NewID(tenant, "alert", alert id, count)
//	vigil.tenant        the alert's tenant; vigil.source: "alert"
//	event.kind          "alert"
//	message             the rule title
//	rule.id, rule.name  the rule
//	alert.id, alert.level, alert.count, alert.status, alert.first, alert.last, alert.event_ids
//	tags, threat.technique.id, threat.tactic.name
//	related.hosts, related.user, related.ip, and host.name, user.name,
//	source.ip, destination.ip when the alert has one of each
func AlertEvent(a *alert.Alert) *event.Event {
	tenant := a.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	e := &event.Event{
		Timestamp: a.Last.UTC(),
		Ingested:  a.Last.UTC(),
		ID:        event.NewID(tenant, AlertSource, a.ID, 0, []byte(strconv.Itoa(a.Count))),
		Tenant:    tenant,
		Source:    AlertSource,
	}
	e.Append("event.kind", event.String("alert"))
	e.SetString(event.FieldMessage, a.Title)
	e.SetString("rule.id", a.RuleID)
	e.SetString("rule.name", a.Title)
	e.SetString("alert.id", a.ID)
	e.SetString("alert.level", a.Level)
	e.Set("alert.count", event.Int(int64(a.Count)))
	e.SetString("alert.status", string(a.Status))
	if !a.First.IsZero() {
		e.Set("alert.first", event.Time(a.First))
	}
	if !a.Last.IsZero() {
		e.Set("alert.last", event.Time(a.Last))
	}
	list := func(name string, items []string) {
		if len(items) > 0 {
			e.Set(name, event.List(append([]string(nil), items...)))
		}
	}
	list("alert.event_ids", a.EventIDs)
	list("tags", a.Tags)
	list("threat.technique.id", a.Techniques)
	list("threat.tactic.name", a.Tactics)
	en := a.Entities
	list("related.hosts", en.Hosts)
	list("related.user", en.Users)
	list("related.ip", append(append([]string(nil), en.SourceIPs...), en.DestinationIPs...))
	one := func(name string, items []string, typed bool) {
		switch {
		case len(items) != 1:
		case typed:
			e.Set(name, event.Infer(items[0]))
		default:
			e.SetString(name, items[0])
		}
	}
	one("host.name", en.Hosts, false)
	one("user.name", en.Users, false)
	one("source.ip", en.SourceIPs, true)
	one("destination.ip", en.DestinationIPs, true)
	return e
}

// alertSink stores alerts through next, then routes them.
type alertSink struct {
	next   alert.Sink
	router *Router
}

// WriteAlerts implements alert.Sink.
func (s alertSink) WriteAlerts(ctx context.Context, alerts []alert.Alert) error {
	if s.next != nil {
		if err := s.next.WriteAlerts(ctx, alerts); err != nil {
			return err
		}
	}
	if s.router == nil || len(alerts) == 0 || !s.router.takesAlerts() {
		return nil
	}
	events := make([]*event.Event, len(alerts))
	for i := range alerts {
		events[i] = AlertEvent(&alerts[i])
	}
	return s.router.route(ctx, events, true)
}
