package entity

import (
	"context"
	"hash/fnv"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

// sharded is analytics split by entity over n engines, as the detect
// nodes of a bus split them (package entity/shard): each event goes to
// the engine of each entity it feeds, each alert to the engine of each
// entity it adds risk to.
type sharded struct {
	t       testing.TB
	router  *Engine
	engines []*Engine
	out     *collector
}

func newSharded(t testing.TB, cfg config.Analytics, n int) *sharded {
	s := &sharded{t: t, out: &collector{}}
	s.router, _ = newEngine(t, cfg, "")
	for range n {
		s.engines = append(s.engines, s.newPart(cfg))
	}
	return s
}

func (s *sharded) newPart(cfg config.Analytics) *Engine {
	if err := cfg.Validate(); err != nil {
		s.t.Fatal(err)
	}
	wall := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e, err := New(Options{Config: cfg, Logger: quiet, Now: func() time.Time { return wall }}, s.out)
	if err != nil {
		s.t.Fatal(err)
	}
	return e
}

func (s *sharded) of(r Ref) *Engine {
	h := fnv.New32a()
	h.Write([]byte(r.Type + "\x00" + r.Name))
	return s.engines[h.Sum32()%uint32(len(s.engines))]
}

func (s *sharded) write(evs ...*event.Event) {
	var refs []Ref
	for _, ev := range evs {
		refs = s.router.EntitiesOf(refs[:0], ev)
		for _, r := range refs {
			if err := s.of(r).WriteFor(context.Background(), r, []*event.Event{ev}); err != nil {
				s.t.Fatal(err)
			}
		}
	}
}

func (s *sharded) addAlerts(as []alert.Alert) []alert.Alert {
	var out []alert.Alert
	for i := range as {
		for _, r := range RiskEntitiesOf(nil, &as[i]) {
			out = append(out, s.of(r).AddAlertsFor(r, as[i:i+1])...)
		}
	}
	return out
}

func ids(as []alert.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.RuleID+" "+a.ID)
	}
	slices.Sort(out)
	return out
}

// TestShardedByEntityEqualsOneEngine: analytics split by entity over four
// engines, one of them restored from its State half-way, raise the same
// alerts with the same ids as one engine given every event, and the
// risk of alerts raised elsewhere reaches the same entities.
func TestShardedByEntityEqualsOneEngine(t *testing.T) {
	cfg := config.Analytics{Risk: config.Risk{Threshold: 40}}
	whole, wc := newEngine(t, cfg, "")
	sh := newSharded(t, cfg, 4)
	users := []string{"anna", "bjorn", "cecilia", "david", "eva", "kato"}
	var history []*event.Event
	for d := 0; d < 14; d++ {
		date := day0.AddDate(0, 0, d)
		for i, u := range users {
			ev := login(u, date.Add(time.Duration(8+i%3)*time.Hour), "10.1.0.1", stockholm)
			ev.SetString("host.name", "vpn0"+string(rune('1'+i%3)))
			history = append(history, ev)
		}
	}
	half := len(history) / 2
	for _, ev := range history[:half] {
		write(t, whole, ev)
		sh.write(ev)
	}
	// one engine moves half-way: its state, restored into a new engine
	st, err := sh.engines[1].State()
	if err != nil {
		t.Fatal(err)
	}
	sh.engines[1] = sh.newPart(cfg)
	if err := sh.engines[1].Restore(st); err != nil {
		t.Fatal(err)
	}
	for _, ev := range history[half:] {
		write(t, whole, ev)
		sh.write(ev)
	}
	at := day0.AddDate(0, 0, 14).Add(3 * time.Hour)
	late := []*event.Event{login("kato", at, "203.0.113.9", beijing), login("kato", at.Add(20*time.Minute), "198.51.100.7", newYork),
		login("anna", at, "203.0.113.10", newYork)}
	for _, ev := range late {
		// a second entity (source_ip) the event feeds: its engine must
		// not learn kato's baselines from it
		ev.Set("destination.ip", event.IP(netip.MustParseAddr("10.9.9.9")))
	}
	write(t, whole, late...)
	sh.write(late...)
	rule := alert.Alert{ID: "rule-1", Tenant: "acme", RuleID: "r1", Title: "bad", Level: "critical", First: at, Last: at,
		Entities: alert.Entities{Users: []string{"David"}, Hosts: []string{"vpn01"}}}
	wr := whole.AddAlerts([]alert.Alert{rule})
	sr := sh.addAlerts([]alert.Alert{rule})

	want, got := ids(wc.alerts), ids(sh.out.alerts)
	if len(want) == 0 || !slices.Contains(want, RuleIDPrefix+"user_impossible_travel "+travelID(wc.alerts)) {
		t.Fatalf("one engine raised no travel alert: %v", want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("sharded alerts\n%v\nwant\n%v", got, want)
	}
	if !slices.Equal(ids(sr), ids(wr)) || len(wr) == 0 {
		t.Errorf("risk alerts of a rule's alert: sharded %v, one engine %v", ids(sr), ids(wr))
	}
	kato := Ref{Type: "user", Name: "kato"}
	for i, e := range sh.engines {
		if _, ok := e.Entity("acme", kato.Type, kato.Name); ok != (e == sh.of(kato)) {
			t.Errorf("engine %d knows kato: %v; only the engine owning kato should", i, ok)
		}
	}
	if err := sh.engines[0].Restore([]byte("junk")); err == nil {
		t.Error("a damaged state restores")
	}
}

func travelID(as []alert.Alert) string {
	for _, a := range as {
		if a.RuleID == RuleIDPrefix+"user_impossible_travel" {
			return a.ID
		}
	}
	return ""
}
