package clickhouse

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// TestAppendRowIsJSON: every row is one JSON object with the columns of
// the schema, the Nested arrays of equal length.
func TestAppendRowIsJSON(t *testing.T) {
	evs := storetest.Events("acme", 20)
	evs[3].SetString("message", "quote \" backslash \\ newline \n tab \t nul \x00 \xff ü")
	evs[3].SetString("odd.\"key\"", "x")
	for _, e := range evs {
		var m map[string]any
		if err := json.Unmarshal(appendRow(nil, e), &m); err != nil {
			t.Fatal(err)
		}
		if len(m["v_attrs.key"].([]any)) != len(m["v_attrs.value"].([]any)) || len(m["v_lists.key"].([]any)) != len(m["v_lists.value"].([]any)) {
			t.Errorf("nested arrays differ in length: %v", m)
		}
		if m["v_source_port"] != e.GetString("source.port") || m["v_message"] != strings.ToValidUTF8(e.Message(), "\uFFFD") {
			t.Errorf("row = %v", m)
		}
		// v_raw is the event's JSON exactly.
		if m["v_raw"] != string(e.AppendJSON(nil)) {
			t.Errorf("v_raw = %v, want %s", m["v_raw"], e.AppendJSON(nil))
		}
	}
}

func BenchmarkAppendRow(b *testing.B) {
	evs := storetest.Events("acme", 100)
	var buf []byte
	n := 0
	for _, e := range evs {
		n += len(appendRow(nil, e))
	}
	b.SetBytes(int64(n))
	var w rowEncoder
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, e := range evs {
			buf = w.append(buf, e)
		}
	}
}
