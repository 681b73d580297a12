package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
)

// FuzzParse: never panics; errors wrap ErrFormat or are ErrSkip; a record
// that parses gives valid fields, the same on the zero-copy and copy path.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`1,"x,y","say ""hi"""`, `a,b,c,d`, `"unterminated,`, `5" screen,x`} {
		f.Add(s)
	}
	p, _ := New(Options{Header: []string{"a", "b", "c"}})
	f.Fuzz(func(t *testing.T, in string) {
		_, err := parsetest.BothPaths(t, p, in)
		if err != nil {
			if !errors.Is(err, formaterr.ErrFormat) && !errors.Is(err, formaterr.ErrSkip) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrSkip", err)
			}
			return
		}
	})
}

// FuzzRoundTrip writes generated fields with encoding/csv and expects them
// back: named by the header, beyond it as csv.column<N>, empty ones absent.
func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(','), "x,y", `say "hi"`, "", "4")
	f.Add(uint8('\t'), " lead", "a\tb", "c", "")
	f.Fuzz(func(t *testing.T, d uint8, a, b, c, extra string) {
		delim := rune(d)
		if d == 0 || d == '"' || d == '\r' || d == '\n' || d >= 0x80 {
			return
		}
		vals := []string{a, b, c, extra}
		for _, v := range vals {
			if strings.ContainsAny(v, "\r\n") {
				return // records are lines
			}
		}
		var buf bytes.Buffer
		w := stdcsv.NewWriter(&buf)
		w.Comma = delim
		if err := w.Write(vals); err != nil {
			return // encoding/csv refuses this delimiter
		}
		w.Flush()
		rec := strings.TrimSuffix(buf.String(), "\n")
		p, err := New(Options{Header: []string{"a", "b", "c"}, Delimiter: delim})
		if err != nil {
			t.Fatal(err)
		}
		e := parsetest.NewEvent(rec)
		if err := p.Parse([]byte(rec), e); err != nil {
			if rec == "" {
				return
			}
			t.Fatalf("Parse(%q): %v", rec, err)
		}
		parsetest.Check(t, e, rec)
		names := []string{"a", "b", "c", "csv.column4"}
		n := 0
		for i, v := range vals {
			if v == "" {
				if e.Has(names[i]) {
					t.Fatalf("%s present for an empty field in %q", names[i], rec)
				}
				continue
			}
			n++
			if got := e.GetString(names[i]); got != v {
				t.Fatalf("%s = %q, want %q (record %q)", names[i], got, v, rec)
			}
		}
		if len(e.Fields) != n {
			t.Fatalf("%d fields, want %d: %s", len(e.Fields), n, parsetest.Render(e))
		}
	})
}
