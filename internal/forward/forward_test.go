package forward

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/queue"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const fastRetry = `
    retry: {initial: 5ms, max: 20ms}
    batch: {max_events: 50, linger: 5ms}`

func ids(evs []*event.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// Events written while the receiver fails are delivered once it recovers,
// in order, and counted: failed per attempt, delivered once.
func TestDeliveryRetriesUntilDelivered(t *testing.T) {
	out := newFake()
	out.failN = 3
	c := testConfig(t, `
outputs:
  - name: retry-out
    type: test`+fastRetry+`
routes:
  - outputs: [retry-out]
`, map[string]Output{"retry-out": out})
	m := startManager(t, c, t.TempDir())
	evs := mkEvents("acme", "syslog", 120)
	if err := m.Sink().Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	got := out.waitIDs(t, 120)
	if !slices.Equal(got, ids(evs)) {
		t.Fatalf("delivered %d events out of order or wrong: %v", len(got), got[:5])
	}
	st := waitStatus(t, m, func(st OutputStatus) bool { return st.Queue.Records == 0 })
	if st.Delivered != 120 || st.FailedSends != 3 || st.Failed == 0 || st.Dropped != 0 || st.Retrying {
		t.Errorf("status %+v", st)
	}
}

// A receiver that refuses some events on their own gets every other event
// of their batches; only the refused are dropped, and counted.
func TestPermanentRefusalDropsOnlyTheRefused(t *testing.T) {
	out := newFake()
	c := testConfig(t, `
outputs:
  - name: picky
    type: test`+fastRetry+`
routes:
  - outputs: [picky]
`, map[string]Output{"picky": out})
	m := startManager(t, c, t.TempDir())
	evs := mkEvents("acme", "syslog", 40)
	evs[3].Set("bad", event.Bool(true))
	evs[27].Set("bad", event.Bool(true))
	if err := m.Sink().Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	got := out.waitIDs(t, 38)
	want := ids(slices.Concat(evs[:3], evs[4:27], evs[28:]))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
	waitStatus(t, m, func(st OutputStatus) bool {
		return st.DroppedRejected == 2 && st.Delivered == 38 && st.Queue.Records == 0
	})
}

// Routes choose by kind, tenant, source and filter; fields select; an event
// goes to an output once even when two routes take it.
func TestRoutes(t *testing.T) {
	all, auth, acme, alerts := newFake(), newFake(), newFake(), newFake()
	c := testConfig(t, `
outputs:
  - {name: all, type: test, retry: {initial: 5ms, max: 20ms}, batch: {linger: 1ms}}
  - {name: auth, type: test, retry: {initial: 5ms, max: 20ms}, batch: {linger: 1ms}}
  - {name: acme, type: test, retry: {initial: 5ms, max: 20ms}, batch: {linger: 1ms}}
  - {name: alerts, type: test, retry: {initial: 5ms, max: 20ms}, batch: {linger: 1ms}}
routes:
  - name: everything
    outputs: [all]
  - name: failed-auth
    filter: 'event.outcome:failure AND user.name:*'
    fields: [user.name, source.*]
    outputs: [auth, all]
  - name: acme-firewall
    tenants: [acme]
    sources: [fw]
    outputs: [acme]
  - name: alerts-only
    events: false
    alerts: true
    outputs: [alerts]
