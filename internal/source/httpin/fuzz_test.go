package httpin

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestFlattenObject(t *testing.T) {
	f := func(doc, want string) {
		t.Helper()
		e := &event.Event{}
		if err := flattenObject(e, []byte(doc)); err != nil {
			t.Fatalf("flatten %s: %v", doc, err)
		}
		if got := string(e.AppendJSON(nil)); got != want {
			t.Errorf("flatten %s\n got %s\nwant %s", doc, got, want)
		}
	}
	f(`{}`, `{}`)
	f(`{"b":1,"a":{"y":2,"x":{"z":"deep"}},"c":null}`, `{"b":1,"a.y":2,"a.x.z":"deep"}`)
	f(`{"f":1.5,"big":12345678901234567890,"t":true,"l":[1,"two",{"k":3},null]}`, `{"f":1.5,"big":1.2345678901234567e+19,"t":true,"l":["1","two","{\"k\":3}"]}`)
	f(`{"@timestamp":1700000000123}`, `{"@timestamp":"2023-11-14T22:13:20.123Z"}`)
	f(`{"a":1,"a":2}`, `{"a":2}`)
	for _, bad := range []string{`[]`, `"x"`, `{"a":}`, `{"a":1}{}`, `{"":1}`, `{"@timestamp":true}`} {
		if err := flattenObject(&event.Event{}, []byte(bad)); err == nil {
			t.Errorf("flatten %s: no error", bad)
		}
	}
}

// FuzzDecodeHEC: no panic; the error names the event where decoding
// stopped; every event carries its original, and an event's original
// posted again alone decodes to the same fields.
func FuzzDecodeHEC(f *testing.F) {
	for _, s := range []string{`{"event":"a","time":1.5,"host":"h","fields":{"x":"y"}}`, `{"event":{"a":{"b":1}}}{"event":"c"}`,
		`{"event":null}`, `{"event":[1,2]}`, `{"event":"x","time":"12"}`, `{"event":{"@timestamp":"2024-01-01T00:00:00Z"}}`,
		`{"event":"a","time":tru`, `{"event":"a","x":[nul`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var events []*event.Event
		n, err := DecodeHEC(body, HECMeta{}, func(ev *HECEvent) error {
			e, raw := hecView(ev), ev.Raw
			if ev.Event == nil && (len(ev.Text) == 0 || ev.Format != "") {
				t.Fatalf("string event %q with format %q", ev.Text, ev.Format)
			}
			if len(raw) == 0 || !bytes.Contains(body, raw) || raw[0] != '{' || raw[len(raw)-1] != '}' {
				t.Fatalf("event object %q is not an object of the body", raw)
			}
			if e.Tenant != "" || e.Source != "" || e.ID != "" {
				t.Fatalf("the body chose the envelope: tenant %q source %q id %q", e.Tenant, e.Source, e.ID)
			}
			events = append(events, e)
			return nil
		})
		if n != len(events) {
			t.Fatalf("returned %d, delivered %d", n, len(events))
		}
		var he *HECError
		if err != nil && (!errors.As(err, &he) || he.Event != n) {
			t.Fatalf("error %v does not name event %d", err, n)
		}
		if err == nil {
			// What was accepted is a valid stream of JSON values.
			d := json.NewDecoder(bytes.NewReader(body))
			for {
				var v json.RawMessage
				if derr := d.Decode(&v); derr != nil {
					if !errors.Is(derr, io.EOF) {
						t.Fatalf("accepted a body encoding/json refuses: %v", derr)
					}
					break
				}
			}
		}
		for _, e := range events {
			if e.Original == "" {
				t.Fatalf("event without original: %s", e.AppendJSON(nil))
			}
			if strings.HasPrefix(e.Original, "{") {
				again := &event.Event{}
				if err := flattenObject(again, []byte(e.Original)); err != nil {
					t.Fatalf("original %s does not flatten again: %v", e.Original, err)
				}
				for _, fl := range again.Fields {
					if v, ok := e.Get(fl.Name); !ok || !v.Equal(fl.Value) {
						t.Fatalf("field %s differs after a round trip: %v vs %v", fl.Name, v, fl.Value)
					}
				}
			}
		}
	})
}

