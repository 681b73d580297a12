package windows

import (
	"archive/zip"
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
	"github.com/vigilsiem/vigil/internal/parse/evtx"
	pjson "github.com/vigilsiem/vigil/internal/parse/json"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// winParse parses one JSON record as the pipeline does.
func winParse(t testing.TB, record string) *event.Event {
	t.Helper()
	e := &event.Event{Tenant: "t", Source: "s", Original: record, Timestamp: time.Unix(0, 0).UTC()}
	if err := pjson.New().Parse([]byte(record), e); err != nil {
		t.Fatalf("json parse %.80s: %v", record, err)
	}
	return e
}

func TestWindowsShapes(t *testing.T) {
	w := New()
	f := func(name, record string, want map[string]string) {
		t.Run(name, func(t *testing.T) {
			e := winParse(t, record)
			if !w.Normalize(e) {
				t.Fatal("not recognised")
			}
			got := normtest.Fields(e)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("unexpected field %s = %q", k, got[k])
				}
			}
		})
	}
	f("winlogbeat 8", `{"@timestamp":"2023-01-02T03:04:05.678Z","event":{"code":"4624","kind":"event","provider":"Microsoft-Windows-Security-Auditing"},
		"host":{"name":"collector"},"log":{"level":"information"},"message":"An account was successfully logged on.",
		"winlog":{"channel":"Security","computer_name":"DC01.corp.local","event_id":"4624","record_id":"1234","task":"Logon","opcode":"Info",
		"keywords":["Audit Success"],"provider_name":"Microsoft-Windows-Security-Auditing","provider_guid":"{54849625-5478-4994-A5BA-3E3B0328C30D}",
		"process":{"pid":636,"thread":{"id":"700"}},"version":2,
		"event_data":{"LogonType":"3","TargetUserName":"alice","KeyLength":0,"SubjectUserSid":"S-1-5-18"}}}`,
		map[string]string{
			"event.code": "string:4624", "event.kind": "string:event", "event.provider": "string:Microsoft-Windows-Security-Auditing",
			"host.name": "string:DC01.corp.local", "log.level": "string:information", "winlog.level": "int:4",
			"message":        "string:An account was successfully logged on.",
			"winlog.channel": "string:Security", "winlog.computer_name": "string:DC01.corp.local",
			"winlog.event_id": "int:4624", "winlog.record_id": "int:1234", "winlog.task_name": "string:Logon",
			"winlog.opcode_name": "string:Info", "winlog.keywords": "string:0x8020000000000000",
			"winlog.provider_name": "string:Microsoft-Windows-Security-Auditing",
			"winlog.provider_guid": "string:{54849625-5478-4994-A5BA-3E3B0328C30D}",
			"winlog.process.pid":   "int:636", "winlog.process.thread.id": "int:700", "winlog.version": "int:2",
			"winlog.event_data.LogonType": "string:3", "winlog.event_data.TargetUserName": "string:alice",
			"winlog.event_data.KeyLength": "string:0", "winlog.event_data.SubjectUserSid": "string:S-1-5-18",
			"user.name": "string:alice", "event.outcome": "string:success",
			"event.action": "string:logged-in", "event.category": "list:authentication", "event.type": "list:start",
		})
	f("winlogbeat 7", `{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"computer_name":"ws1","opcode":"Info",
		"user_data":{"Param1":7}},"log":{"level":"Warning"}}`,
		map[string]string{"winlog.channel": "string:Microsoft-Windows-Sysmon/Operational", "winlog.event_id": "int:1",
			"event.code": "string:1", "winlog.computer_name": "string:ws1", "host.name": "string:ws1",
			"winlog.opcode_name": "string:Info", "winlog.user_data.Param1": "string:7",
			"log.level": "string:warning", "winlog.level": "int:3"})
	f("nxlog", `{"EventTime":"2020-06-09 22:50:54","Hostname":"WORKSTATION6.mordor.local","Keywords":-9223372036854775808,
		"EventType":"AUDIT_SUCCESS","SeverityValue":2,"Severity":"INFO","EventID":4688,"SourceName":"Microsoft-Windows-Security-Auditing",
		"ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","Version":2,"Task":13312,"OpcodeValue":0,"RecordNumber":95837,
		"ProcessID":4,"ThreadID":7364,"Channel":"Security","Message":"A new process has been created.","Category":"Process Creation",
		"Opcode":"Info","NewProcessName":"C:\\Windows\\System32\\cmd.exe","TokenElevationType":"%%1936","ProcessId":"0x1a4",
		"MandatoryLabel":"S-1-16-12288","EventReceivedTime":"2020-06-09 22:50:56","SourceModuleName":"eventlog",
		"SourceModuleType":"im_msvistalog","host":"wec.internal.cloudapp.net","port":62387,"tags":["mordorDataset"],"@version":"1",
		"Empty":"","source.ip":"10.0.0.1"}`,
		map[string]string{
			"nxlog.EventTime": "string:2020-06-09 22:50:54", "winlog.computer_name": "string:WORKSTATION6.mordor.local",
			"host.name": "string:WORKSTATION6.mordor.local", "winlog.keywords": "string:0x8000000000000000",
			"nxlog.EventType": "string:AUDIT_SUCCESS", "nxlog.SeverityValue": "int:2", "nxlog.Severity": "string:INFO",
			"winlog.event_id": "int:4688", "event.code": "string:4688",
			"winlog.provider_name": "string:Microsoft-Windows-Security-Auditing",
			"winlog.provider_guid": "string:{54849625-5478-4994-A5BA-3E3B0328C30D}", "winlog.version": "int:2",
			"winlog.task": "int:13312", "winlog.opcode": "int:0", "winlog.record_id": "int:95837",
			"winlog.process.pid": "int:4", "winlog.process.thread.id": "int:7364", "winlog.channel": "string:Security",
			"message": "string:A new process has been created.", "nxlog.Category": "string:Process Creation",
			"nxlog.Opcode": "string:Info", "winlog.event_data.NewProcessName": "string:C:\\Windows\\System32\\cmd.exe",
			"winlog.event_data.TokenElevationType": "string:%%1936", "winlog.event_data.ProcessId": "string:0x1a4",
			"winlog.event_data.MandatoryLabel": "string:S-1-16-12288", "nxlog.EventReceivedTime": "string:2020-06-09 22:50:56",
			"nxlog.SourceModuleName": "string:eventlog", "nxlog.SourceModuleType": "string:im_msvistalog",
			"host": "string:wec.internal.cloudapp.net", "port": "int:62387", "tags": "list:mordorDataset", "@version": "string:1",
			"source.ip":          "ip:10.0.0.1",
			"process.executable": "string:C:\\Windows\\System32\\cmd.exe", "process.pid": "int:420",
			"process.name": "string:cmd.exe", "event.action": "string:created-process",
			"event.category": "list:process", "event.type": "list:start",
		})
	f("otrf sysmon", `{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1","EventType":"CreateKey",
		"Level":4,"Image":"C:\\x.exe"}`,
		map[string]string{"winlog.event_id": "int:1", "event.code": "string:1", "winlog.channel": "string:Microsoft-Windows-Sysmon/Operational",
			"winlog.computer_name": "string:ws1", "host.name": "string:ws1", "winlog.event_data.EventType": "string:CreateKey",
			"winlog.level": "int:4", "log.level": "string:information", "winlog.event_data.Image": "string:C:\\x.exe",
			"process.executable": "string:C:\\x.exe", "process.name": "string:x.exe"})
}

