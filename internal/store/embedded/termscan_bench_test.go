package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// BenchmarkTermMatchAll measures the matcher over a page of log lines
// searched at once (the texts of a part of event.original), the needle
// in none of them: bytes per second of text.
func BenchmarkTermMatchAll(b *testing.B) {
	evs := benchEvents(4096)
	var data []byte
	offs := []uint32{0}
	for _, e := range evs {
		data = append(data, e.Original...)
		offs = append(offs, uint32(len(data)))
	}
	for _, v := range []string{"x9kq2vbz", "4242917", "failed passwords"} {
		b.Run(v, func(b *testing.B) {
			m, err := newTextMatcher(v)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var found []int
			for b.Loop() {
				found = m.matchAll(data, offs, found[:0])
			}
			if len(found) != 0 {
				b.Fatalf("%q found in %d texts", v, len(found))
			}
		})
	}
}

// BenchmarkRareTermSearch measures a search for a term planted in 10
// events spread over 100,000 cold ones (blocks and parts of the store's
// sizes), its matches found in Go and through DuckDB's first step.
func BenchmarkRareTermSearch(b *testing.B) {
	ctx := context.Background()
	s, err := Open(Options{Dir: b.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n, hits = 100_000, 10
	evs := benchEvents(n)
	for k := range hits {
		e := evs[k*n/hits+n/(2*hits)]
		e.Original += " x9kq2vbz"
	}
	for i := 0; i < n; i += 10_000 {
		if err := s.Write(ctx, evs[i:i+10_000]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Freeze(ctx); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name   string
		noScan bool
	}{{"go", false}, {"duckdb", true}} {
		b.Run(mode.name, func(b *testing.B) {
			s.opts.noTermScan = mode.noScan
			b.ReportAllocs()
			for b.Loop() {
				res, err := s.Search(ctx, store.Request{Tenant: "default", Query: "x9kq2vbz"})
				if err != nil {
					b.Fatal(err)
				}
				if res.Total != hits {
					b.Fatal(fmt.Sprint("total ", res.Total))
				}
			}
		})
	}
}
