package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/event"
)

func TestAlertReasonOfCorrelation(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mr_bruteforce.yml"), bruteForce)
	sink := &memSink{}
	eng, err := New(Config{Dirs: []string{dir}, Lateness: time.Minute}, sink)
	if err != nil {
		t.Fatal(err)
	}
	var batch []*event.Event
	for i := 0; i < 5; i++ {
		batch = append(batch, logon(fmt.Sprint("f", i), 4625, "admin", "203.0.113.9", time.Duration(i)*time.Second))
	}
	batch = append(batch, logon("s1", 4624, "admin", "203.0.113.9", 10*time.Second))
	if err := eng.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 1 {
		t.Fatalf("alerts = %+v", sink.alerts)
	}
	r := sink.alerts[0].Reason
	if r == nil || r.Group["TargetUserName"] != "admin" || r.Group["IpAddress"] != "203.0.113.9" {
		t.Fatalf("reason = %+v", r)
	}
	var ids []string
	for _, ev := range r.Events {
		ids = append(ids, ev.ID)
		if ev.Fields["TargetUserName"] != "admin" || ev.Fields["IpAddress"] != "203.0.113.9" || ev.Rule == "" || ev.Time.IsZero() {
			t.Errorf("contributing event %+v", ev)
		}
	}
	if strings.Join(ids, " ") != "f0 f1 f2 f3 f4 s1" {
		t.Errorf("contributing events %v", ids)
	}
	// the reason is part of the alert's JSON
	b, _ := json.Marshal(sink.alerts[0])
	if !strings.Contains(string(b), `"reason":{"group":{`) {
		t.Errorf("alert JSON %s", b)
	}
}

func TestAlertReasonOfDetection(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "whoami.yml"), `title: Whoami
id: w-1
level: low
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|endswith: '\whoami.exe'}
  condition: selection
`)
	sink := &memSink{}
	eng, err := New(Config{Dirs: []string{dir}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Write(context.Background(), []*event.Event{sysmon1(`C:\Windows\whoami.exe`), sysmon1(`C:\Windows\whoami.exe`)}); err != nil {
		t.Fatal(err)
	}
	if len(sink.alerts) != 1 || sink.alerts[0].Count != 2 {
		t.Fatalf("alerts = %+v", sink.alerts)
	}
	r := sink.alerts[0].Reason
	if r == nil || len(r.Selections) != 1 || r.Selections[0].Name != "selection" || len(r.Selections[0].Fields) != 1 {
		t.Fatalf("reason = %+v", r)
	}
	f := r.Selections[0].Fields[0]
	if f.Field != "Image" || f.Modifier != "endswith" || f.Value != `C:\Windows\whoami.exe` || f.EventField != "winlog.event_data.Image" {
		t.Errorf("field = %+v", f)
	}
}

func TestRecentHitsBound(t *testing.T) {
	r := newRecentHits(4)
	for i := 0; i < 10; i++ {
		r.add([]correlate.Hit{{ID: fmt.Sprint("e", i), Rule: "x", Fields: []correlate.Field{{Name: "k", Value: fmt.Sprint(i)}}}})
	}
	if len(r.byID) != 4 || len(r.ring) != 4 {
		t.Fatalf("kept %d ids, %d hits", len(r.byID), len(r.ring))
	}
	rs := r.reason(correlate.Firing{EventIDs: []string{"e0", "e5", "e6", "e9"}})
	var got []string
	for _, ev := range rs.Events {
		got = append(got, ev.ID+"="+ev.Fields["k"])
	}
	if strings.Join(got, " ") != "e6=6 e9=9" {
		t.Errorf("remembered %v", got)
	}
}
