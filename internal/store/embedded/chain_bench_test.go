package embedded

import (
	"bytes"
	"log/slog"
	"testing"
)

// BenchmarkChainBatch measures what the chain adds to a group commit of
// 1000 events: counting lines, hashing them, linking and appending the
// trailer (the fsync is the same with or without it).
func BenchmarkChainBatch(b *testing.B) {
	evs := benchEvents(1000)
	cat, err := loadCatalog(b.TempDir()+"/catalog.json", ColumnLimits{}, slog.Default())
	if err != nil {
		b.Fatal(err)
	}
	enc := &encoder{cat: cat}
	var info batchInfo
	var buf []byte
	for _, e := range evs {
		var err error
		if buf, err = enc.appendEvent(buf, e, &info); err != nil {
			b.Fatal(err)
		}
	}
	n := len(buf)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	var head chainHash
	for b.Loop() {
		buf = buf[:n]
		t := trailer{Rows: bytes.Count(buf, []byte{'\n'}), Received: 1, End: int64(n), Sum: batchSum(buf)}
		t.Chain = nextChain(head, t.Sum, 1, t.End, t.Rows, t.Received)
		buf = appendTrailer(buf, t)
		head = t.Chain
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/event")
}
