package detect

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

const whoamiRule = `title: Whoami Execution
id: 11111111-1111-4111-8111-111111111111
level: high
tags: [attack.discovery, attack.t1033]
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
    condition: selection
`

const netRule = `title: Net Execution
id: 22222222-2222-4222-8222-222222222222
level: low
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\net.exe'
    condition: selection
`

type memSink struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (m *memSink) WriteAlerts(_ context.Context, a []alert.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append(m.alerts, a...)
	return nil
}

func sysmon1(image string) *event.Event {
	e := &event.Event{ID: "id-" + image, Timestamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.SetString("winlog.channel", "Microsoft-Windows-Sysmon/Operational")
	e.Set("winlog.event_id", event.Int(1))
	e.SetString("winlog.event_data.Image", image)
	e.SetString("host.name", "ws1")
	return e
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	// make the change visible to the mtime poll even on coarse clocks
	later := time.Now().Add(time.Duration(len(body)) * time.Millisecond)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

func TestEngineMatchesAndReloads(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), whoamiRule)
	sink := &memSink{}
	eng, err := New(Config{Dirs: []string{dir}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Write(ctx, []*event.Event{sysmon1(`C:\Windows\System32\whoami.exe`), sysmon1(`C:\Windows\System32\net.exe`)}); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 1 || sink.alerts[0].RuleID != "11111111-1111-4111-8111-111111111111" || sink.alerts[0].Level != "high" {
		t.Fatalf("alerts = %+v", sink.alerts)
	}
	if sink.alerts[0].Entities.Hosts[0] != "ws1" || sink.alerts[0].Techniques[0] != "T1033" {
		t.Errorf("alert = %+v", sink.alerts[0])
	}

	// unchanged files: no reload
	if changed, err := eng.Reload(); err != nil || changed {
		t.Fatalf("Reload with no change = %v, %v", changed, err)
	}
	// a new rule and a broken one: the good ones run, the bad one is listed
	write(t, filepath.Join(dir, "net.yml"), netRule)
	write(t, filepath.Join(dir, "broken.yml"), "title: broken\ndetection: [\n")
	if changed, err := eng.Reload(); err != nil || !changed {
		t.Fatalf("Reload after changes = %v, %v", changed, err)
	}
	st := eng.Status()
	if st.Rules != 2 || len(st.Rejected) != 1 || st.Rejected[0].Reason != "yaml" {
		t.Fatalf("status = %+v", st)
	}
	sink.alerts = nil
	if err := eng.Write(ctx, []*event.Event{sysmon1(`C:\Windows\System32\net.exe`)}); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 1 || sink.alerts[0].Title != "Net Execution" {
		t.Fatalf("after reload alerts = %+v", sink.alerts)
	}
}

func TestEngineConcurrentWriteDuringReload(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), whoamiRule)
	sink := &memSink{}
	eng, err := New(Config{Dirs: []string{dir}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := whoamiRule
			if i%2 == 1 {
				body += "\n# edit\n"
			}
			write(t, filepath.Join(dir, "whoami.yml"), body)
			if _, err := eng.Reload(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		if err := eng.Write(context.Background(), []*event.Event{sysmon1(`C:\x\whoami.exe`)}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if got := eng.Status().Matched; got != 200 {
		t.Errorf("matched %d of 200 events while reloading", got)
	}
}
