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
