package alert

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestAttack(t *testing.T) {
	f := func(tags, tech, tact []string) {
		t.Helper()
		gotTech, gotTact := Attack(tags)
		if !reflect.DeepEqual(gotTech, tech) || !reflect.DeepEqual(gotTact, tact) {
			t.Errorf("Attack(%v) = %v, %v; want %v, %v", tags, gotTech, gotTact, tech, tact)
		}
	}
	f([]string{"attack.execution", "attack.t1059.001", "car.2016-04-005"}, []string{"T1059.001"}, []string{"execution"})
	f([]string{"attack.credential_access", "attack.T1003"}, []string{"T1003"}, []string{"credential-access"})
	f([]string{"attack.g0016", "detection.threat-hunting"}, nil, nil)
	f(nil, nil, nil)
}

func ev(id, host, user string, t time.Time) *event.Event {
	e := &event.Event{ID: id, Timestamp: t}
	e.SetString("host.name", host)
	e.SetString("user.name", user)
	return e
}

func TestFolder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	m := func(rule string, e *event.Event) Match {
		return Match{RuleID: rule, Title: "T " + rule, Level: "high", Tags: []string{"attack.t1003"}, Event: e}
	}
	f := NewFolder(10 * time.Minute)
	out := f.Add([]Match{
		m("r1", ev("e1", "h1", "alice", t0)),
		m("r1", ev("e2", "h1", "alice", t0.Add(time.Minute))),
		m("r1", ev("e3", "h2", "alice", t0.Add(time.Minute))),
		m("r2", ev("e4", "h1", "alice", t0)),
	})
	if len(out) != 3 {
		t.Fatalf("got %d alerts, want 3: %+v", len(out), out)
	}
	if out[0].Count != 2 || !reflect.DeepEqual(out[0].EventIDs, []string{"e1", "e2"}) || !out[0].Last.Equal(t0.Add(time.Minute)) {
		t.Errorf("folded alert = %+v", out[0])
	}
	if out[0].Techniques[0] != "T1003" || out[0].Entities.Hosts[0] != "h1" || out[0].Status != StatusOpen {
		t.Errorf("alert fields = %+v", out[0])
	}
	// same rule and entities later in the window: same id, count grows
	again := f.Add([]Match{m("r1", ev("e5", "h1", "alice", t0.Add(9*time.Minute)))})
	if len(again) != 1 || again[0].ID != out[0].ID || again[0].Count != 3 {
		t.Errorf("update = %+v, want id %s count 3", again, out[0].ID)
	}
	// past the window: a new alert
	late := f.Add([]Match{m("r1", ev("e6", "h1", "alice", t0.Add(11*time.Minute)))})
	if len(late) != 1 || late[0].ID == out[0].ID || late[0].Count != 1 {
		t.Errorf("after the window = %+v, want a new alert", late)
	}
}

func TestFolderCapsEventIDs(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	f := NewFolder(0)
	var ms []Match
	for i := 0; i < MaxEventIDs+50; i++ {
		ms = append(ms, Match{RuleID: "r", Event: ev(fmt.Sprint("e", i), "h", "u", t0)})
	}
	out := f.Add(ms)
	if len(out) != 1 || out[0].Count != MaxEventIDs+50 || len(out[0].EventIDs) != MaxEventIDs {
		t.Fatalf("got count %d with %d ids, want %d and %d", out[0].Count, len(out[0].EventIDs), MaxEventIDs+50, MaxEventIDs)
	}
}

func TestEntitiesOfWindows(t *testing.T) {
	e := &event.Event{}
	e.SetString("winlog.computer_name", "DC01")
	e.SetString("winlog.event_data.TargetUserName", "bob")
	e.SetString("winlog.event_data.IpAddress", "-")
	en := EntitiesOf(e)
	if !reflect.DeepEqual(en, Entities{Hosts: []string{"DC01"}, Users: []string{"bob"}}) {
		t.Errorf("EntitiesOf = %+v", en)
	}
}

