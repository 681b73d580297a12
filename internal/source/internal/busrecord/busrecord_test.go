package busrecord

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// testEvent is an event with an envelope and a few fields.
func testEvent(i int) *event.Event {
	msg := fmt.Sprintf("bus test event %d", i)
	e := &event.Event{
		Timestamp: time.Unix(1_790_000_000+int64(i), 0).UTC(),
		Ingested:  time.Unix(1_790_000_000+int64(i), 0).UTC(),
		Tenant:    "acme", Source: "bus-test", Original: msg,
		ID: event.NewID("acme", "bus-test", fmt.Sprint(i), 0, []byte(msg)),
	}
	e.Set("message", event.String(msg))
	e.Set("seq", event.Int(int64(i)))
	return e
}

func TestDecode(t *testing.T) {
	e := testEvent(3)
	bin, _ := e.AppendBinary(nil)
	js := e.AppendJSON(nil)
	f := func(b []byte, enc string, ok bool) {
		t.Helper()
		got, err := Decode(b, enc)
		if (err == nil) != ok {
			t.Fatalf("Decode(%q, %s): %v", b, enc, err)
		}
		if ok && got.ID != e.ID {
			t.Errorf("Decode(%q, %s) id %q", b, enc, got.ID)
		}
	}
	f(bin, EncodingAuto, true)
	f(bin, EncodingBinary, true)
	f(js, EncodingAuto, true)
	f(js, EncodingJSON, true)
	f([]byte("  "+string(js)), EncodingAuto, true)
	f([]byte("text"), EncodingAuto, false)
	f(js, EncodingBinary, false)
	f(nil, EncodingAuto, false)
}

func FuzzDecode(f *testing.F) {
	e := testEvent(1)
	bin, _ := e.AppendBinary(nil)
	f.Add(bin)
	f.Add(e.AppendJSON(nil))
	f.Add([]byte(`{"a":{"b":[1,"x",null]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b, EncodingAuto)
		if err != nil {
			return
		}
		// What decoded re-encodes and decodes to the same event.
		again, err := Decode(mustBinary(t, got), EncodingAuto)
		if err != nil || string(again.AppendJSON(nil)) != string(got.AppendJSON(nil)) {
			t.Fatalf("round trip of %q: %v", b, err)
		}
	})
}

func mustBinary(t *testing.T, e *event.Event) []byte {
	b, err := e.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