func TestWindowsLeavesOthersAlone(t *testing.T) {
	w := New()
	for _, rec := range []string{
		`{"message":"hello","host":{"name":"a"}}`,
		`{"EventID":4624,"message":"no channel, no provider"}`,
		`{"Channel":"x","msg":"no event id"}`,
		`{"event":{"code":"4624"},"source":{"ip":"10.0.0.1"}}`,
	} {
		e := winParse(t, rec)
		before := normtest.Fields(e)
		if w.Normalize(e) {
			t.Errorf("%s: recognised as Windows", rec)
		}
		after := normtest.Fields(e)
		if len(before) != len(after) {
			t.Errorf("%s: fields changed", rec)
		}
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s: %s changed from %q to %q", rec, k, v, after[k])
			}
		}
	}
}

// TestWindowsEVTXUnchanged: events decoded from EVTX already have the
// layout; the normaliser recognises them and changes nothing but adds the
// ECS fields of their event data.
func TestWindowsEVTXUnchanged(t *testing.T) {
	w := New()
	n := 0
	for _, path := range evtxSamples(t, 12) {
		f, err := evtx.Open(path, evtx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for {
			var e event.Event
			if _, err := f.Next(&e); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			want := e.Clone()
			if !w.Normalize(&e) {
				t.Fatalf("%s: EVTX event not recognised", path)
			}
			// The ECS fields of the event data are added after the
			// layout's fields, which stay as they were.
			added := &event.Event{Timestamp: e.Timestamp, Fields: e.Fields[:min(len(e.Fields), len(want.Fields))]}
			for _, f := range e.Fields[len(added.Fields):] {
				if _, ok := winTargets[f.Name]; !ok {
					t.Fatalf("%s: normaliser added %s to an EVTX event", path, f.Name)
				}
			}
			if !sameEvent(want, added) {
				t.Fatalf("%s: normaliser changed an EVTX event\nbefore %s\nafter  %s", path, want.AppendJSON(nil), e.AppendJSON(nil))
			}
			n++
		}
		f.Close()
	}
	if n == 0 {
		t.Fatal("no event checked")
	}
}

// TestWindowsWinlogbeatEqualsEVTX: an EVTX event shipped the way
// Winlogbeat 8 ships it (nested JSON, event and record ids as strings)
// normalises back to the EVTX fields.
func TestWindowsWinlogbeatEqualsEVTX(t *testing.T) {
	w := New()
	for _, path := range evtxSamples(t, 12) {
		f, err := evtx.Open(path, evtx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var e event.Event
		for {
			if _, err := f.Next(&e); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			beat := e.Clone()
			for i := range beat.Fields {
				fl := &beat.Fields[i]
				if fl.Name == evtx.FieldEventID || fl.Name == evtx.FieldRecordID {
					fl.Value = event.String(fl.Value.Text())
				}
			}
			beat.Delete(evtx.FieldEventCode)
			beat.Delete(evtx.FieldHostName)
			got := winParse(t, string(beat.AppendJSON(nil)))
			w.Normalize(got)
			want := normtest.Fields(&e)
			have := normtest.Fields(got)
			for k, v := range want {
				if have[k] != v {
					t.Fatalf("%s: %s = %q, EVTX %q", filepath.Base(path), k, have[k], v)
				}
			}
		}
		f.Close()
	}
}

func sameEvent(a, b *event.Event) bool {
	if len(a.Fields) != len(b.Fields) || !a.Timestamp.Equal(b.Timestamp) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name || !a.Fields[i].Value.Equal(b.Fields[i].Value) {
			return false
		}
	}
	return true
}

// evtxSamples returns up to n EVTX files of the shared data, spread over it.
func evtxSamples(t testing.TB, n int) []string {
	root := testutil.SharedData(t, "evtx")
	var all []string
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".evtx") {
			all = append(all, p)
		}
		return err
	})
	var out []string
	for i := 0; i < len(all) && len(out) < n; i += max(1, len(all)/n) {
		out = append(out, all[i])
	}
	return out
}

