package detect

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestRuleDisabledForOneTenantOnly(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), whoamiRule)
	path := filepath.Join(t.TempDir(), "state", "rules", "disabled.json")
	tg, err := OpenToggles(path)
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	eng, err := New(Config{Dirs: []string{dir}, Toggles: tg}, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	const id = "11111111-1111-4111-8111-111111111111"
	if changed, err := tg.Set("acme", id, false, "alice", time.Now()); err != nil || !changed {
		t.Fatalf("disable: changed %v, err %v", changed, err)
	}
	acme, other := sysmon1(`C:\Windows\System32\whoami.exe`), sysmon1(`C:\Windows\System32\whoami.exe`)
	acme.Tenant, acme.ID = "acme", "e-acme"
	other.Tenant, other.ID = "globex", "e-globex"
	if err := eng.Write(context.Background(), []*event.Event{acme, other}); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 1 || sink.alerts[0].Tenant != "globex" {
		t.Fatalf("alerts %+v, want one, of globex only", sink.alerts)
	}

	// the switch survives a restart, with who made it
	again, err := OpenToggles(path)
	if err != nil {
		t.Fatal(err)
	}
	if tgl, off := again.Get("acme", id); !off || tgl.By != "alice" {
		t.Fatalf("after reopen: %+v off=%v", tgl, off)
	}
	if again.Disabled("globex", id) {
		t.Fatal("disabled for globex too")
	}
	if changed, err := again.Set("acme", id, true, "bob", time.Now()); err != nil || !changed {
		t.Fatalf("enable: changed %v, err %v", changed, err)
	}
	third, err := OpenToggles(path)
	if err != nil {
		t.Fatal(err)
	}
	if third.Disabled("acme", id) || len(third.DisabledOf("acme")) != 0 {
		t.Fatal("enabling did not persist")
	}
}

func TestTogglesBounded(t *testing.T) {
	tg, _ := OpenToggles("")
	for i := range MaxDisabledPerTenant {
		if _, err := tg.Set("t", string(rune('a'))+time.Duration(i).String(), false, "x", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tg.Set("t", "one-more", false, "x", time.Now()); err == nil {
		t.Fatal("no error past the limit")
	}
	if _, err := tg.Set("u", "one-more", false, "x", time.Now()); err != nil {
		t.Fatalf("another tenant: %v", err)
	}
}

func TestRuleTestFoldsLikeTheEngine(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), whoamiRule)
	write(t, filepath.Join(dir, "net.yml"), netRule)
	eng, err := New(Config{Dirs: []string{dir}}, &memSink{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := eng.NewRuleTest("nope"); err != ErrRuleNotFound {
		t.Fatalf("unknown rule: %v", err)
	}
	rt, err := eng.NewRuleTest("11111111-1111-4111-8111-111111111111")
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range []string{`C:\x\whoami.exe`, `C:\x\net.exe`, `C:\y\whoami.exe`} {
		e := sysmon1(img)
		e.ID = "e" + string(rune('0'+i))
		want := i != 1
		if got := rt.Add(e); got != want {
			t.Fatalf("event %d: matched %v, want %v", i, got, want)
		}
	}
	as := rt.Alerts()
	if rt.Events != 3 || rt.Matches != 2 || len(as) != 1 || as[0].Count != 2 || as[0].Level != "high" || as[0].Reason == nil {
		t.Fatalf("events %d matches %d alerts %+v", rt.Events, rt.Matches, as)
	}
}

// A backtest reads stored events in no particular order; the alerts must
// be those live detection raised from the events in time order.
func TestRuleTestFoldsInEventTimeOrder(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), whoamiRule)
	eng, err := New(Config{Dirs: []string{dir}, Window: time.Minute}, &memSink{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	offsets := []time.Duration{0, 30 * time.Second, 90 * time.Second, 150 * time.Second}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}} {
		rt, err := eng.NewRuleTest("11111111-1111-4111-8111-111111111111")
		if err != nil {
			t.Fatal(err)
		}
		ev := &event.Event{}
		for _, i := range order {
			src := sysmon1(`C:\x\whoami.exe`)
			*ev = *src // one event reused, as a backtest does
			ev.Timestamp = src.Timestamp.Add(offsets[i])
			ev.ID = fmt.Sprintf("e%d", i)
			rt.Add(ev)
		}
		as := rt.Alerts()
		if len(as) != 2 || as[0].Count != 2 || as[1].Count != 2 || as[0].EventIDs[0] != "e0" || as[1].EventIDs[0] != "e2" {
			t.Fatalf("order %v: alerts %+v", order, as)
		}
	}
}