// FuzzDecodeBulk: no panic; the count matches the items delivered; every
// item has a known action and a document where one is due; and the items,
// written out again as a bulk body, decode to the same items.
func FuzzDecodeBulk(f *testing.F) {
	for _, s := range []string{"{\"index\":{\"_index\":\"a\",\"_id\":\"1\"}}\n{\"x\":1}\n", "{\"delete\":{}}\n{\"create\":{}}\n{}\n",
		"{\"update\":{\"_id\":\"2\"}}\n{\"doc\":{}}", "\n\n{\"index\":{}}\r\n{}\r\n", "{\"index\":{}}\n"} {
		f.Add([]byte(s), "dflt")
	}
	f.Fuzz(func(t *testing.T, body []byte, index string) {
		var items []BulkItem
		n, err := DecodeBulk(body, index, func(it BulkItem) error { items = append(items, it); return nil })
		if n != len(items) {
			t.Fatalf("returned %d, delivered %d", n, len(items))
		}
		if err != nil && !errors.Is(err, errBulk) {
			t.Fatalf("error %v is not a bulk body error", err)
		}
		var again []byte
		for _, it := range items {
			switch it.Action {
			case "index", "create", "update":
				if len(it.Doc) == 0 || bytes.ContainsAny(it.Doc, "\n") {
					t.Fatalf("item %+v: bad document", it)
				}
			case "delete":
				if it.Doc != nil {
					t.Fatalf("delete with a document")
				}
			default:
				t.Fatalf("unknown action %q", it.Action)
			}
			meta, _ := json.Marshal(map[string]map[string]string{it.Action: {"_index": it.Index, "_id": it.ID}})
			again = append(again, meta...)
			again = append(again, '\n')
			if it.Doc != nil {
				again = append(again, it.Doc...)
				again = append(again, '\n')
			}
		}
		var back []BulkItem
		if _, err := DecodeBulk(again, index, func(it BulkItem) error { back = append(back, it); return nil }); err != nil {
			t.Fatalf("re-encoded body: %v", err)
		}
		if len(back) != len(items) {
			t.Fatalf("re-encoded: %d items, want %d", len(back), len(items))
		}
		for i := range back {
			back[i].Line, items[i].Line = 0, 0
			if !reflect.DeepEqual(back[i], items[i]) && !(validUTF8Loss(items[i]) && back[i].Action == items[i].Action) {
				t.Fatalf("item %d: %+v after a round trip, was %+v", i, back[i], items[i])
			}
		}
	})
}

// validUTF8Loss reports an item whose index or id held invalid UTF-8, which
// JSON encoding replaces: those cannot round-trip byte for byte.
func validUTF8Loss(it BulkItem) bool {
	return !json.Valid([]byte(`"`+it.Index+`"`)) || !json.Valid([]byte(`"`+it.ID+`"`)) || strings.ContainsRune(it.Index+it.ID, '\uFFFD')
}

// FuzzFlatten checks the scanner against encoding/json: what it accepts is
// valid JSON, and a valid JSON object is refused only for the reasons the
// flattener has (an empty field name, a bad time, too deep).
func FuzzFlatten(f *testing.F) {
	for _, s := range []string{`{"a":{"b":[1,{"c":2}]},"d":"\u00e9\ud83d\ude00"}`, `{"a":1e5,"b":-0.5,"c":null}`, `{"@timestamp":"x"}`, `{"a":"\x"}`, `{"":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		e := &event.Event{}
		err := flattenObject(e, doc)
		valid := json.Valid(doc) && bytes.HasPrefix(bytes.TrimLeft(doc, " \t\r\n"), []byte("{"))
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", doc)
		}
		if err != nil && valid {
			msg := err.Error()
			if !strings.Contains(msg, "empty field name") && !strings.Contains(msg, "is not a time") && !errors.Is(err, errDepth) {
				t.Fatalf("refused valid JSON %q: %v", doc, err)
			}
		}
		if isObject(doc) != valid {
			t.Fatalf("isObject(%q) = %v, encoding/json says %v", doc, !valid, valid)
		}
		if err == nil {
			var m map[string]any
			if json.Unmarshal(doc, &m) == nil && len(m) == 0 && len(e.Fields) != 0 {
				t.Fatalf("fields from an empty object: %s", e.AppendJSON(nil))
			}
		}
	})
}