// TestEntitiesOfObserver: a firewall that names itself as the event's host
// (host.name copied from observer.name, or an ASA's syslog host) is not an
// entity of its alerts, or every incident it saw would link on it; a host
// that only differs from the observer stays.
func TestEntitiesOfObserver(t *testing.T) {
	for _, tc := range []struct {
		field, observer string
		want            []string
	}{
		{"observer.name", "FGT60E", nil},
		{"observer.hostname", "fgt60e", nil},
		{"observer.name", "edge-fw", []string{"FGT60E"}},
		{"", "", []string{"FGT60E"}},
	} {
		e := &event.Event{}
		e.SetString("host.name", "FGT60E")
		e.SetString("source.ip", "203.0.113.9")
		if tc.field != "" {
			e.SetString(tc.field, tc.observer)
		}
		en := EntitiesOf(e)
		if !reflect.DeepEqual(en.Hosts, tc.want) || !reflect.DeepEqual(en.SourceIPs, []string{"203.0.113.9"}) {
			t.Errorf("%s=%q: EntitiesOf = %+v, want hosts %v", tc.field, tc.observer, en, tc.want)
		}
	}
}

// TestFolderExpires forgets alerts no event can fold into any more: a
// window after their window closed, by the newest event time (no later
// than the clock); an event that late opens a new alert. An event from
// the future expires nothing, and an alert of old events opened after live
// ones (an import) stays while those do.
func TestFolderExpires(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	clock := t0.Add(19 * time.Minute)
	f := NewFolder(10 * time.Minute)
	f.now = func() time.Time { return clock }
	m := func(id, host string, at time.Time) Match {
		return Match{RuleID: "r", Event: ev(id, host, "u", at)}
	}
	first := f.Add([]Match{m("e1", "h1", t0)})[0]
	// 19 minutes later: a late event still folds into it
	f.Add([]Match{m("e2", "h2", t0.Add(19*time.Minute))})
	if got := f.Add([]Match{m("e3", "h1", t0.Add(5*time.Minute))})[0]; got.ID != first.ID {
		t.Errorf("an event 14 minutes late opened %s, want it folded into %s", got.ID, first.ID)
	}
	// one from the future (past the clock) expires nothing
	f.Add([]Match{m("e4", "h3", t0.Add(48*time.Hour))})
	if len(f.open) != 3 {
		t.Errorf("%d alerts tracked after an event from the future, want 3", len(f.open))
	}
	// live time moves on 21 minutes: the first alert is forgotten
	clock = t0.Add(21 * time.Minute)
	f.Add([]Match{m("e5", "h4", t0.Add(21*time.Minute))})
	if _, ok := f.open[first.Tenant+"\x00r\x00"+first.Entities.key()]; ok {
		t.Error("the alert whose window closed a window ago is still tracked")
	}
	if got := f.Add([]Match{m("e6", "h1", t0.Add(5*time.Minute))})[0]; got.ID == first.ID || got.Count != 1 {
		t.Errorf("an event 16 minutes late folded into %s (count %d), want a new alert", got.ID, got.Count)
	}
	// an import of yesterday's events beside live ones folds while the
	// alerts opened before it stay
	old := t0.Add(-24 * time.Hour)
	imp := f.Add([]Match{m("i1", "h9", old)})[0]
	for i := range 5 {
		if got := f.Add([]Match{m(fmt.Sprint("i", i+2), "h9", old.Add(time.Duration(i)*time.Minute))})[0]; got.ID != imp.ID {
			t.Fatalf("import event %d opened %s, want it folded into %s", i+2, got.ID, imp.ID)
		}
	}
}

// TestFolderExpiresReplaced expires an alert that a newer one of the same
// key replaced, without forgetting the newer one.
func TestFolderExpiresReplaced(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	f := NewFolder(10 * time.Minute)
	f.now = func() time.Time { return t0.Add(24 * time.Hour) }
	var ids []string
	for i := range 12 { // one key, a new alert each 11 minutes
		a := f.Add([]Match{{RuleID: "r", Event: ev(fmt.Sprint("e", i), "h1", "u", t0.Add(time.Duration(i)*11*time.Minute))}})[0]
		ids = append(ids, a.ID)
	}
	if len(f.fifo) > 3 || len(f.open) != 1 {
		t.Errorf("%d alerts queued, %d tracked; want the expired ones gone and 1 tracked", len(f.fifo), len(f.open))
	}
	last := f.Add([]Match{{RuleID: "r", Event: ev("x", "h1", "u", t0.Add(121*time.Minute))}})[0]
	if last.ID != ids[11] || last.Count != 2 {
		t.Errorf("the newest alert was forgotten: got %s count %d, want %s", last.ID, last.Count, ids[11])
	}
}
