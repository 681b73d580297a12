// Package parsetest owns the helpers the record parsers' tests share: an
// event set up as the pipeline sets it up, a compact rendering of the fields
// a parser produced for one-line table tests, the invariants every
// successful parse must hold (checked by unit and fuzz tests alike), the
// zero-copy-against-copy-path comparison at the core of every FuzzParse
// (BothPaths), and every parser's BenchmarkParse loop (Bench).
package parsetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
)

// Received is the receive time NewEvent puts in @timestamp: Render omits
// @timestamp while it is unchanged.
var Received = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// NewEvent returns an event with the envelope the pipeline fills before
// calling a parser.
func NewEvent(record string) *event.Event {
	return &event.Event{
		Tenant:    "t1",
		Source:    "s1",
		ID:        "id1",
		Ingested:  Received,
		Timestamp: Received,
		Original:  record,
	}
}

var priorityGroup = []string{
	"log.syslog.facility.code", "log.syslog.facility.name", "log.syslog.severity.code",
	"log.syslog.severity.name", "log.level",
}

// Render returns the parsed fields as a JSON object with sorted keys:
// @timestamp only when the parser changed it, and the six priority fields
// folded into "pri":N when they agree with each other (they are checked
// here, so tests need not repeat them).
func Render(e *event.Event) string {
	m := map[string]json.RawMessage{}
	for _, f := range e.Fields {
		m[f.Name] = f.Value.AppendJSON(nil)
	}
	if !e.Timestamp.Equal(Received) {
		m["@timestamp"] = event.Time(e.Timestamp).AppendJSON(nil)
	}
	if p, ok := e.Get("log.syslog.priority"); ok && p.Kind() == event.KindInt && priorityAgrees(e, int(p.Int())) {
		delete(m, "log.syslog.priority")
		for _, n := range priorityGroup {
			delete(m, n)
		}
		m["pri"] = json.RawMessage(fmt.Sprint(p.Int()))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(event.AppendJSONString(nil, k))
		b.WriteByte(':')
		b.Write(m[k])
	}
	b.WriteByte('}')
	return b.String()
}

var facilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
var severities = []string{"emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"}

func priorityAgrees(e *event.Event, pri int) bool {
	if pri < 0 || pri > 191 {
		return false
	}
	fc, _ := e.Get("log.syslog.facility.code")
	sc, _ := e.Get("log.syslog.severity.code")
	return fc.Kind() == event.KindInt && int(fc.Int()) == pri>>3 &&
		sc.Kind() == event.KindInt && int(sc.Int()) == pri&7 &&
		e.GetString("log.syslog.facility.name") == facilities[pri>>3] &&
		e.GetString("log.syslog.severity.name") == severities[pri&7] &&
		e.GetString("log.level") == severities[pri&7]
}

// Equal fails the test when the rendering of e differs from want, a JSON
// object compared without regard to key order or spacing.
func Equal(tb testing.TB, e *event.Event, want string) {
	tb.Helper()
	got := Render(e)
	var gv, wv any
	if err := json.Unmarshal([]byte(got), &gv); err != nil {
		tb.Fatalf("bug: render gave invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &wv); err != nil {
		tb.Fatalf("bad want %s: %v", want, err)
	}
	gb, _ := json.Marshal(gv)
	wb, _ := json.Marshal(wv)
	if !bytes.Equal(gb, wb) {
		tb.Errorf("fields differ\n got: %s\nwant: %s", gb, wb)
	}
}

// Check verifies the invariants of an event a parser returned without
// error: the envelope is the one NewEvent set (only @timestamp may change),
// field names are non-empty, unique, valid UTF-8 only when the record was,
// never envelope names; values are not null; the priority fields, when
// present, agree; process.pid and ports are ints.
func Check(tb testing.TB, e *event.Event, record string) {
	tb.Helper()
	if e.Tenant != "t1" || e.Source != "s1" || e.ID != "id1" || !e.Ingested.Equal(Received) || e.Original != record {
		tb.Fatalf("envelope changed: tenant %q source %q id %q ingested %v original changed %v",
			e.Tenant, e.Source, e.ID, e.Ingested, e.Original != record)
	}
	if e.Timestamp.IsZero() {
		tb.Fatalf("@timestamp cleared")
	}
	seen := make(map[string]bool, len(e.Fields))
	for _, f := range e.Fields {
		switch {
		case f.Name == "":
			tb.Fatalf("empty field name")
		case seen[f.Name]:
			tb.Fatalf("field %q twice", f.Name)
		case event.IsEnvelope(f.Name):
			tb.Fatalf("envelope name %q among fields", f.Name)
		case f.Value.IsNull():
			tb.Fatalf("field %q is null", f.Name)
		case utf8.ValidString(record) && !utf8.ValidString(f.Name):
			tb.Fatalf("field name %q is not UTF-8 although the record is", f.Name)
		}
		seen[f.Name] = true
	}
	if p, ok := e.Get("log.syslog.priority"); ok && (p.Kind() != event.KindInt || !priorityAgrees(e, int(p.Int()))) {
		tb.Fatalf("priority fields disagree: %s", Render(e))
	}
	for _, n := range []string{"process.pid", "source.port", "destination.port", "log.syslog.version", "event.severity"} {
		if v, ok := e.Get(n); ok && v.Kind() != event.KindInt {
			tb.Fatalf("%s is %s, want int", n, v.Kind())
		}
	}
	for _, n := range []string{"source.ip", "destination.ip", "observer.ip"} {
		if v, ok := e.Get(n); ok && v.Kind() != event.KindIP {
			tb.Fatalf("%s is %s, want ip", n, v.Kind())
		}
	}
}
