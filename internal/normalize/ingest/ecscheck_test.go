package ingest

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestCheckECS: each rule fires on the value it names, and a conforming
// event passes.
func TestCheckECS(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	good := func() *event.Event {
		e := &event.Event{Timestamp: now.Add(-time.Hour)}
		e.Set("event.kind", event.String("event"))
		e.Set("event.category", event.List([]string{"network"}))
		e.Set("event.type", event.List([]string{"connection", "denied"}))
		e.Set("event.outcome", event.String("failure"))
		e.Set("event.code", event.String("106023"))
		e.Set("source.ip", event.IP(netip.MustParseAddr("10.1.2.3")))
		e.Set("source.port", event.Int(443))
		e.Set("source.bytes", event.Int(10))
		e.Set("source.geo.location.lat", event.Float(1.5))
		e.Set("user.name", event.String("alice@example.com"))
		e.Set("host.name", event.String("fw01"))
		e.Set("process.pid", event.Int(42))
		e.Set("labels.anything", event.String("x"))
		e.Set("fortinet.firewall.Whatever", event.String("x"))
		return e
	}
	if v := CheckECS(good(), now); len(v) != 0 {
		t.Fatalf("conforming event: %v", v)
	}
	cases := []struct {
		rule  string
		field string
		value event.Value
		ts    time.Time
	}{
		{"kind", "event.kind", event.String("alarm"), time.Time{}},
		{"outcome", "event.outcome", event.String("blocked"), time.Time{}},
		{"category", "event.category", event.List([]string{"firewall"}), time.Time{}},
		{"type", "event.type", event.List([]string{"blocked"}), time.Time{}},
		{"category_type", "event.type", event.List([]string{"creation"}), time.Time{}},
		{"ip", "source.ip", event.String("fw01"), time.Time{}},
		{"port", "source.port", event.Int(70000), time.Time{}},
		{"port", "destination.port", event.String("https"), time.Time{}},
		{"bytes", "source.bytes", event.Int(-1), time.Time{}},
		{"user_domain", "user.name", event.String(`CORP\alice`), time.Time{}},
		{"empty", "host.name", event.String(" "), time.Time{}},
		{"code_type", "event.code", event.Int(4625), time.Time{}},
		{"pid_type", "process.pid", event.String("0x1a4"), time.Time{}},
		{"name_case", "source.Ip", event.String("10.1.2.3"), time.Time{}},
		{"name_unknown", "event.ServiceName", event.String("x"), time.Time{}},
		{"timestamp", "", event.Value{}, now.Add(72 * time.Hour)},
		{"timestamp", "", event.Value{}, time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)},
	}
	for _, c := range cases {
		e := good()
		if c.field != "" {
			e.Set(c.field, c.value)
		} else {
			e.Timestamp = c.ts
		}
		var rules []string
		for _, v := range CheckECS(e, now) {
			rules = append(rules, v.Rule)
		}
		if len(rules) != 1 || rules[0] != c.rule {
			t.Errorf("%s=%v: rules %v, want [%s]", c.field, c.value.Text(), rules, c.rule)
		}
	}
	e := good()
	e.Timestamp = time.Time{}
	if v := CheckECS(e, now); len(v) != 1 || !strings.Contains(v[0].String(), "missing") {
		t.Errorf("no @timestamp: %v", v)
	}
}

// TestECSFieldsLoaded: the embedded ECS field list is the whole schema.
func TestECSFieldsLoaded(t *testing.T) {
	for name, typ := range map[string]string{"source.ip": "ip", "process.pid": "long", "user.domain": "keyword", "event.category": "keyword", "labels": "object"} {
		if ecsFields[name] != typ {
			t.Errorf("%s: type %q, want %q", name, ecsFields[name], typ)
		}
	}
	if len(ecsFields) < 1500 {
		t.Errorf("%d ECS fields, want the whole schema", len(ecsFields))
	}
}