// TestWindowsOTRF normalises the Windows host logs of the OTRF data sets
// (NXLog JSON lines) and checks the layout: typed system fields, event
// data as text, nothing left at the top level but the shipper's fields.
func TestWindowsOTRF(t *testing.T) {
	root := testutil.SharedData(t, "otrf/datasets/atomic/windows")
	var zips []string
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".zip") {
			zips = append(zips, p)
		}
		return err
	})
	if len(zips) == 0 {
		t.Skip("no OTRF Windows zip")
	}
	w := New()
	const perFile = 300
	total, windows := 0, 0
	channels := map[string]int{}
	for i, zp := range zips {
		if i%3 != 0 { // a third of the files keeps the test short
			continue
		}
		zr, err := zip.OpenReader(zp)
		if err != nil {
			t.Fatal(err)
		}
		for _, zf := range zr.File {
			if !strings.HasSuffix(zf.Name, ".json") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(rc)
			sc.Buffer(make([]byte, 1<<20), 16<<20)
			for n := 0; n < perFile && sc.Scan(); n++ {
				e := winParse(t, sc.Text())
				total++
				if !w.Normalize(e) {
					continue
				}
				windows++
				checkOTRF(t, zf.Name, e)
				channels[e.GetString(evtx.FieldChannel)]++
			}
			rc.Close()
		}
		zr.Close()
	}
	if windows == 0 || windows < total/2 {
		t.Fatalf("%d of %d OTRF Windows records recognised", windows, total)
	}
	t.Logf("%d of %d records normalised; channels: %v", windows, total, channels)
}

