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

	// A JSON value printed over several lines is one record: its lines as
	// they are in the file, LFs and indentation kept (a CR before the last
	// LF dropped).
	pretty := "{\n  \"user\": \"bob\",\n  \"tags\": [\"a]\", \"{b\"],\n  \"n\": {\"x\": 1}\n}\n"
	f(pretty+"next\n", 100, false, []emitted{{strings.TrimSuffix(pretty, "\n"), 0, false}, {"next", int64(len(pretty)), false}}, int64(len(pretty))+5)
	f("[\r\n  {\"a\": 1},\r\n  {\"a\": 2}\r\n]\r\n", 100, false, []emitted{{"[\r\n  {\"a\": 1},\r\n  {\"a\": 2}\r\n]", 0, false}}, 31)
	// Until the value closes, nothing past its start is consumed.
	f("x\n{\n  \"a\": 1,\n", 100, false, []emitted{{"x", 0, false}}, 2)
	// A file that ends inside the value hands its lines on one by one.
	f("{\n  \"a\": 1,\n", 100, true, []emitted{{"{", 0, false}, {`  "a": 1,`, 2, false}}, 12)
	// A line that cannot continue JSON ends the attempt: the held lines go
	// on one by one, then it.
	f("[ERROR\nMay 10 11:37:47 h app: x\n", 100, false, []emitted{{"[ERROR", 0, false}, {"May 10 11:37:47 h app: x", 7, false}}, 32)
	// An NDJSON record cut short, then the next ones: each a record.
	f("{\"a\":\"b\", \"c\n{\"x\":1}\n{\"y\":\"}\n", 100, false, []emitted{{`{"a":"b", "c`, 0, false}, {`{"x":1}`, 13, false}, {`{"y":"}`, 21, false}}, 29)
	// Balanced on its first line: a line as before.
	f("[INFO] a {b\n{\"a\":1} tail\n", 100, false, []emitted{{"[INFO] a {b", 0, false}, {`{"a":1} tail`, 12, false}}, 25)
	// A value longer than the limit goes on line by line.
	f("{\n\"a\": 1,\n\"b\": 2\n}\n", 12, false, []emitted{{"{", 0, false}, {`"a": 1,`, 2, false}, {`"b": 2`, 10, false}, {"}", 17, false}}, 19)
}

// FuzzLineSplitter: whatever the chunk sizes, the same lines at the same
// offsets; lines never hold LF and never exceed the limit; each line is the
// input at its offset; consumed ends right after the last LF.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\r\nccc"), uint8(2), uint8(3))
	f.Add([]byte(strings.Repeat("x", 50)+"\ny\n"), uint8(7), uint8(1))
	f.Add([]byte("{\n \"a\": \"}\\\"\",\n \"b\": [1,\n 2]\n}\nz\n[\n"), uint8(60), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, max8, chunk8 uint8) {
		max, chunk := int(max8)+1, int(chunk8)+1
		whole, c1 := splitAll(data, max, 1<<20, false)
		parts, c2 := splitAll(data, max, chunk, false)
		if !reflect.DeepEqual(whole, parts) || c1 != c2 {
			t.Fatalf("chunking changes the result: %v/%d vs %v/%d", whole, c1, parts, c2)
		}
		for _, e := range whole {
			if len(e.line) > max || strings.Contains(e.line, "\n") && !strings.ContainsAny(e.line[:1], "{[ \t") {
				t.Fatalf("bad line %q (max %d)", e.line, max)
			}
			if !bytes.HasPrefix(data[e.start:], []byte(e.line)) {
				t.Fatalf("line %q is not the input at offset %d", e.line, e.start)
			}
		}
		// consumed ends right after the last LF, or where a JSON value
		// still open starts.
		if want := int64(bytes.LastIndexByte(data, '\n') + 1); c1 != want {
			if open := bytes.TrimLeft(data[c1:], " \t"); c1 > want || len(open) == 0 || open[0] != '{' && open[0] != '[' {
				t.Fatalf("consumed %d, want %d", c1, want)
			}
		}
		// Every byte before consumed is in a record or a blank line.
		covered := make([]bool, c1)
		for _, e := range whole {
			for i := e.start; i < e.start+int64(len(e.line)) && i < c1; i++ {
				covered[i] = true
			}
		}
		for i, ok := range covered {
			if !ok && data[i] != '\n' && data[i] != '\r' && !cutTail(whole, int64(i), data) {
				t.Fatalf("byte %d (%q) consumed but in no record", i, data[i])
			}
		}
	})
}

// cutTail reports whether byte i is in the discarded tail of a cut line.
func cutTail(lines []emitted, i int64, data []byte) bool {
	for _, e := range lines {
		if e.cut && i >= e.start {
			if nl := bytes.IndexByte(data[e.start:], '\n'); nl < 0 || i < e.start+int64(nl) {
				return true
			}
		}
	}
	return false
}