`, map[string]Output{"all": all, "auth": auth, "acme": acme, "alerts": alerts})
	m := startManager(t, c, t.TempDir())
	fail := mkEvents("acme", "syslog", 3,
		event.Field{Name: "event.outcome", Value: event.String("failure")},
		event.Field{Name: "user.name", Value: event.String("root")},
		event.Field{Name: "source.ip", Value: event.String("10.0.0.1")},
		event.Field{Name: "source.port", Value: event.Int(4444)})
	fw := mkEvents("acme", "fw", 2)
	otherFW := mkEvents("globex", "fw", 2)
	evs := slices.Concat(fail, fw, otherFW)
	if err := m.Sink().Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	gotAll := all.waitIDs(t, len(evs))
	if len(gotAll) != len(evs) {
		t.Errorf("all got %d events, want %d (each once)", len(gotAll), len(evs))
	}
	auth.waitIDs(t, 3)
	acme.waitIDs(t, 2)
	// Write returned once the events were in the outputs' queues: once
	// these are empty, nothing more will arrive.
	waitDrained(t, m)
	if got := auth.ids(); !slices.Equal(got, ids(fail)) {
		t.Errorf("auth got %v", got)
	}
	if got := acme.ids(); !slices.Equal(got, ids(fw)) {
		t.Errorf("acme got %v", got)
	}
	if got := alerts.ids(); len(got) != 0 {
		t.Errorf("alerts output got events %v", got)
	}
	// Field selection keeps the envelope and the chosen fields only.
	auth.mu.Lock()
	e := auth.events[0]
	auth.mu.Unlock()
	var names []string
	e.Range(func(n string, _ event.Value) bool { names = append(names, n); return true })
	want := []string{"@timestamp", "event.id", "vigil.tenant", "vigil.source", "user.name", "source.ip", "source.port"}
	if !slices.Equal(names, want) || e.ID != fail[0].ID {
		t.Errorf("selected fields %v (id %s), want %v", names, e.ID, want)
	}
	// Events routed to "all" keep everything, event.original included.
	all.mu.Lock()
	if all.events[0].Original == "" || !all.events[0].Has("seq") {
		t.Errorf("full copy lost fields: %s", all.events[0].AppendJSON(nil))
	}
	all.mu.Unlock()

	// Alerts go to alert routes only.
	a := alert.Alert{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "Brute force", Level: "high", Count: 3,
		First: time.Unix(1_700_000_000, 0), Last: time.Unix(1_700_000_100, 0), EventIDs: []string{"x", "y"},
		Entities: alert.Entities{Hosts: []string{"web01"}, SourceIPs: []string{"10.0.0.9"}}, Status: alert.StatusOpen}
	var stored []alert.Alert
	sink := m.AlertSink(alert.SinkFunc(func(_ context.Context, as []alert.Alert) error { stored = append(stored, as...); return nil }))
	if err := sink.WriteAlerts(context.Background(), []alert.Alert{a}); err != nil {
		t.Fatal(err)
	}
	got := alerts.waitIDs(t, 1)
	ae := AlertEvent(&a)
	if len(stored) != 1 || got[0] != ae.ID || len(all.ids()) != len(evs) {
		t.Errorf("alert stored %d, routed %v, want id %s; all holds %d", len(stored), got, ae.ID, len(all.ids()))
	}
	alerts.mu.Lock()
	js := string(alerts.events[0].AppendJSON(nil))
	alerts.mu.Unlock()
	for _, want := range []string{`"event.kind":"alert"`, `"rule.id":"r1"`, `"alert.count":3`, `"host.name":"web01"`, `"source.ip":"10.0.0.9"`, `"alert.event_ids":["x","y"]`} {
		if !strings.Contains(js, want) {
			t.Errorf("alert event %s lacks %s", js, want)
		}
	}
	// Stable: the same alert state has the same id; an update another.
	a2 := a
	if AlertEvent(&a2).ID != ae.ID {
		t.Error("alert event id is not stable")
	}
	a2.Count++
	if AlertEvent(&a2).ID == ae.ID {
		t.Error("an updated alert kept its event id")
	}
}

// What the router queued survives a restart of the manager: the queue is
// durable before Write returns.
func TestQueuedSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	out := newFake()
	out.failN = 1 << 30
	yaml := `
outputs:
  - name: durable
    type: test` + fastRetry + `
routes:
  - outputs: [durable]
`
	c := testConfig(t, yaml, map[string]Output{"durable": out})
	m, err := New(c.Outputs, c.Routes, Env{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	evs := mkEvents("acme", "syslog", 10)
	if err := m.Sink().Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	out2 := newFake()
	c = testConfig(t, yaml, map[string]Output{"durable": out2})
	m2 := startManager(t, c, dir)
	if got := out2.waitIDs(t, 10); !slices.Equal(got, ids(evs)) {
		t.Fatalf("after restart delivered %v", got)
	}
	_ = m2
}

// TestOutputsStatusJSON: the delivery state's JSON, as the API shows it.
func TestOutputsStatusJSON(t *testing.T) {
	out := newFake()
	c := testConfig(t, `
