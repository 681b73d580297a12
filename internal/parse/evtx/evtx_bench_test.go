package evtx

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	vevtx "www.velocidex.com/golang/evtx"

	"github.com/vigilsiem/vigil/internal/event"
)

// Benchmarks of our decoder and of velocidex on the same files, in the
// same run. MB/s counts file bytes (b.SetBytes with the file sizes), so
// unused chunks count too; "dense" restricts to files whose chunks are
// mostly full, which is what a busy log looks like. records/s is reported
// as a metric. Files are read into memory first: this measures decoding,
// not the disk.
//
// On a shared machine wall time says little about the cost of decoding, so
// the benchmarks also report throughput per second of CPU time the process
// used (getrusage: user + system, GC included): MB/cpu-s and
// records/cpu-s. With -cpu 1 that is the per-core figure.

type benchFile struct {
	data    []byte
	records int
}

func loadBenchFiles(b *testing.B, dense bool) ([]benchFile, int64, int) {
	b.Helper()
	var files []benchFile
	var size int64
	var records int
	for _, p := range refFiles(b) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		n := countRecords(b, data)
		// A full chunk holds about 64 KiB of records; a file is dense when
		// its records fill more than half of its chunks' room.
		if dense && int64(n)*1000 < int64(len(data))/2 {
			continue
		}
		files = append(files, benchFile{data, n})
		size += int64(len(data))
		records += n
	}
	if len(files) == 0 {
		b.Skip("no files")
	}
	return files, size, records
}

func countRecords(b *testing.B, data []byte) int {
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	var e event.Event
	n := 0
	for {
		if _, err := r.Next(&e); errors.Is(err, io.EOF) {
			return n
		} else if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

var benchSink int

// cpuTime returns the CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports throughput per CPU second since start.
func reportCPU(b *testing.B, start time.Duration, size int64, records int) {
	cpu := (cpuTime(b) - start).Seconds()
	n := float64(b.N)
	b.ReportMetric(float64(size)*n/cpu/1e6, "MB/cpu-s")
	b.ReportMetric(float64(records)*n/cpu, "records/cpu-s")
	b.ReportMetric(float64(records)*n/b.Elapsed().Seconds(), "records/s")
}

func benchOurs(b *testing.B, dense, original bool) {
	files, size, records := loadBenchFiles(b, dense)
	b.SetBytes(size)
	b.ReportAllocs()
	var e event.Event
	start := cpuTime(b)
	for b.Loop() {
		for _, f := range files {
			r, err := NewReader(bytes.NewReader(f.data), int64(len(f.data)), Options{Original: original})
			if err != nil {
				b.Fatal(err)
			}
			for {
				_, err := r.Next(&e)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				benchSink += len(e.Fields)
			}
		}
	}
	reportCPU(b, start, size, records)
}

func benchVelocidex(b *testing.B, dense bool) {
	files, size, records := loadBenchFiles(b, dense)
	b.SetBytes(size)
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		for _, f := range files {
			chunks, err := vevtx.GetChunks(bytes.NewReader(f.data))
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range chunks {
				recs, _ := c.Parse(0)
				benchSink += len(recs)
			}
		}
	}
	reportCPU(b, start, size, records)
}

func BenchmarkDecodeAll(b *testing.B)            { benchOurs(b, false, false) }
func BenchmarkDecodeAllVelocidex(b *testing.B)   { benchVelocidex(b, false) }
func BenchmarkDecodeDense(b *testing.B)          { benchOurs(b, true, false) }
func BenchmarkDecodeDenseOriginal(b *testing.B)  { benchOurs(b, true, true) }
func BenchmarkDecodeDenseVelocidex(b *testing.B) { benchVelocidex(b, true) }
