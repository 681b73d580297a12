package file

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

type emitted struct {
	line  string
	start int64
	cut   bool
}

func splitAll(data []byte, max, chunk int, flush bool) (out []emitted, consumed int64) {
	ls := newLineSplitter(max, 0)
	emit := func(line []byte, start int64, cut bool) { out = append(out, emitted{string(line), start, cut}) }
	for len(data) > 0 {
		n := min(chunk, len(data))
		ls.feed(data[:n], emit)
		data = data[n:]
	}
	if flush {
		ls.flush(emit)
	}
	return out, ls.consumed
}

func TestLineSplitter(t *testing.T) {
	f := func(input string, max int, flush bool, want []emitted, wantConsumed int64) {
		t.Helper()
		for _, chunk := range []int{1, 3, 1 << 20} {
			got, consumed := splitAll([]byte(input), max, chunk, flush)
			if !reflect.DeepEqual(got, want) || consumed != wantConsumed {
				t.Errorf("split(%q, max %d, chunk %d) = %v consumed %d, want %v consumed %d", input, max, chunk, got, consumed, want, wantConsumed)
			}
		}
	}
	f("a\nbb\n", 10, false, []emitted{{"a", 0, false}, {"bb", 2, false}}, 5)
	f("a\r\nbb\n", 10, false, []emitted{{"a", 0, false}, {"bb", 3, false}}, 6)
	f("a\npartial", 10, false, []emitted{{"a", 0, false}}, 2)
	f("a\npartial", 10, true, []emitted{{"a", 0, false}, {"partial", 2, false}}, 9)
	f("\n\nx\n", 10, false, []emitted{{"", 0, false}, {"", 1, false}, {"x", 2, false}}, 4)
	f("0123456789ABC\nok\n", 4, false, []emitted{{"0123", 0, true}, {"ok", 14, false}}, 17)
	f("0123456789ABC", 4, true, []emitted{{"0123", 0, true}}, 13)
	f("", 4, true, nil, 0)
}

// FuzzLineSplitter: whatever the chunk sizes, the same lines at the same
// offsets; lines never hold LF and never exceed the limit; each line is the
// input at its offset; consumed ends right after the last LF.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\r\nccc"), uint8(2), uint8(3))
	f.Add([]byte(strings.Repeat("x", 50)+"\ny\n"), uint8(7), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, max8, chunk8 uint8) {
		max, chunk := int(max8)+1, int(chunk8)+1
		whole, c1 := splitAll(data, max, 1<<20, false)
		parts, c2 := splitAll(data, max, chunk, false)
		if !reflect.DeepEqual(whole, parts) || c1 != c2 {
			t.Fatalf("chunking changes the result: %v/%d vs %v/%d", whole, c1, parts, c2)
		}
		for _, e := range whole {
			if strings.Contains(e.line, "\n") || len(e.line) > max {
				t.Fatalf("bad line %q (max %d)", e.line, max)
			}
			if !bytes.HasPrefix(data[e.start:], []byte(e.line)) {
				t.Fatalf("line %q is not the input at offset %d", e.line, e.start)
			}
		}
		if want := int64(bytes.LastIndexByte(data, '\n') + 1); c1 != want {
			t.Fatalf("consumed %d, want %d", c1, want)
		}
	})
}
