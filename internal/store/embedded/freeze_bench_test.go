package embedded

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/vigilsiem/vigil/internal/store"
)

// BenchmarkFreezeHot freezes the hot segments of a real server's events
// dataset: VIGIL_BENCH_HOT names a data directory (DIR/store/events with
// catalog.json and hot/) left by `vigil serve --data DIR --config C
// --no-builtin-rules` (C: `storage: {hot_bytes: 1TiB, hot_age: 1000h}`, so
// nothing freezes) after 200,000 events of `vigil bench`'s mix were sent
// to its syslog TCP listener (internal/bench.Send) and stored, then
// stopped with SIGTERM.
// It reports the process CPU per event (user+sys, all goroutines) and the
// cold bytes per event (Parquet and meta). Skipped without the variable:
// the bench mix is ~1 KB per hot line, too much data for the repository.
func BenchmarkFreezeHot(b *testing.B) {
	src := os.Getenv("VIGIL_BENCH_HOT")
	if src == "" {
		b.Skip("VIGIL_BENCH_HOT not set")
	}
	b.ReportAllocs()
	var cpu time.Duration
	var rows, cold, hot int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		if err := copyTree(filepath.Join(src, "store", "events"), filepath.Join(dir, "store", "events")); err != nil {
			b.Fatal(err)
		}
		level, _ := strconv.Atoi(os.Getenv("VIGIL_BENCH_LEVEL"))
		s, err := Open(Options{Dir: dir, Interval: time.Hour, CompressionLevel: level})
		if err != nil {
			b.Fatal(err)
		}
		d := s.datasets[store.Events]
		segs, _ := filepath.Glob(filepath.Join(dir, "store", "events", "hot", "seg-*.ndjson"))
		for _, p := range segs {
			if fi, err := os.Stat(p); err == nil {
				hot += fi.Size()
			}
		}
		runtime.GC()
		c0 := cpuTime()
		b.StartTimer()
		if err := d.freeze(context.Background(), s.db, true); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		for _, fs := range d.cold.all() {
			for _, f := range fs {
				rows += f.Rows
				cold += f.Size + metaSize(f)
				if os.Getenv("VIGIL_BENCH_COLUMNS") != "" && i == 0 {
					printColumnBytes(b, f)
				}
			}
		}
		s.Close()
		b.StartTimer()
	}
	b.SetBytes(hot / int64(b.N))
	b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/event")
	b.ReportMetric(float64(cold)/float64(rows), "cold-bytes/event")
	b.ReportMetric(float64(rows)/float64(b.N), "events")
}

// BenchmarkFreezeWriteHot is the direct cold writer alone (parse, sort,
// encode, compress, token filters, value counts; not the chain check or
// the publishing) over the largest hot segment of VIGIL_BENCH_HOT, read
// into memory once: a steadier figure than BenchmarkFreezeHot's on a
// loaded machine. It reports the process CPU (user+sys) per event.
func BenchmarkFreezeWriteHot(b *testing.B) {
	src := os.Getenv("VIGIL_BENCH_HOT")
	if src == "" {
		b.Skip("VIGIL_BENCH_HOT not set")
	}
	dir := b.TempDir()
	if err := copyTree(filepath.Join(src, "store", "events"), filepath.Join(dir, "store", "events")); err != nil {
		b.Fatal(err)
	}
	s, err := Open(Options{Dir: dir, Interval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d := s.datasets[store.Events]
	if err := d.hot.sealCurrent(0); err != nil {
		b.Fatal(err)
	}
	segs := d.hot.sealedSegments()
	slices.SortFunc(segs, func(x, y *segment) int { return int(y.size - x.size) })
	segs = segs[:1]
	data, err := readSegments(segs)
	if err != nil {
		b.Fatal(err)
	}
	snap := d.cat.load()
	sets := packTenants(snap, snap.ordered, []string{"default"}, d.cat.limits.TenantColumns)
	b.SetBytes(segs[0].size)
	b.ReportAllocs()
	var rows, cold int64
	c0 := cpuTime()
	for b.Loop() {
		files, err := d.writeDirect(sets[0], segs, data, filepath.Join(dir, "out"))
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			rows += f.Rows
			cold += f.Size + metaSize(f)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(rows), "cpu-ns/event")
	b.ReportMetric(float64(cold)/float64(rows), "cold-bytes/event")
}

// printColumnBytes logs the compressed bytes per row of each column of
// f, largest first, uncompressed beside them, and of its meta.
func printColumnBytes(b *testing.B, f *coldFile) {
	r, err := os.Open(f.Path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	st, _ := r.Stat()
	pf, err := parquet.OpenFile(r, st.Size())
	if err != nil {
		b.Fatal(err)
	}
	size, raw := map[string]int64{}, map[string]int64{}
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			size[strings.Join(c.MetaData.PathInSchema, ".")] += c.MetaData.TotalCompressedSize
			raw[strings.Join(c.MetaData.PathInSchema, ".")] += c.MetaData.TotalUncompressedSize
		}
	}
	names := slices.SortedFunc(maps.Keys(size), func(a, b string) int { return int(size[b] - size[a]) })
	var lines []string
	for _, n := range names {
		lines = append(lines, fmt.Sprintf("%-40s %6.2f %7.2f", n, float64(size[n])/float64(f.Rows), float64(raw[n])/float64(f.Rows)))
	}
	lines = append(lines, fmt.Sprintf("%-40s %6.2f", ".meta", float64(metaSize(f))/float64(f.Rows)))
	fmt.Fprintf(os.Stderr, "bytes per row by column of %s:\n%s\n", filepath.Base(f.Path), strings.Join(lines, "\n"))
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(out, 0o700)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		o, err := os.Create(out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(o, in); err != nil {
			o.Close()
			return err
		}
		return o.Close()
	})
}
