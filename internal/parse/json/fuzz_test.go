package json

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/jsontext"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

var seeds = []string{
	`{"source":{"ip":"10.0.0.1","port":443},"user.name":"bob","tags":["a",1,{"x":null}],"n":null}`,
	`{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x","f":-1.5e-3,"i":-0,"big":123456789012345678901}`,
	`{"@timestamp":"2026-11-23T10:20:30Z","msg":"m","event":{"id":"x"}}`,
	`{"a":{"b":{"c":[[],{}]}},"a":{"d":true}}`,
}

// FuzzParse compares the parser with encoding/json: both accept the same
// records (objects within the nesting limit), and for accepted records the
// fields match a flattening of encoding/json's tokens, apart from the names
// with special rules (@timestamp and its stand-ins, msg, envelope names).
func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		e := parsetest.NewEvent(in)
		err := p.Parse([]byte(in), e)
		trimmed := strings.TrimPrefix(strings.TrimLeft(in, " \t\r\n"), "\xef\xbb\xbf")
		wantOK := stdjson.Valid([]byte(trimmed)) && strings.HasPrefix(trimmed, "{") && depth(trimmed) <= jsontext.MaxDepth
		if (err == nil) != wantOK {
			t.Fatalf("Parse error %v, but encoding/json validity %v (depth %d)", err, wantOK, depth(trimmed))
		}
		if err != nil {
			return
		}
		parsetest.Check(t, e, in)
		want := map[string]string{}
		flatten(t, stdjson.NewDecoder(strings.NewReader(trimmed)), "", want)
		got := map[string]string{}
		for _, fl := range e.Fields {
			if !special(fl.Name) {
				got[fl.Name] = render(fl.Value)
			}
		}
		for k := range want {
			if special(k) {
				delete(want, k)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d fields, encoding/json gives %d:\n got %v\nwant %v", len(got), len(want), got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%s = %s, encoding/json gives %s", k, got[k], v)
			}
		}
	})
}

func special(name string) bool {
	switch name {
	case "@timestamp", "timestamp", "time", "ts", "msg", "message", "json.@timestamp":
		return true
	}
	return event.IsEnvelope(name) || strings.HasPrefix(name, "json.") || typedName(name) != untyped
}

// render gives a value as "kind:text" with lists as JSON arrays.
func render(v event.Value) string {
	if v.Kind() == event.KindIP {
		return "string:" + v.Text()
	}
	if v.Kind() == event.KindList {
		b, _ := stdjson.Marshal(v.List())
		return "list:" + string(b)
	}
	return v.Kind().String() + ":" + v.Text()
}

// flatten walks one JSON value from d the way the parser flattens it.
func flatten(t *testing.T, d *stdjson.Decoder, name string, out map[string]string) {
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		t.Fatalf("reference decode: %v", err)
	}
	leaf := strings.TrimSuffix(name, ".")
	switch x := tok.(type) {
	case stdjson.Delim:
		if x == '{' {
			for d.More() {
				kt, _ := d.Token()
				k := kt.(string)
				if k == "" {
					k = "_"
				}
				flatten(t, d, name+k+".", out)
			}
			d.Token()
			return
		}
		var raw []stdjson.RawMessage
		for d.More() {
			var m stdjson.RawMessage
			if err := d.Decode(&m); err != nil {
				t.Fatalf("reference decode: %v", err)
			}
			raw = append(raw, m)
		}
		d.Token()
		items := []string{}
		for _, m := range raw {
			switch m[0] {
			case '"':
				var s string
				stdjson.Unmarshal(m, &s)
				items = append(items, s)
			case 'n':
			default:
				items = append(items, string(m))
			}
		}
		b, _ := stdjson.Marshal(items)
		out[leaf] = "list:" + string(b)
		return
	case string:
		out[leaf] = "string:" + x
	case bool:
		out[leaf] = event.Bool(x).Kind().String() + ":" + event.Bool(x).Text()
	case stdjson.Number:
		out[leaf] = render(number(string(x)))
	case nil:
		delete(out, leaf)
	}
}

// depth returns the deepest nesting of objects and arrays in a valid JSON text.
func depth(s string) int {
	d, max := 0, 0
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '{' || c == '['):
			d++
			if d > max {
				max = d
			}
		case !in && (c == '}' || c == ']'):
			d--
		}
	}
	return max
}
