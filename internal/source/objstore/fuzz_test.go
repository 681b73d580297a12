package objstore

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzReadLines checks that line splitting never panics, numbers lines
// from 1 without gaps, cuts only what is longer than the limit, and gives
// back the input: the lines joined with LF are the input without its CRs
// before LF, its final LF and what was cut.
func FuzzReadLines(f *testing.F) {
	f.Add([]byte("a\nb\r\nc"), 4)
	f.Add([]byte("\n\n"), 1)
	f.Add(bytes.Repeat([]byte("x"), 70), 20)
	f.Add([]byte("abc\r\r\n"), 3)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max < 1 || max > 1<<12 {
			return
		}
		var out bytes.Buffer
		var n int64
		cuts := 0
		err := readLines(bufio.NewReaderSize(bytes.NewReader(in), 16), max, func(num int64, line []byte, cut bool) error {
			n++
			if num != n {
				t.Fatalf("line %d numbered %d", n, num)
			}
			if len(line) > max {
				t.Fatalf("line of %d bytes, limit %d", len(line), max)
			}
			if cut {
				cuts++
			}
			if bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("line %q holds a LF", line)
			}
			if n > 1 {
				out.WriteByte('\n')
			}
			out.Write(line)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if cuts > 0 {
			return
		}
		want := bytes.ReplaceAll(in, []byte("\r\n"), []byte("\n"))
		want = bytes.TrimSuffix(want, []byte("\n"))
		if bytes.HasSuffix(in, []byte("\r")) && !bytes.HasSuffix(in, []byte("\r\n")) {
			// A final line ending in CR without LF loses the CR too.
			want = bytes.TrimSuffix(want, []byte("\r"))
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("lines rejoin to %q, want %q", out.Bytes(), want)
		}
	})
}

// FuzzDetect checks that layout detection never panics and answers one of
// the layouts.
func FuzzDetect(f *testing.F) {
	f.Add([]byte(`{"Records":[]}`))
	f.Add([]byte("srcaddr dstaddr\n"))
	f.Add([]byte("PAR1"))
	f.Fuzz(func(t *testing.T, head []byte) {
		l, err := detectHead(head)
		if err != nil {
			return
		}
		switch l {
		case LayoutLines, LayoutCloudTrail, LayoutVPCFlow:
		default:
			t.Fatalf("layout %q", l)
		}
	})
}
