package kv

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: never panics; a record that parses gives valid fields, the
// same on the zero-copy and the copy path, and every key it reports
// occurs in the record.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`date=2026-11-23 srcip=10.0.0.1 action="accept" msg="Policy \"web\" matched", user=alice;bytes=42`,
		`authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4`,
		`a='x\'y' b="unclosed c=1`,
	} {
		f.Add(s)
	}
	p := New()
	f.Fuzz(func(t *testing.T, in string) {
		e, err := parsetest.BothPaths(t, p, in)
		if err != nil {
			return
		}
		for _, fl := range e.Fields {
			k := strings.TrimPrefix(fl.Name, "kv.")
			if fl.Name != "message" && fl.Name != "kv.text" && !strings.Contains(in, k+"=") {
				t.Fatalf("key %q is not in the record", k)
			}
		}
	})
}

// FuzzRoundTrip writes generated pairs, quoting values as a producer
// would, and expects the values back (typed values by their text).
func FuzzRoundTrip(f *testing.F) {
	f.Add("user", "alice smith", "bytes", "42", "path", `C:\tmp "x"`)
	p := New()
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		keys := []string{k1, k2, k3}
		vals := []string{v1, v2, v3}
		seen := map[string]bool{}
		var b strings.Builder
		for i, k := range keys {
			if !validKey(k) || seen[k] || event.IsEnvelope(k) || k == "message" || strings.ContainsAny(vals[i], "\r\n\t") {
				return
			}
			seen[k] = true
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(k + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(vals[i]) + `"`)
		}
		rec := b.String()
		e := parsetest.NewEvent(rec)
		if err := p.Parse([]byte(rec), e); err != nil {
			t.Fatalf("Parse(%q): %v", rec, err)
		}
		parsetest.Check(t, e, rec)
		if len(e.Fields) != len(keys) {
			t.Fatalf("%d fields from %q: %s", len(e.Fields), rec, parsetest.Render(e))
		}
		for i, k := range keys {
			if got := e.GetString(k); got != vals[i] {
				t.Fatalf("%s = %q, want %q (record %q)", k, got, vals[i], rec)
			}
		}
	})
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !IsKeyChar(k[i]) {
			return false
		}
	}
	return true
}
