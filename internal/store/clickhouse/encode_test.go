package clickhouse

import (
	"encoding/json"
	"testing"

	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// TestAppendRowIsJSON: every row is one JSON object with the columns of
// the schema, the Nested arrays of equal length.
func TestAppendRowIsJSON(t *testing.T) {
	for _, e := range storetest.Events("acme", 20) {
		var m map[string]any
		if err := json.Unmarshal(appendRow(nil, e), &m); err != nil {
			t.Fatal(err)
		}
		if len(m["v_attrs.key"].([]any)) != len(m["v_attrs.value"].([]any)) || len(m["v_lists.key"].([]any)) != len(m["v_lists.value"].([]any)) {
			t.Errorf("nested arrays differ in length: %v", m)
		}
		if m["v_source_port"] == nil || m["v_raw"] == "" {
			t.Errorf("row = %v", m)
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
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, e := range evs {
			buf = appendRow(buf, e)
		}
	}
}