outputs:
  - name: api-out
    type: test`+fastRetry+`
routes:
  - outputs: [api-out]
`, map[string]Output{"api-out": out})
	m := startManager(t, c, t.TempDir())
	if err := m.Sink().Write(context.Background(), mkEvents("acme", "s", 5)); err != nil {
		t.Fatal(err)
	}
	out.waitIDs(t, 5)
	waitStatus(t, m, func(st OutputStatus) bool { return st.Delivered == 5 && st.Queue.Records == 0 })
	// GET /api/v1/outputs answers {"outputs": m.Status()} (package api).
	b, err := json.Marshal(map[string]any{"outputs": m.Status()})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Outputs []struct {
			Name      string `json:"name"`
			Type      string `json:"type"`
			Delivered int    `json:"delivered"`
			Health    struct {
				Level string `json:"level"`
			} `json:"health"`
			Queue struct {
				Records          int     `json:"records"`
				OldestAgeSeconds float64 `json:"oldest_age_seconds"`
			} `json:"queue"`
			Tenants []map[string]any `json:"tenants"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	o := body.Outputs[0]
	if o.Name != "api-out" || o.Type != "test" || o.Delivered != 5 || o.Health.Level != "ok" || o.Queue.Records != 0 || len(o.Tenants) != 1 {
		t.Fatalf("body %s", b)
	}
}

// A queue past 80% of its byte limit raises one alert; dropping raises a
// critical one.
func TestHealthAlerts(t *testing.T) {
	out := newFake()
	out.failN = 1 << 30 // the receiver stays down
	c := testConfig(t, `
outputs:
  - name: small
    type: test
    queue: {max_bytes: 64KiB}`+fastRetry+`
routes:
  - outputs: [small]
`, map[string]Output{"small": out})
	m := startManager(t, c, t.TempDir())
	got := make(chan alert.Alert, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go m.RunHealthAlerts(ctx, alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
		for _, a := range as {
			got <- a
		}
		return nil
	}))
	levels := map[string]bool{}
	deadline := time.After(testutil.WaitTimeout)
	for i := 0; !levels["critical"]; i++ {
		// Once past the warning ratio, give the watcher time to say so
		// before the limit is hit.
		if m.Status()[0].Health.Level == queue.HealthWarning && !levels["high"] {
			select {
			case a := <-got:
				levels[a.Level] = true
			case <-time.After(testutil.WaitTimeout):
				t.Fatal("no alert for a queue past 80% of its limit")
			}
		}
		evs := mkEvents("acme", "s", 50, event.Field{Name: "pad", Value: event.String(strings.Repeat("x", 400))})
		for j, e := range evs {
			e.ID = event.NewID("acme", "s", "", 0, []byte{byte(i), byte(j)})
		}
		if err := m.Sink().Write(ctx, evs); err != nil {
			t.Fatal(err)
		}
		select {
		case a := <-got:
			if a.RuleID != HealthRuleID || a.Tenant != "acme" || !strings.Contains(a.Title, "small") {
				t.Errorf("alert %+v", a)
			}
			levels[a.Level] = true
		case <-deadline:
			t.Fatalf("alerts so far %v; status %+v", levels, m.Status()[0].Health)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !levels["high"] {
		t.Errorf("no warning alert before the drop: %v", levels)
	}
	if st := m.Status()[0]; st.DroppedByQueue == 0 || st.Health.Level != queue.HealthDropping {
		t.Errorf("status %+v", st)
	}
}

// waitStatus waits until the first output's status satisfies ok.
func waitStatus(t *testing.T, m *Manager, ok func(OutputStatus) bool) OutputStatus {
	t.Helper()
	var st OutputStatus
	if !testutil.Poll(testutil.WaitTimeout, func() bool { st = m.Status()[0]; return ok(st) }) {
		t.Fatalf("status %+v", st)
	}
	return st
}

// waitDrained waits until every output has delivered all its queue holds.
func waitDrained(t *testing.T, m *Manager) {
	t.Helper()
	testutil.Eventually(t, "every output's queue delivered", func() bool {
		for _, st := range m.Status() {
			if st.Queue.Records != 0 {
				return false
			}
		}
		return true
	})
}
