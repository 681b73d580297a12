package event

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"
)

func TestInfer(t *testing.T) {
	f := func(in string, kind Kind) {
		t.Helper()
		v := Infer(in)
		if v.Kind() != kind {
			t.Errorf("Infer(%q) kind = %v, want %v", in, v.Kind(), kind)
		}
		if v.Text() != in {
			t.Errorf("Infer(%q).Text() = %q, want the input back", in, v.Text())
		}
	}
	f("", KindString)
	f("42", KindInt)
	f("-7", KindInt)
	f("007", KindString)
	f("1.5", KindFloat)
	f("1.10", KindString)
	f("10.0.0.1", KindIP)
	f("2001:db8::1", KindIP)
	f("true", KindBool)
	f("TRUE", KindString)
	f("12:30", KindString)
	f("abc", KindString)
	f("99999999999999999999", KindString)
}

func TestParseTime(t *testing.T) {
	f := func(in string, want time.Time) {
		t.Helper()
		got, err := ParseTime(in)
		if err != nil {
			t.Fatalf("ParseTime(%q): %v", in, err)
		}
		if !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, want %v", in, got, want)
		}
	}
	base := time.Date(2026, 11, 23, 10, 20, 30, 0, time.UTC)
	f("2026-11-23T10:20:30Z", base)
	f("2026-11-23T11:20:30+01:00", base)
	f("2026-11-23T10:20:30.123456Z", base.Add(123456*time.Microsecond))
	f("2026-11-23 10:20:30", base)
	f("2026-11-23T10:20:30", base)
	f("1795429230", base)
	f("1795429230.5", base.Add(500*time.Millisecond))
	f("1795429230000", base)
	f("1795429230000000", base)
	f("1795429230000000000", base)
	for _, bad := range []string{"", "yesterday", "2026-13-45", "12ab"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q): no error", bad)
		}
	}
}

func TestSetGetEnvelope(t *testing.T) {
	var e Event
	ts := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	e.Set(FieldTimestamp, String("2026-01-02T03:04:05.000000006Z"))
	if !e.Timestamp.Equal(ts) {
		t.Fatalf("timestamp = %v", e.Timestamp)
	}
	e.Set(FieldTenant, String("acme"))
	e.SetString("host.name", "web1")
	e.Set("source.port", Int(443))
	e.SetString("host.name", "web2")
	if got := e.GetString("host.name"); got != "web2" {
		t.Errorf("host.name = %q", got)
	}
	if len(e.Fields) != 2 || e.Fields[0].Name != "host.name" {
		t.Errorf("fields = %+v, want host.name kept in first place", e.Fields)
	}
	if got := e.GetString(FieldTenant); got != "acme" {
		t.Errorf("tenant = %q", got)
	}
	if e.Has(FieldOriginal) {
		t.Error("empty original reported present")
	}
	e.Rename("host.name", "host.hostname")
	if e.Has("host.name") || e.GetString("host.hostname") != "web2" {
		t.Errorf("rename failed: %+v", e.Fields)
	}
	e.Delete("source.port")
	if e.Has("source.port") {
		t.Error("delete failed")
	}
	e.Set("x", Value{})
	if e.Has("x") {
		t.Error("null value was set")
	}
}

func sample() *Event {
	e := &Event{
		Timestamp: time.Date(2026, 11, 23, 10, 0, 0, 123, time.UTC),
		Ingested:  time.Date(2026, 11, 23, 10, 0, 1, 0, time.UTC),
		ID:        NewID("default", "syslog", "", 0, []byte("hello")),
		Tenant:    "default",
		Source:    "syslog",
		Original:  "<13>hello \"world\"\n\x01",
	}
	e.SetString("message", "hello \"world\" <b>&\u2028")
	e.Set("source.ip", IP(netip.MustParseAddr("::ffff:10.1.2.3")))
	e.Set("source.port", Int(-5))
	e.Set("event.duration", Float(1.25))
	e.Set("event.outcome_ok", Bool(true))
	e.Set("event.created", Time(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)))
	e.Set("related.user", List([]string{"a", "b"}))
	return e
}

func TestJSONRoundTrip(t *testing.T) {
	e := sample()
	b := e.AppendJSON(nil)
	if !json.Valid(b) {
		t.Fatalf("invalid json: %s", b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["source.ip"] != "10.1.2.3" || m["message"] != e.Message() || m["event.original"] != e.Original {
		t.Errorf("decoded = %v", m)
	}
	var back Event
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if !back.Timestamp.Equal(e.Timestamp) || back.ID != e.ID || back.GetString("source.port") != "-5" {
		t.Errorf("round trip lost data: %s", back.AppendJSON(nil))
	}
}

func TestJSONFlattensNested(t *testing.T) {
	var e Event
	if err := e.UnmarshalJSON([]byte(`{"@timestamp":1795429230,"source":{"ip":"1.2.3.4","port":80},"tags":["a",1]}`)); err != nil {
		t.Fatal(err)
	}
	if e.GetString("source.ip") != "1.2.3.4" || e.GetString("source.port") != "80" || e.Timestamp.Unix() != 1795429230 {
		t.Errorf("got %s", e.AppendJSON(nil))
	}
	if err := e.UnmarshalJSON([]byte(`{"@timestamp":"never"}`)); err == nil {
		t.Error("bad timestamp accepted")
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	e := sample()
	b, err := e.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	var back Event
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if string(back.AppendJSON(nil)) != string(e.AppendJSON(nil)) {
		t.Errorf("binary round trip:\n got %s\nwant %s", back.AppendJSON(nil), e.AppendJSON(nil))
	}
	for i := range back.Fields {
		if !back.Fields[i].Value.Equal(e.Fields[i].Value) {
			t.Errorf("field %s: %v != %v", e.Fields[i].Name, back.Fields[i].Value, e.Fields[i].Value)
		}
	}
	for n := 0; n < len(b); n++ {
		if err := back.UnmarshalBinary(b[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
}

func TestNewIDStable(t *testing.T) {
	a := NewID("t", "s", "", 0, []byte("x"))
	if a != NewID("t", "s", "", 0, []byte("x")) || len(a) != IDLen {
		t.Fatalf("unstable or wrong length id %q", a)
	}
	for _, other := range []string{NewID("t", "s", "1", 0, []byte("x")), NewID("ts", "", "", 0, []byte("x")), NewID("t", "", "s", 0, []byte("x")), NewID("t", "s", "", 0, []byte("y"))} {
		if other == a {
			t.Errorf("different inputs share id %s", a)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	b, _ := sample().AppendBinary(nil)
	f.Add(b)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Event
		if err := e.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := e.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		var e2 Event
		if err := e2.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
	})
}

func FuzzUnmarshalJSON(f *testing.F) {
	f.Add(sample().AppendJSON(nil))
	f.Add([]byte(`{"a":{"b":[1,{"c":2}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Event
		if err := e.UnmarshalJSON(data); err != nil {
			return
		}
		if out := e.AppendJSON(nil); !json.Valid(out) {
			t.Fatalf("AppendJSON wrote invalid JSON %q", out)
		}
	})
}
