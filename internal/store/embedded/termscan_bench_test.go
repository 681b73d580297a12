package embedded

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
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

// BenchmarkRareTermBenchMix freezes the hot segments of VIGIL_BENCH_HOT
// (see BenchmarkFreezeHot: 200,000 events of `vigil bench`'s mix, ten of
// them holding x9kq2vbz) and measures the search for x9kq2vbz over the
// cold files: the process CPU (user+sys) per search, and the cold bytes
// per event (Parquet and meta). VIGIL_BENCH_PAGE and VIGIL_BENCH_PART
// set the page bytes and part rows of the writer (default: the store's);
// VIGIL_BENCH_COLUMNS logs each column's bytes.
func BenchmarkRareTermBenchMix(b *testing.B) {
	src := os.Getenv("VIGIL_BENCH_HOT")
	if src == "" {
		b.Skip("VIGIL_BENCH_HOT not set")
	}
	ctx := context.Background()
	dir := b.TempDir()
	if out := os.Getenv("VIGIL_BENCH_OUT"); out != "" {
		dir = out // kept, to look at the files
	}
	if err := copyTree(filepath.Join(src, "store", "events"), filepath.Join(dir, "store", "events")); err != nil {
		b.Fatal(err)
	}
	page, _ := strconv.Atoi(os.Getenv("VIGIL_BENCH_PAGE"))
	part, _ := strconv.Atoi(os.Getenv("VIGIL_BENCH_PART"))
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, pageBytes: page, partRows: part})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d := s.datasets[store.Events]
	if err := d.freeze(ctx, s.db, true); err != nil {
		b.Fatal(err)
	}
	var rows, cold int64
	for _, fs := range d.cold.all() {
		for _, f := range fs {
			rows += f.Rows
			cold += f.Size + metaSize(f)
			if os.Getenv("VIGIL_BENCH_COLUMNS") != "" {
				printColumnBytes(b, f)
			}
		}
	}
	// A live heap as the server has: without it parquet-go's buffer
	// pools are emptied by every collection.
	ballast := make([]byte, 300<<20)
	defer runtime.KeepAlive(ballast)
	for _, q := range []struct {
		name, term string
		hits       int64
	}{{"rare", "x9kq2vbz", 10}, {"absent", "q7zzv0kx", 0}} {
		b.Run(q.name, func(b *testing.B) {
			runtime.GC()
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				res, err := s.Search(ctx, store.Request{Tenant: "default", Query: q.term})
				if err != nil {
					b.Fatal(err)
				}
				if res.Total != q.hits {
					b.Fatalf("total %d, want %d", res.Total, q.hits)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/search")
			b.ReportMetric(float64(cold)/float64(rows), "cold-bytes/event")
		})
	}
}
