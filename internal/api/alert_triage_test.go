package api

import (
	"encoding/json"
	"testing"
)

func TestParseTriage(t *testing.T) {
	for _, bad := range []string{``, `[]`, `{"status":"closed"} {}`, `{"status":"closed","extra":1}`, `{"ids":"a"}`} {
		if _, err := parseTriage([]byte(bad)); err == nil {
			t.Errorf("parseTriage(%s): no error", bad)
		}
	}
	b, err := parseTriage([]byte(`{"ids":["a","b"],"status":"acknowledged","assignee":"","comment":"why"}`))
	if err != nil || len(b.IDs) != 2 || *b.Status != "acknowledged" || b.Assignee == nil || *b.Assignee != "" || b.Comment != "why" {
		t.Fatalf("parseTriage = %+v, %v", b, err)
	}
}

// FuzzParseTriage: any body is read or refused with an error, never a
// panic, and what is read encodes back to JSON.
func FuzzParseTriage(f *testing.F) {
	for _, s := range []string{`{"status":"closed"}`, `{"ids":["x"],"comment":"c"}`, `{"assignee":null}`, `{`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parseTriage(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	})
}
