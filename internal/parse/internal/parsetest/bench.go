package parsetest

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// Parser is what the record parsers implement (the parse.Parser contract,
// repeated here because the format packages must not import
// internal/parse).
type Parser interface {
	Parse(data []byte, e *event.Event) error
}

// Bench is every parser's BenchmarkParse: it parses the lines in turn,
// one per op, into one reused event whose event.original is the line (the
// zero-copy path the pipeline takes), and reports bytes per op as the
// lines' mean length, and allocations.
func Bench(b *testing.B, p Parser, lines []string) {
	b.Helper()
	n := 0
	data := make([][]byte, len(lines))
	for i, l := range lines {
		n += len(l)
		data[i] = []byte(l)
	}
	var e event.Event
	b.SetBytes(int64(n / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(lines)
		e.Reset()
		e.Original = lines[j]
		if err := p.Parse(data[j], &e); err != nil {
			b.Fatal(err)
		}
	}
}

// copyPathOriginal is an event.original no record equals, so a parser
// takes its copy path.
const copyPathOriginal = "\x00parsetest: copy path\x00"

// BothPaths is the core of every parser's FuzzParse: it parses in on the
// zero-copy path (event.original is the record, as the pipeline sets it)
// and on the copy path (event.original is something else), fails when the
// two disagree on the error or on the fields, and checks the invariants of
// a successful parse (Check). It returns the zero-copy path's event and
// error, for the parser's own checks.
func BothPaths(tb testing.TB, p Parser, in string) (*event.Event, error) {
	tb.Helper()
	e := NewEvent(in)
	err := p.Parse([]byte(in), e)
	c := NewEvent(in)
	c.Original = copyPathOriginal
	err2 := p.Parse([]byte(in), c)
	if (err == nil) != (err2 == nil) {
		tb.Fatalf("zero-copy and copy paths disagree: %v vs %v", err, err2)
	}
	if err != nil {
		return e, err
	}
	Check(tb, e, in)
	c.Original = in
	if a, b := Render(e), Render(c); a != b {
		tb.Fatalf("paths differ:\n%s\n%s", a, b)
	}
	return e, nil
}