func checkOTRF(t *testing.T, file string, e *event.Event) {
	t.Helper()
	id, ok := e.Get(evtx.FieldEventID)
	if !ok || id.Kind() != event.KindInt || e.GetString(evtx.FieldEventCode) != id.Text() {
		t.Fatalf("%s: event id %v, code %q", file, id, e.GetString(evtx.FieldEventCode))
	}
	for _, f := range e.Fields {
		switch {
		case strings.HasPrefix(f.Name, evtx.PrefixEventData):
			if f.Value.Kind() != event.KindString && f.Value.Kind() != event.KindList {
				t.Fatalf("%s: %s is %s", file, f.Name, f.Value.Kind())
			}
		case strings.HasPrefix(f.Name, "winlog.") || strings.HasPrefix(f.Name, "nxlog.") || strings.Contains(f.Name, "."):
		case shipperFields[f.Name] || f.Name == event.FieldMessage:
		default:
			t.Fatalf("%s: top-level field %s left", file, f.Name)
		}
	}
	for _, n := range []string{evtx.FieldRecordID, evtx.FieldProcessPID, evtx.FieldThreadID, evtx.FieldTask, evtx.FieldVersion, evtx.FieldLevel} {
		if v, ok := e.Get(n); ok && v.Kind() != event.KindInt {
			t.Fatalf("%s: %s is %s", file, n, v.Kind())
		}
	}
}

// FuzzWindows: whatever JSON comes in, normalising twice changes nothing
// the second time, field names stay unique and event data is text.
func FuzzWindows(f *testing.F) {
	f.Add(`{"winlog":{"event_id":"4624","task":"Logon","opcode":7,"keywords":["Audit Failure"],"event_data":{"A":1}},"log":{"level":"ERROR"}}`)
	f.Add(`{"EventID":"4688","Channel":"Security","Hostname":"h","Computer":"c","Keywords":"0x10","winlog.task_name":"x","Task":"y"}`)
	f.Add(`{"EventID":1,"SourceName":"s","EventType":"INFO","X":{"Y":[1,2]}}`)
	f.Add(`{"winlog":{"event_data":{"":0}}}`)
	f.Add(`{"winlog":{"channel":"x","event_data":{"Threat Name":"a","ThreatName":"b","IpAddress":"10.0.0.1","IpPort":"1"}},"source":{"ip":"10.0.0.2"}}`)
	f.Add(`{"EventID":4624,"Channel":"Security","TargetUserName":"a","SubjectUserName":"b","User":"D\\u","Threat Name":"x","ThreatName":"y"}`)
	w := New()
	f.Fuzz(func(t *testing.T, record string) {
		e := &event.Event{}
		if err := pjson.New().Parse([]byte(record), e); err != nil {
			return
		}
		recognised := w.Normalize(e)
		once := e.Clone()
		w.Normalize(e)
		if !sameEvent(once, e) {
			t.Fatalf("second normalisation changed the event\nonce  %s\ntwice %s", once.AppendJSON(nil), e.AppendJSON(nil))
		}
		seen := map[string]bool{}
		for _, fl := range e.Fields {
			if seen[fl.Name] {
				t.Fatalf("field %s twice", fl.Name)
			}
			seen[fl.Name] = true
			if recognised && strings.HasPrefix(fl.Name, evtx.PrefixEventData) && fl.Value.Kind() != event.KindString && fl.Value.Kind() != event.KindList {
				t.Fatalf("%s is %s", fl.Name, fl.Value.Kind())
			}
		}
	})
}
