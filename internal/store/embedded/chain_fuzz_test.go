package embedded

import (
	"bytes"
	"testing"
)

// buildSegment chains batches into a segment as the committer writes it.
func buildSegment(seq uint64, prev chainHash, batches [][]byte) ([]byte, chainHash) {
	data := appendSegHeader(nil, seq, prev)
	head := prev
	for i, b := range batches {
		data = append(data, b...)
		t := trailer{Rows: bytes.Count(b, []byte{'\n'}), Received: int64(i), End: int64(len(data)), Sum: batchSum(b)}
		t.Chain = nextChain(head, t.Sum, seq, t.End, t.Rows, t.Received)
		data = appendTrailer(data, t)
		head = t.Chain
	}
	return data, head
}

// FuzzScanSegment: any bytes scan without a panic; a segment built from
// any event lines scans intact, and flipping any byte of it is reported.
func FuzzScanSegment(f *testing.F) {
	f.Add([]byte(`{"@timestamp":"2026-01-01T00:00:00Z","a":1}`+"\n"), []byte(`{"@timestamp":"2026-01-01T00:00:01Z"}`+"\n"), uint16(3))
	f.Add([]byte(segHeaderKey+`{"v":1,"seq":1,"prev":"00"}}`+"\n"), []byte(batchTrailKey+"{}}\n"), uint16(0))
	f.Fuzz(func(t *testing.T, a, b []byte, flip uint16) {
		scanSegment(a, 1)
		scanSegment(append(append([]byte(nil), a...), b...), 1)
		// Event lines: no newline inside, one at the end, never taken for
		// a header or trailer (event lines start with {"@timestamp":).
		line := func(x []byte) []byte {
			x = bytes.ReplaceAll(x, []byte{'\n'}, []byte{' '})
			return append(append([]byte(`{"@timestamp":`), x...), '\n')
		}
		data, head := buildSegment(5, chainHash{7}, [][]byte{line(a), append(line(b), line(a)...)})
		sc := scanSegment(data, 5)
		if !sc.chained || len(sc.problems) > 0 || sc.tail != 0 || sc.head != head || sc.batches != 2 || sc.rows != 3 {
			t.Fatalf("intact segment: %+v", sc)
		}
		i := int(flip) % len(data)
		data[i] ^= 0x20
		sc = scanSegment(data, 5)
		if sc.chained && len(sc.problems) == 0 && sc.tail == 0 && sc.head == head {
			t.Fatalf("byte %d flipped (%q) not noticed", i, data[i])
		}
	})
}

// FuzzReadManifest: any manifest reads without a panic.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(`{"v":1,"n":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000","kind":"freeze","first":1,"last":2,"files":[{"path":"cold/a/b/c.parquet"}]}` + "\n" + `{"v":1,"n":2,"kind":"abandon","abandons":1}` + "\n"))
	f.Add([]byte(`{"v":1,"n":1,"kind":"abandon","abandons":1}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := parseManifest(data)
		if st.size+int64(st.partial) != int64(len(data)) {
			t.Fatalf("whole lines %d + partial %d != %d bytes", st.size, st.partial, len(data))
		}
	})
}
