package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// fileWith returns a valid file header followed by chunk.
func fileWith(chunk []byte) []byte {
	h := make([]byte, fileHeaderBlock, fileHeaderBlock+len(chunk))
	copy(h, fileMagic)
	binary.LittleEndian.PutUint32(h[32:], fileHeaderSize)
	binary.LittleEndian.PutUint16(h[36:], 1)
	binary.LittleEndian.PutUint16(h[38:], 3)
	binary.LittleEndian.PutUint16(h[40:], fileHeaderBlock)
	binary.LittleEndian.PutUint16(h[42:], 1)
	binary.LittleEndian.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	return append(h, chunk...)
}

// seedChunks returns a synthetic chunk and the first chunk of some shared
// files, cut at their free space offset.
func seedChunks(f testing.TB) [][]byte {
	w := newEnc()
	w.p = chunkHeaderSize + recordHeaderSize
	w.record(func() {
		w.fragmentHeader()
		w.instance(0, systemTemplate(w, func() {
			w.open("EventData", false, true)
			w.closeStart()
			w.leaf("Data", 6, typeArray|typeString)
			w.end()
		}), append(systemValues(), strArray("x\x00y\x00"))...)
	})
	size := w.p + 4 - chunkHeaderSize
	c := w.c[:w.p+4]
	copy(c, chunkMagic)
	copy(c[chunkHeaderSize:], recordMagic)
	binary.LittleEndian.PutUint32(c[chunkHeaderSize+4:], uint32(size))
	binary.LittleEndian.PutUint64(c[chunkHeaderSize+8:], 1)
	binary.LittleEndian.PutUint32(c[w.p:], uint32(size))
	seeds := [][]byte{bytes.Clone(c)}

	if os.Getenv("EVTX_FUZZ_SMALL") != "" {
		return seeds
	}
	root := filepath.Join(testutil.RepoRoot(f), "..", "shared", "data")
	n := 0
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".evtx") {
			return nil
		}
		if n++; n%40 != 1 {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) < fileHeaderBlock+chunkSize {
			return nil
		}
		c := data[fileHeaderBlock : fileHeaderBlock+chunkSize]
		if free := int(u32(c, 48)); free > chunkHeaderSize && free <= chunkSize {
			c = c[:free]
		}
		seeds = append(seeds, bytes.Clone(c))
		return nil
	})
	return seeds
}

// FuzzChunk feeds arbitrary chunks to the reader. Invariants: no panic
// (the reader turns one into a "bug:" problem, which fails the target);
// every record Next returns renders as XML; decoding is deterministic;
// every skipped record is counted and reported.
func FuzzChunk(f *testing.F) {
	for _, s := range seedChunks(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		if len(chunk) > chunkSize {
			chunk = chunk[:chunkSize]
		}
		data := fileWith(chunk)
		first := fuzzRead(t, data)
		second := fuzzRead(t, data)
		if first != second {
			t.Fatalf("two reads differ:\n%s\n%s", first, second)
		}
	})
}

func fuzzRead(t *testing.T, data []byte) string {
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatalf("new reader on a valid header: %v", err)
	}
	var out []byte
	var e event.Event
	for i := 0; ; i++ {
		if i > chunkSize {
			t.Fatal("more records than bytes: the reader loops")
		}
		rec, err := r.Next(&e)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		x, err := r.AppendXML(nil)
		if err != nil {
			t.Fatalf("record %d decodes but does not render: %v", rec.ID, err)
		}
		out = append(out, x...)
		out = e.AppendJSON(out)
	}
	st := r.Stats()
	for _, p := range st.Details {
		if strings.Contains(p.Error(), "bug:") {
			t.Fatal(p)
		}
	}
	if st.BadRecords > st.Problems {
		t.Fatalf("%d bad records but %d problems", st.BadRecords, st.Problems)
	}
	return string(out)
}
